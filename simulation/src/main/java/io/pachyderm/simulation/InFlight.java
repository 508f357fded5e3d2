package io.pachyderm.simulation;

import io.pachyderm.codec.Encoded;
import io.pachyderm.runtime.EntityKey;
import java.util.Objects;

/**
 * Something on its way to an entity: a client command, a message from another entity, or a
 * timer. {@code id} orders items by creation; it never enters a world's fingerprint, so two
 * schedules that reach the same states and the same traffic reach the same world.
 *
 * @param from the sending entity (messages), the timer's owner (timers), null for client commands
 * @param timerName the timer's name (timers only)
 * @param dueMs when a timer comes due on the simulated clock (timers only)
 * @param seq the item's sequence number in its source's outbox, as the replica assigned it (messages
 *     and timers; 0 for client commands): what the node's delivery and timer fire name it by, and
 *     what the handler's random seed is drawn from on delivery
 */
public record InFlight(long id, Kind kind, EntityKey from, EntityKey to, Encoded command, String timerName,
                       long dueMs, long seq) {
  public enum Kind { COMMAND, MESSAGE, TIMER }

  /** An item without an outbox sequence number (a client command). */
  public InFlight(long id, Kind kind, EntityKey from, EntityKey to, Encoded command, String timerName, long dueMs) {
    this(id, kind, from, to, command, timerName, dueMs, 0);
  }

  public InFlight {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(command, "command");
    if (kind == Kind.MESSAGE) {
      Objects.requireNonNull(from, "from");
    }
    if (kind == Kind.TIMER) {
      Objects.requireNonNull(timerName, "timerName");
    }
  }

  /** A human-readable line for traces: {@code message counter/a -> counter/b Increment {"by":1}}. */
  public String describe() {
    String body = command.type() + " " + new String(command.data(), java.nio.charset.StandardCharsets.UTF_8);
    return switch (kind) {
      case COMMAND -> "command client -> " + ref(to) + " " + body;
      case MESSAGE -> "message " + ref(from) + " -> " + ref(to) + " " + body;
      case TIMER -> "timer '" + timerName + "' of " + ref(from) + " -> " + ref(to) + " " + body + " (due "
          + dueMs + " ms)";
    };
  }

  static String ref(EntityKey key) {
    return key.type() + "/" + key.id();
  }
}
