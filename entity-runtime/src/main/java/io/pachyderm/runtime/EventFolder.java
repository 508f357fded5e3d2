package io.pachyderm.runtime;

import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import java.util.List;

/**
 * Folds committed events into an entity's state on the apply path. Deterministic given
 * deterministic {@code apply}: decodes each event with the type's codec and applies it in order.
 */
public final class EventFolder {
  private EventFolder() {}

  /** The state and version after {@code events}. */
  public record Folded(Object state, long version) {}

  /**
   * @throws EventApplyException if an event cannot be decoded or {@code apply} throws; on a replica
   *     this means the code differs from the leader's, which must stop the replica
   */
  public static Folded fold(EntityType<?, ?, ?> type, Object state, long version, List<Encoded> events) {
    Object current = state;
    long v = version;
    for (Encoded event : events) {
      Object decoded;
      try {
        decoded = type.codec().decode(event);
      } catch (RuntimeException e) {
        throw new EventApplyException("cannot decode event " + event.type() + " v" + event.schemaVersion()
            + " of entity type " + type.name() + " at version " + v + ": " + e.getMessage(), e);
      }
      current = applyOne(type, decoded, current, v);
      v++;
    }
    return new Folded(current, v);
  }

  @SuppressWarnings("unchecked")
  static Object applyOne(EntityType<?, ?, ?> type, Object event, Object state, long version) {
    Entity<Object, Object, Object> entity = (Entity<Object, Object, Object>) type.entity();
    if (!type.eventClass().isInstance(event)) {
      throw new EventApplyException("event " + event.getClass().getName() + " is not a "
          + type.eventClass().getName() + " (entity type " + type.name() + ")");
    }
    Object next;
    try {
      next = entity.apply(event, state);
    } catch (RuntimeException e) {
      throw new EventApplyException("apply(" + event.getClass().getSimpleName() + ") of entity type "
          + type.name() + " at version " + version + " threw " + e, e);
    }
    if (next == null) {
      throw new EventApplyException("apply(" + event.getClass().getSimpleName() + ") of entity type "
          + type.name() + " returned null state");
    }
    return next;
  }

  /** Decoding or applying a committed event failed. */
  public static final class EventApplyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EventApplyException(String message) {
      super(message);
    }

    public EventApplyException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
