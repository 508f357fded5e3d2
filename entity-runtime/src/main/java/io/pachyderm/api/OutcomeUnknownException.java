package io.pachyderm.api;

/**
 * No answer arrived in time (timeout, no reachable leader, connection lost). The command may have
 * been committed before the failure, or not at all.
 */
public final class OutcomeUnknownException extends PachydermException {
  private static final long serialVersionUID = 1L;

  public OutcomeUnknownException(String message) {
    super(message);
  }

  public OutcomeUnknownException(String message, Throwable cause) {
    super(message, cause);
  }
}
