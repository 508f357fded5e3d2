package io.pachyderm.node;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;

/**
 * A counter for cluster tests, with commands that misbehave on purpose: a throwing handler,
 * an event that makes apply throw, an oversized reply, and an effect at a threshold.
 */
final class TestCounter implements Entity<TestCounter.State, TestCounter.Command, TestCounter.Event> {
  static final long THRESHOLD = 10;

  record State(long count) {}

  sealed interface Command permits Add, Explode, Poison, Big {}

  record Add(long by) implements Command {}

  /** handle throws. */
  record Explode() implements Command {}

  /** Emits an event that apply refuses. */
  record Poison() implements Command {}

  /** Replies with a string of {@code bytes} characters. */
  record Big(int bytes) implements Command {}

  sealed interface Event permits Added, Poisoned {}

  record Added(long by) implements Event {}

  record Poisoned() implements Event {}

  record Crossed(String id, long count) {}

  static final EntityType<State, Command, Event> TYPE =
      EntityType.builder("test-counter", new TestCounter(), State.class, Command.class, Event.class)
          .types(Crossed.class, String.class)
          .build();

  static final EntityTypes TYPES = EntityTypes.of(TYPE);

  @Override
  public State initial(String id) {
    return new State(0);
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    if (command instanceof Add add) {
      long next = state.count() + add.by();
      return Decision.<Event>emit(new Added(add.by()))
          .effectIf(state.count() < THRESHOLD && next >= THRESHOLD, TestCluster.COUNTING_HANDLER,
              new Crossed(ctx.id(), next));
    }
    if (command instanceof Explode) {
      throw new IllegalStateException("boom");
    }
    if (command instanceof Poison) {
      return Decision.emit(new Poisoned());
    }
    Big big = (Big) command;
    return Decision.<Event>none().reply("x".repeat(big.bytes()));
  }

  @Override
  public State apply(Event event, State state) {
    if (event instanceof Added a) {
      return new State(state.count() + a.by());
    }
    throw new IllegalArgumentException("poisoned event refused");
  }
}
