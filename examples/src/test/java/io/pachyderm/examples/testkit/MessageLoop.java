package io.pachyderm.examples.testkit;

import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.entity.Envelope;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The entities' own logic without the cluster: commands run {@code handle}, accepted decisions
 * are applied at once, and the messages they send wait in one FIFO queue until {@link #deliver}
 * runs them, each exactly once, with the sender set. Timers and effects are not run (the tests
 * of those call {@code handle} directly). Each message is checked to be a command of its target's
 * type, as the runtime does. Not thread-safe.
 */
public final class MessageLoop {
  /** A command that was rejected: who, what, why. */
  public record Rejection(EntityRef<?, ?> to, Object command, String reason) {}

  private record Pending(EntityRef<Object, Object> from, Envelope envelope) {}

  private final EntityTypes types;
  private final Map<EntityRef<?, ?>, Object> states = new HashMap<>();
  private final Map<EntityRef<?, ?>, Long> versions = new HashMap<>();
  private final Deque<Pending> queue = new ArrayDeque<>();
  private final List<Rejection> rejections = new ArrayList<>();
  private long delivered;

  public MessageLoop(EntityTypes types) {
    this.types = types;
  }

  /** Runs a client command now; returns its decision (rejected ones are also recorded). */
  public <C> Decision<?> command(EntityRef<?, C> to, C command) {
    return run(null, to, command);
  }

  /** Delivers queued messages in FIFO order, at most {@code limit}; returns how many ran. */
  public int deliver(int limit) {
    int ran = 0;
    while (ran < limit && !queue.isEmpty()) {
      Pending p = queue.removeFirst();
      run(p.from(), p.envelope().to(), p.envelope().command());
      delivered++;
      ran++;
    }
    return ran;
  }

  /** Messages sent and not yet delivered. */
  public int pending() {
    return queue.size();
  }

  public long delivered() {
    return delivered;
  }

  public List<Rejection> rejections() {
    return List.copyOf(rejections);
  }

  /** The current state of {@code ref}: its initial state when it has never run a command. */
  @SuppressWarnings("unchecked")
  public <S> S state(EntityRef<S, ?> ref) {
    Object state = states.get(ref);
    return state != null ? (S) state : (S) entity(ref).initial(ref.id());
  }

  @SuppressWarnings("unchecked")
  private Entity<Object, Object, Object> entity(EntityRef<?, ?> ref) {
    EntityType<?, ?, ?> type = types.find(ref.type());
    if (type == null) {
      throw new IllegalArgumentException("no entity type " + ref.type() + " among " + types.names());
    }
    return (Entity<Object, Object, Object>) type.entity();
  }

  private Decision<?> run(EntityRef<Object, Object> from, EntityRef<?, ?> to, Object command) {
    EntityType<?, ?, ?> type = types.find(to.type());
    if (type == null || !type.commandClass().isInstance(command)) {
      throw new AssertionError(command + " is not a command of entity type " + to.type());
    }
    Entity<Object, Object, Object> entity = entity(to);
    EntityRef<?, ?> key = EntityRef.of(to.type(), to.id());
    Object state = state(key);
    long version = versions.getOrDefault(key, 0L);
    TestContext ctx = new TestContext(to.id(), version, Instant.parse("2026-01-01T00:00:00Z"), from);
    Decision<Object> decision = entity.handle(command, state, ctx);
    if (decision.isRejected()) {
      rejections.add(new Rejection(key, command, decision.rejection()));
      return decision;
    }
    for (Object event : decision.events()) {
      state = entity.apply(event, state);
    }
    states.put(key, state);
    versions.put(key, version + decision.events().size());
    EntityRef<Object, Object> self = EntityRef.of(to.type(), to.id());
    for (Envelope m : decision.messages()) {
      queue.addLast(new Pending(self, m));
    }
    return decision;
  }
}
