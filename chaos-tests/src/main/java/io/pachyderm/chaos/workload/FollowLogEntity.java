package io.pachyderm.chaos.workload;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;

/**
 * An append log whose state is a digest of its history, not the history itself: the entity of the
 * follow workload. Each event appends one unique element; the state keeps the count, the last
 * element and a rolling hash ({@code hash = 31 * hash + element}, the same recurrence as
 * {@link java.util.List#hashCode}), so a follower's state at version {@code v} can be compared with
 * the fold of the final history's first {@code v} events, and the log has no size limit.
 */
public final class FollowLogEntity implements Entity<FollowLogEntity.State, FollowLogEntity.Command, FollowLogEntity.Event> {
  public static final String NAME = "follow-log";

  /**
   * @param count events applied (the version)
   * @param hash rolling hash of the elements in order, starting at 1
   * @param last the newest element, 0 when there is none
   */
  public record State(long count, long hash, long last) {
    public static final State INITIAL = new State(0, 1, 0);

    /** The state after appending {@code element}: the fold both the entity and the checker use. */
    public State plus(long element) {
      return new State(count + 1, 31 * hash + element, element);
    }
  }

  public sealed interface Command permits Append {}

  public record Append(long element) implements Command {}

  public sealed interface Event permits Appended {}

  public record Appended(long element) implements Event {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder(NAME, new FollowLogEntity(), State.class, Command.class, Event.class).build();

  @Override
  public State initial(String id) {
    return State.INITIAL;
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    return Decision.emit(new Appended(((Append) command).element()));
  }

  @Override
  public State apply(Event event, State state) {
    return state.plus(((Appended) event).element());
  }
}
