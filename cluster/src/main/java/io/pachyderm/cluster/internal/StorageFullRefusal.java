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
  /** Cause chains are walked at most this deep: a cyclic or absurd chain cannot hang the caller. */
  private static final int CAUSE_DEPTH_MAX = 16;

  public StorageFullRefusal(String message) {
    super(message);
  }

  /**
   * The caller's exception when {@code failure} (or a cause of it) is a storage-full refusal, else
   * null. Ratis' write reply carries this class's name and the message, and Ratis' client rebuilds
   * this class as the cause of its own {@link StateMachineException}: the typed path, matched by
   * type ({@code StorageFullWireTest} in the client). Where that cause is missing, Ratis' message
   * "{@code <this class's name> from Server <member>: <our message>}" still names it. Either way the
   * name is on the wire (Ratis' reply has no field for an identifier of ours, unlike the trailer
   * {@link NodeRefusals} uses): this class must keep its package and name.
   */
  public static StorageFullException storageFull(Throwable failure) {
    // The rebuilt refusal first, anywhere in the chain; Ratis' message text only without one.
    Throwable t = failure;
    for (int depth = 0; t != null && depth < CAUSE_DEPTH_MAX; depth++, t = next(t)) {
      if (t instanceof StorageFullRefusal refusal) {
        return new StorageFullException(refusal.getMessage(), refusal);
      }
    }
    String marker = StorageFullRefusal.class.getName();
    t = failure;
    for (int depth = 0; t != null && depth < CAUSE_DEPTH_MAX; depth++, t = next(t)) {
      String text = t instanceof StateMachineException ? String.valueOf(t.getMessage()) : "";
      int at = text.indexOf(marker);
      if (at >= 0) {
        int colon = text.indexOf(": ", at + marker.length());
        return new StorageFullException(colon < 0 ? text : text.substring(colon + 2), t);
      }
    }
    return null;
  }

  /** The cause, or null at the end of the chain (or where a cause is itself, as some libraries set). */
  private static Throwable next(Throwable t) {
    return t.getCause() == t ? null : t.getCause();
  }
}
