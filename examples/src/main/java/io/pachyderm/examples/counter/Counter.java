package io.pachyderm.examples.counter;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;

/**
 * The seed's counter: an event-sourced entity that tells the admins (an effect, dispatched after
 * commit) when its count reaches {@link #THRESHOLD}.
 */
public final class Counter implements Entity<Counter.State, Counter.Command, Counter.Event> {
  public static final long THRESHOLD = 10;
  public static final String ADMIN_MAILER = "admin-mailer";

  public record State(long count) {}

  public sealed interface Command permits Increment, Reset {}

  public record Increment(long by) implements Command {}

  public record Reset() implements Command {}

  public sealed interface Event permits Increased, WasReset {}

  public record Increased(long by) implements Event {}

  public record WasReset() implements Event {}

  /** Effect payload for the admin mailer. */
  public record ThresholdReached(String counter, long count) {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder("counter", new Counter(), State.class, Command.class, Event.class)
          .types(ThresholdReached.class)
          .build();

  @Override
  public State initial(String id) {
    return new State(0);
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    if (command instanceof Increment inc) {
      if (inc.by() <= 0) {
        return Decision.reject("increment must be positive, was " + inc.by());
      }
      long next = state.count() + inc.by();
      boolean crossed = state.count() < THRESHOLD && next >= THRESHOLD;
      return Decision.<Event>emit(new Increased(inc.by()))
          .effectIf(crossed, ADMIN_MAILER, new ThresholdReached(ctx.id(), next));
    }
    return Decision.emit(new WasReset());
  }

  @Override
  public State apply(Event event, State state) {
    if (event instanceof Increased inc) {
      return new State(Math.addExact(state.count(), inc.by()));
    }
    return new State(0);
  }
}
