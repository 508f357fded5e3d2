package io.pachyderm.cluster.internal;

import org.apache.ratis.protocol.exceptions.StateMachineException;

/**
 * How a node's refusal of a client request (authorization policy, token) reaches the client through
 * Ratis' gRPC client: the node closes the call with PERMISSION_DENIED or UNAUTHENTICATED and names
 * this class in Ratis' exception-type trailer, and Ratis' client rebuilds it from the status
 * description. A {@link StateMachineException} because Ratis' blocking client rethrows those at once
 * instead of retrying, so the caller hears the refusal now and not as a timeout after retries.
 * The client turns it into {@link io.pachyderm.api.AccessDeniedException}.
 */
public final class NodeRefusalException extends StateMachineException {
  private static final long serialVersionUID = 1L;

  /** Ratis' client instantiates it through this constructor (reflection): keep it. */
  public NodeRefusalException(String message) {
    super(message);
  }

  /** The caller's exception when {@code failure} (or a cause of it) is a node's refusal, else null. */
  public static io.pachyderm.api.AccessDeniedException accessDenied(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof NodeRefusalException refusal) {
        return new io.pachyderm.api.AccessDeniedException(refusal.getMessage(), refusal);
      }
    }
    return null;
  }
}
