package io.pachyderm.runtime;

import io.pachyderm.api.Change;
import io.pachyderm.api.Follow;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.entity.EntityType;
import java.util.List;

/**
 * Turns an entity's events, read in version order, into the {@link Change}s a {@link Follow}
 * returns: checks that each event is the next version, folds the state with the entity type's own
 * {@code apply} when states are wanted, and holds back the events before {@code fromVersion} (a
 * follow with states from {@code v > 1} must fold versions {@code 1..v-1} first). Shared by the
 * follows of every ecosystem. Not thread-safe.
 */
public final class ChangeFolder<S> {
  private final EntityType<?, ?, ?> type;
  private final boolean withStates;
  private final long fromVersion;
  private long next;
  private Object state;

  /**
   * @param fromVersion the first version to return (>= 1), or {@link Follow#FROM_CURRENT}: then
   *     call {@link #startAt} with the current state before the first event
   */
  public ChangeFolder(EntityType<?, ?, ?> type, String id, long fromVersion, boolean withStates) {
    if (fromVersion < 0) {
      throw new IllegalArgumentException("fromVersion must be >= 1, or Follow.FROM_CURRENT (0), was " + fromVersion);
    }
    this.type = type;
    this.withStates = withStates;
    this.fromVersion = fromVersion;
    // With states, the fold starts at the first event; without, reading starts where returning does.
    this.next = withStates || fromVersion == Follow.FROM_CURRENT ? 1 : fromVersion;
    this.state = withStates ? CommandExecutor.initialState(type, id) : null;
  }

  /** Starts from the entity's current {@code state} at {@code version}; returns the starting change. */
  @SuppressWarnings("unchecked")
  public Change<S> startAt(long version, Object currentState) {
    if (fromVersion != Follow.FROM_CURRENT) {
      throw new IllegalStateException("startAt is for follows from the current state");
    }
    next = version + 1;
    state = withStates ? currentState : null;
    return new Change<>(version, null, (S) currentState);
  }

  /** The version the next event must have. */
  public long next() {
    return next;
  }

  /**
   * Takes the next event: returns its change, or null when it lies before {@code fromVersion}
   * (folded only).
   *
   * @throws IllegalArgumentException if {@code event} is not version {@link #next()}
   */
  @SuppressWarnings("unchecked")
  public Change<S> take(HistoryEvent event) {
    if (event.version() != next) {
      throw new IllegalArgumentException("expected version " + next + ", got " + event.version());
    }
    if (withStates) {
      state = EventFolder.fold(type, state, next - 1, List.of(event.encoded())).state();
    }
    next++;
    return event.version() >= fromVersion ? new Change<>(event.version(), event, withStates ? (S) state : null) : null;
  }
}
