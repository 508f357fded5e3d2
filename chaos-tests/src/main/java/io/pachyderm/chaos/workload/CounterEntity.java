package io.pachyderm.chaos.workload;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;

/** A counter that only grows: the entity of the counter workload (adds and reads). */
public final class CounterEntity implements Entity<CounterEntity.State, CounterEntity.Command, CounterEntity.Event> {
  public static final String NAME = "counter";

  public record State(long count) {}

  public sealed interface Command permits Add {}

  public record Add(long delta) implements Command {}

  public sealed interface Event permits Added {}

  public record Added(long delta) implements Event {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder(NAME, new CounterEntity(), State.class, Command.class, Event.class).build();

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
    return Decision.emit(new Added(a.delta()));
  }

  @Override
  public State apply(Event event, State state) {
    return new State(Math.addExact(state.count(), ((Added) event).delta()));
  }
}
