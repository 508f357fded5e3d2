package io.pachyderm.entity;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A durable timer operation produced by {@link Decision#schedule} or {@link Decision#cancelTimer}.
 * A timer is named per owning entity: scheduling a name that is already pending replaces it.
 */
public sealed interface TimerRequest {
  /** Longest timer name, in characters. */
  int NAME_LENGTH_MAX = 200;

  String name();

  /**
   * Deliver {@code command} to {@code target} (null: the owner itself) once, at or after the due
   * time: {@code delay} after the leader's clock when {@code handle} ran, or the instant {@code at}.
   * Exactly one of {@code delay} and {@code at} is set.
   */
  record Schedule(String name, EntityRef<?, ?> target, Duration delay, Instant at, Object command)
      implements TimerRequest {
    public Schedule {
      requireValidName(name);
      Objects.requireNonNull(command, "timer command");
      if ((delay == null) == (at == null)) {
        throw new IllegalArgumentException("timer '" + name + "': set exactly one of delay and at");
      }
      if (delay != null && delay.isNegative()) {
        throw new IllegalArgumentException("timer '" + name + "': negative delay " + delay);
      }
    }
  }

  /** Forget the pending timer {@code name}, if any. */
  record Cancel(String name) implements TimerRequest {
    public Cancel {
      requireValidName(name);
    }
  }

  private static void requireValidName(String name) {
    Objects.requireNonNull(name, "timer name");
    if (name.isBlank() || name.length() > NAME_LENGTH_MAX) {
      throw new IllegalArgumentException("timer name must be 1.." + NAME_LENGTH_MAX
          + " characters and not blank, got '" + name + "'");
    }
  }
}
