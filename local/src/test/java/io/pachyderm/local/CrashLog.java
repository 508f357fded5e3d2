package io.pachyderm.local;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;

/** An append log for crash tests: each event appends one element; the state counts and sums them. */
final class CrashLog implements Entity<CrashLog.State, CrashLog.Append, CrashLog.Appended> {
  record State(long count, long sum) {}

  record Append(long element) {}

  record Appended(long element) {}

  static final EntityType<State, Append, Appended> TYPE =
      EntityType.builder("crash-log", new CrashLog(), State.class, Append.class, Appended.class).build();

  @Override
  public State initial(String id) {
    return new State(0, 0);
  }

  @Override
  public Decision<Appended> handle(Append command, State state, Context ctx) {
    return Decision.emit(new Appended(command.element()));
  }

  @Override
  public State apply(Appended event, State state) {
    return new State(state.count() + 1, state.sum() + event.element());
  }
}
