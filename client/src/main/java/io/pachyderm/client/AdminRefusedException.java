package io.pachyderm.client;

import io.pachyderm.api.PachydermException;

/**
 * The cluster refused an {@link Admin} action, and nothing changed: it is not allowed now (say, no
 * leader to step down, or a journal kept forever), or the caller may not administer the cluster.
 * The message says which and what would allow it.
 */
public final class AdminRefusedException extends PachydermException {
  private static final long serialVersionUID = 1L;

  public AdminRefusedException(String message) {
    super(message);
  }

  public AdminRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
