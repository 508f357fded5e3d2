package io.pachyderm.cluster.internal;

import io.pachyderm.api.StorageFullException;
import org.apache.ratis.protocol.exceptions.StateMachineException;

/**
 * How a leader's "storage below its reserve" refusal of a write reaches the client: the node fails
 * the transaction with it before anything is appended, Ratis carries it (as the cause of its own
 * {@link StateMachineException}) in the reply, and the client turns it into
 * {@link StorageFullException} instead of retrying until the outcome is unknown. A
 * {@code StateMachineException} because Ratis' client returns those at once instead of retrying.
 */
public final class StorageFullRefusal extends StateMachineException {
  private static final long serialVersionUID = 1L;

  public StorageFullRefusal(String message) {
    super(message);
  }

  /**
   * The caller's exception when {@code failure} (or a cause of it) is a storage-full refusal, else
   * null. Over gRPC Ratis sends its own {@link StateMachineException} with the message
   * "{@code <this class's name> from Server <member>: <our message>}" and no cause, so the class
   * name in the message is what identifies it there.
   */
  public static StorageFullException storageFull(Throwable failure) {
    String marker = StorageFullRefusal.class.getName();
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StorageFullRefusal refusal) {
        return new StorageFullException(refusal.getMessage(), refusal);
      }
      String text = t instanceof StateMachineException ? String.valueOf(t.getMessage()) : "";
      int at = text.indexOf(marker);
      if (at >= 0) {
        int colon = text.indexOf(": ", at + marker.length());
        return new StorageFullException(colon < 0 ? text : text.substring(colon + 2), t);
      }
    }
    return null;
  }
}
