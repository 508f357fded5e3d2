package io.pachyderm.api;

import io.pachyderm.codec.Encoded;
import java.time.Instant;
import java.util.Objects;

/**
 * One committed event of an entity, with the metadata the node's event journal keeps.
 *
 * @param version the entity's version after this event (the first event is version 1)
 * @param event the event, decoded by the entity type's codec
 * @param encoded the event as stored (type name, schema version, codec bytes)
 * @param logIndex the Raft log index of the entry that carried the event
 * @param term the Raft term of that entry
 * @param timestamp the leader's clock when it handled the command (recorded in the entry)
 * @param causation the request, message or timer that caused the event
 */
public record HistoryEvent(long version, Object event, Encoded encoded, long logIndex, long term, Instant timestamp,
                           Causation causation) {
  public HistoryEvent {
    if (version < 1) {
      throw new IllegalArgumentException("event version must be >= 1, was " + version);
    }
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(encoded, "encoded");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(causation, "causation");
  }

  /** The event's registered type name (stable across class renames). */
  public String eventType() {
    return encoded.type();
  }

  /** The schema version the event was written with. */
  public int schemaVersion() {
    return encoded.schemaVersion();
  }

  /** The event as {@code type}. @throws ClassCastException naming both types on mismatch */
  public <E> E event(Class<E> type) {
    if (!type.isInstance(event)) {
      throw new ClassCastException("event v" + version + " is a " + event.getClass().getName() + ", not a "
          + type.getName());
    }
    return type.cast(event);
  }
}
