package io.pachyderm.api;

import io.pachyderm.entity.EntityRef;
import java.util.Objects;

/**
 * What made an entity emit an event: a client's command, a message from another entity, or one
 * of its timers. Recorded in the log entry, so every node reports the same causation.
 */
public sealed interface Causation {

  /**
   * A client command. {@code requestId} is the client's request id as {@code client/sequence}
   * (the client's 128-bit id in hex, then the request's number in that client).
   */
  record Request(String requestId) implements Causation {
    public Request {
      Objects.requireNonNull(requestId, "requestId");
    }
  }

  /** The delivery of message number {@code seq} from {@code source} (same ecosystem). */
  record Message(EntityRef<Object, Object> source, long seq) implements Causation {
    public Message {
      Objects.requireNonNull(source, "source");
    }
  }

  /** The timer {@code name} of {@code owner}, scheduled as number {@code seq} of the owner's outbox. */
  record Timer(EntityRef<Object, Object> owner, String name, long seq) implements Causation {
    public Timer {
      Objects.requireNonNull(owner, "owner");
      Objects.requireNonNull(name, "name");
    }
  }

  /** The textual request id of a client request, as {@link Request#requestId()} shows it. */
  static String requestId(long clientHi, long clientLo, long sequence) {
    return String.format("%016x%016x/%d", clientHi, clientLo, sequence);
  }
}
