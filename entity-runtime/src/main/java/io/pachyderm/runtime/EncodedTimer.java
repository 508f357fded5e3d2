package io.pachyderm.runtime;

import io.pachyderm.codec.Encoded;
import java.util.Objects;

/**
 * A timer operation as it sits in a log record. A schedule carries the target, the command
 * encoded by the target's codec and the due time the leader computed; a cancel only the name.
 */
public record EncodedTimer(String name, EntityKey target, Encoded command, long dueMs, boolean cancel) {
  public EncodedTimer {
    Objects.requireNonNull(name, "name");
    if (!cancel) {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(command, "command");
    }
  }

  public static EncodedTimer schedule(String name, EntityKey target, Encoded command, long dueMs) {
    return new EncodedTimer(name, target, command, dueMs, false);
  }

  public static EncodedTimer cancelled(String name) {
    return new EncodedTimer(name, null, null, 0, true);
  }
}
