package io.pachyderm.api;

/**
 * The leader refused the request because its storage is below its free-space reserve (the node's
 * {@code diskReserveBytes}, CLI {@code --disk-reserve}): nothing the request carried was written.
 * Retryable: the same request (same request id) succeeds once space is freed or another node with
 * space leads. {@link #getMessage()} names the node, the directory, its free bytes and the reserve.
 * Reads are not refused.
 */
public final class StorageFullException extends PachydermException {
  private static final long serialVersionUID = 1L;

  public StorageFullException(String message) {
    super(message);
  }

  public StorageFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
