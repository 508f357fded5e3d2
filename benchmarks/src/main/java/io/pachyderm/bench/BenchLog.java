package io.pachyderm.bench;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import java.util.ArrayList;
import java.util.List;

/**
 * An entity whose one command emits a chosen number of small events: the journal benchmarks use it
 * to put many events on the apply path per command (and per log entry) without more client calls.
 * Its state counts the events applied, so a run can check that every event of every successful
 * call was applied once.
 */
final class BenchLog implements Entity<BenchLog.State, BenchLog.Command, BenchLog.Event> {
  /** One command emits at most this many events; keeps a record far below the 1 MiB record limit. */
  static final int EVENTS_PER_COMMAND_MAX = 1_000;

  record State(long events) {}

  sealed interface Command permits Append {}

  /** Emits {@code events} events, numbered on from the entity's count. */
  record Append(int events) implements Command {}

  sealed interface Event permits Appended {}

  /** The {@code n}-th event of this entity (1-based). */
  record Appended(long n) implements Event {}

  static final EntityType<State, Command, Event> TYPE =
      EntityType.builder("bench-log", new BenchLog(), State.class, Command.class, Event.class).build();

  @Override
  public State initial(String id) {
    return new State(0);
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    Append a = (Append) command;
    if (a.events() < 1 || a.events() > EVENTS_PER_COMMAND_MAX) {
      return Decision.reject("events must be 1.." + EVENTS_PER_COMMAND_MAX + ", was " + a.events());
    }
    List<Event> events = new ArrayList<>(a.events());
    for (int i = 1; i <= a.events(); i++) {
      events.add(new Appended(state.events() + i));
    }
    return Decision.emit(events);
  }

  @Override
  public State apply(Event event, State state) {
    return new State(state.events() + 1);
  }
}
