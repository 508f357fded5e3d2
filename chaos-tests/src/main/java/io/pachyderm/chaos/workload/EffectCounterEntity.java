package io.pachyderm.chaos.workload;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;

/**
 * A counter whose every add emits an at-most-once effect to the {@value #DISPATCH_HANDLER}
 * handler. The nodes log each dispatch; the effects checker then verifies that no effect was
 * dispatched twice and that only the leader of the entry's term dispatched it.
 */
public final class EffectCounterEntity
    implements Entity<EffectCounterEntity.State, EffectCounterEntity.Command, EffectCounterEntity.Event> {
  public static final String NAME = "effect-counter";
  public static final String DISPATCH_HANDLER = "chaos-dispatch";

  public record State(long count) {}

  public sealed interface Command permits Add {}

  public record Add(long delta) implements Command {}

  public sealed interface Event permits Added {}

  public record Added(long delta) implements Event {}

  /** The effect payload: which count the add reached. */
  public record Reached(long count) {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder(NAME, new EffectCounterEntity(), State.class, Command.class, Event.class)
          .types(Reached.class)
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
        .effect(DISPATCH_HANDLER, new Reached(Math.addExact(state.count(), a.delta())));
  }

  @Override
  public State apply(Event event, State state) {
    return new State(Math.addExact(state.count(), ((Added) event).delta()));
  }
}
