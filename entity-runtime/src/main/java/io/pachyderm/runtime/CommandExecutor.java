package io.pachyderm.runtime;

import io.pachyderm.api.RejectionKind;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Effect;
import io.pachyderm.entity.EffectGuarantee;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.entity.Envelope;
import io.pachyderm.entity.TimerRequest;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Runs one command against a base state: decode, {@code handle}, {@code apply} over the new
 * events (so a throwing {@code apply} rejects the command here, never on a replica), encode the
 * events, effects and reply. Everything that can go wrong becomes a {@link Execution.Rejected}
 * naming the cause; nothing is thrown for user errors.
 */
public final class CommandExecutor {
  private CommandExecutor() {}

  /**
   * Inputs that are decided outside the entity: time, randomness seed, what the caller wants back,
   * and the sending entity when the command is a message (null for clients and timers).
   */
  public record Request(EntityKey key, Encoded command, long nowMs, long seed, boolean replyWanted, EntityKey sender) {
    public Request(EntityKey key, Encoded command, long nowMs, long seed, boolean replyWanted) {
      this(key, command, nowMs, seed, replyWanted, null);
    }
  }

  /**
   * @param type the entity type named by the key
   * @param state the base state (applied plus speculative)
   * @param version the base version
   * @param effectHandlers which effect handler names exist on this node
   * @param types every entity type, for the targets of messages and timers
   */
  public static Execution execute(EntityType<?, ?, ?> type, Object state, long version, Request request,
                                  Predicate<String> effectHandlers, EntityTypes types) {
    Object command;
    try {
      command = type.codec().decodeCommand(request.command());
    } catch (RuntimeException e) {
      return new Execution.Rejected(RejectionKind.UNDECODABLE_PAYLOAD, "entity type " + type.name() + ": "
          + e.getMessage());
    }
    if (!type.commandClass().isInstance(command)) {
      return new Execution.Rejected(RejectionKind.UNDECODABLE_PAYLOAD, request.command().type()
          + " is registered with entity type " + type.name() + " but is not a "
          + type.commandClass().getSimpleName());
    }
    Decision<?> decision;
    CommandContext ctx = new CommandContext(request, version);
    try {
      decision = handle(type, command, state, ctx);
    } catch (RuntimeException | StackOverflowError e) {
      return new Execution.Rejected(RejectionKind.HANDLER_FAILED, "handle(" + command.getClass().getSimpleName()
          + ") of " + request.key() + " threw " + e, ctx.randomDrawn());
    }
    if (decision == null) {
      return new Execution.Rejected(RejectionKind.HANDLER_FAILED, "handle(" + command.getClass().getSimpleName()
          + ") of " + request.key() + " returned null", ctx.randomDrawn());
    }
    if (decision.isRejected()) {
      return new Execution.Rejected(RejectionKind.REJECTED_BY_ENTITY, decision.rejection(), ctx.randomDrawn());
    }
    return accept(type, state, version, request, decision, effectHandlers, types, ctx.randomDrawn());
  }

  private static Execution accept(EntityType<?, ?, ?> type, Object state, long version, Request request,
                                  Decision<?> decision, Predicate<String> effectHandlers, EntityTypes types,
                                  boolean randomDrawn) {
    Object current = state;
    long v = version;
    List<Encoded> events = new ArrayList<>(decision.events().size());
    try {
      for (Object event : decision.events()) {
        current = EventFolder.applyOne(type, event, current, v);
        v++;
      }
    } catch (EventFolder.EventApplyException e) {
      return new Execution.Rejected(RejectionKind.APPLY_FAILED, e.getMessage(), randomDrawn);
    }
    List<EncodedEffect> effects = new ArrayList<>(decision.effects().size());
    try {
      for (Object event : decision.events()) {
        events.add(type.codec().encode(event));
      }
      for (Effect effect : decision.effects()) {
        if (!effectHandlers.test(effect.handler())) {
          return new Execution.Rejected(RejectionKind.INVALID_DECISION, "effect handler '" + effect.handler()
              + "' is not registered on this node (effect " + effect.payload().getClass().getSimpleName() + ")",
              randomDrawn);
        }
        effects.add(new EncodedEffect(effect.handler(), type.codec().encode(effect.payload()),
            effect.guarantee() == EffectGuarantee.AT_LEAST_ONCE));
      }
      List<EncodedMessage> messages = new ArrayList<>(decision.messages().size());
      for (Envelope m : decision.messages()) {
        EntityKey to = new EntityKey(request.key().ecosystem(), m.to().type(), m.to().id());
        messages.add(new EncodedMessage(to, encodeCommandFor(types, to, m.command(), "message")));
      }
      List<EncodedTimer> timers = new ArrayList<>(decision.timers().size());
      for (TimerRequest t : decision.timers()) {
        if (t instanceof TimerRequest.Schedule s) {
          EntityKey target = s.target() == null ? request.key()
              : new EntityKey(request.key().ecosystem(), s.target().type(), s.target().id());
          long dueMs = s.at() != null ? s.at().toEpochMilli() : saturatedAdd(request.nowMs(), s.delay().toMillis());
          timers.add(EncodedTimer.schedule(s.name(), target,
              encodeCommandFor(types, target, s.command(), "timer '" + s.name() + "'"), dueMs));
        } else {
          timers.add(EncodedTimer.cancelled(t.name()));
        }
      }
      Encoded reply = null;
      boolean replyIsState = decision.reply() == null;
      if (!replyIsState) {
        // Encoded even for send(): call() and send() must accept or reject the same command alike.
        reply = type.codec().encode(decision.reply());
      } else if (request.replyWanted()) {
        reply = type.codec().encode(current);
      }
      if (!request.replyWanted()) {
        reply = null;
      }
      return new Execution.Accepted(List.copyOf(events), List.copyOf(effects), List.copyOf(messages),
          List.copyOf(timers), reply, replyIsState, current, v, randomDrawn);
    } catch (InvalidDecision e) {
      return new Execution.Rejected(RejectionKind.INVALID_DECISION, e.getMessage(), randomDrawn);
    } catch (RuntimeException e) {
      return new Execution.Rejected(RejectionKind.INVALID_DECISION, "entity type " + type.name() + ": "
          + e.getMessage(), randomDrawn);
    }
  }

  /** A decision that cannot be carried out as written (unknown target type, wrong command class). */
  private static final class InvalidDecision extends RuntimeException {
    InvalidDecision(String message) {
      super(message, null, false, false);
    }
  }

  private static Encoded encodeCommandFor(EntityTypes types, EntityKey target, Object command, String what) {
    EntityType<?, ?, ?> targetType = types.find(target.type());
    if (targetType == null) {
      throw new InvalidDecision(what + " to " + target + ": no entity type '" + target.type()
          + "' is registered; registered: " + types.names());
    }
    if (!targetType.commandClass().isInstance(command)) {
      throw new InvalidDecision(what + " to " + target + ": " + command.getClass().getName() + " is not a command of "
          + targetType.name() + " (" + targetType.commandClass().getName() + ")");
    }
    try {
      return targetType.codec().encode(command);
    } catch (RuntimeException e) {
      throw new InvalidDecision(what + " to " + target + ": " + e.getMessage());
    }
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  @SuppressWarnings("unchecked")
  private static Decision<?> handle(EntityType<?, ?, ?> type, Object command, Object state, Context ctx) {
    Entity<Object, Object, Object> entity = (Entity<Object, Object, Object>) type.entity();
    return entity.handle(command, state, ctx);
  }

  /** The state of an entity that has no events yet. */
  @SuppressWarnings("unchecked")
  public static Object initialState(EntityType<?, ?, ?> type, String id) {
    Object initial = ((Entity<Object, Object, Object>) type.entity()).initial(id);
    if (initial == null) {
      throw new IllegalStateException("initial(" + id + ") of entity type " + type.name() + " returned null");
    }
    return initial;
  }

  private static final class CommandContext implements Context {
    private final Request request;
    private final long version;
    private RandomGenerator random;

    CommandContext(Request request, long version) {
      this.request = request;
      this.version = version;
    }

    @Override
    public String id() {
      return request.key().id();
    }

    @Override
    public String ecosystem() {
      return request.key().ecosystem();
    }

    @Override
    public long version() {
      return version;
    }

    @Override
    public Instant now() {
      return Instant.ofEpochMilli(request.nowMs());
    }

    @Override
    public Optional<EntityRef<Object, Object>> sender() {
      EntityKey s = request.sender();
      return s == null ? Optional.empty() : Optional.of(EntityRef.of(s.type(), s.id()));
    }

    boolean randomDrawn() {
      return random != null;
    }

    @Override
    public RandomGenerator random() {
      if (random == null) {
        random = new SplittableRandom(request.seed());
      }
      return random;
    }
  }
}
