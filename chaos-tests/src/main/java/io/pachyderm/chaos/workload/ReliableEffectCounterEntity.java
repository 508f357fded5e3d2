package io.pachyderm.chaos.workload;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;

/**
 * A counter whose every add emits an at-least-once effect to the {@value #DISPATCH_HANDLER}
 * handler (DESIGN §3, reliable effects). The payload names the effect by entity and version, so
 * that the checker can tell the attempts of one effect apart from those of another without
 * trusting the idempotency key, which is one of the things it checks.
 */
public final class ReliableEffectCounterEntity implements
    Entity<ReliableEffectCounterEntity.State, ReliableEffectCounterEntity.Command, ReliableEffectCounterEntity.Event> {
  public static final String NAME = "reliable-effect-counter";
  public static final String DISPATCH_HANDLER = "chaos-dispatch-alo";

  public record State(long count) {}

  public sealed interface Command permits Add {}

  public record Add(long delta) implements Command {}

  public sealed interface Event permits Added {}

  public record Added(long delta) implements Event {}

  /**
   * The effect payload.
   *
   * @param entity the id of the counter whose add produced the effect
   * @param version the counter's version after that add: one effect per version
   */
  public record Due(String entity, long version) {
    /** The effect's identity, independent of its idempotency key: {@code entity@version}. */
    public String effectId() {
      return effectId(entity, version);
    }

    public static String effectId(String entity, long version) {
      return entity + "@" + version;
    }
  }

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder(NAME, new ReliableEffectCounterEntity(), State.class, Command.class, Event.class)
          .types(Due.class)
          .build();

  @Override
  public State initial(String id) {
    return new State(0);
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    Add a = (Add) command;
    if (a.delta() <= 0) {
      return Decision.reject("delta must be positive, was " + a.delta());
    }
    return Decision.<Event>emit(new Added(a.delta()))
        .effectAtLeastOnce(DISPATCH_HANDLER, new Due(ctx.id(), ctx.version() + 1));
  }

  @Override
  public State apply(Event event, State state) {
    return new State(Math.addExact(state.count(), ((Added) event).delta()));
  }
}
