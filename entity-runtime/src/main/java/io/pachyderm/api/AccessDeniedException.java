package io.pachyderm.api;

/**
 * A node refused the caller: its certificate names no identity the node's authorization policy
 * allows this operation in this ecosystem, or its token is missing or wrong. Nothing the request
 * carried was written or read. Retrying gives the same answer until the policy, certificate or token
 * changes. {@link #getMessage()} is the node's description: which node, the status
 * (PERMISSION_DENIED or UNAUTHENTICATED), the identity, the operation and the ecosystem.
 */
public final class AccessDeniedException extends PachydermException {
  private static final long serialVersionUID = 1L;

  public AccessDeniedException(String message) {
    super(message);
  }

  public AccessDeniedException(String message, Throwable cause) {
    super(message, cause);
  }
}
