package io.pachyderm.api;

/** Base of every error Pachyderm reports to callers. */
public class PachydermException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PachydermException(String message) {
    super(message);
  }

  public PachydermException(String message, Throwable cause) {
    super(message, cause);
  }
}
