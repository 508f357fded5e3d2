package io.pachyderm.api;

/**
 * One item of a {@link Follow}: either the entity's state when following began ({@link #event()}
 * is null), or one committed event with the version it produced.
 *
 * @param version the entity's version after this change
 * @param event the event, or null for the starting state
 * @param state the state after this change; null when the follow was opened without states
 */
public record Change<S>(long version, HistoryEvent event, S state) {
  public Change {
    if (event != null && event.version() != version) {
      throw new IllegalArgumentException("change version " + version + " differs from its event's " + event.version());
    }
    if (event == null && state == null) {
      throw new IllegalArgumentException("a starting-state change needs the state");
    }
  }

  /** Whether this is the state the follow started from rather than an event. */
  public boolean isStartingState() {
    return event == null;
  }
}
