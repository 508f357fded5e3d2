package io.pachyderm.api;

/**
 * A call was retried so late that the nodes no longer keep its reply: the command <em>was</em>
 * applied, once, at {@link #appliedVersion()}, and was not run again. Only the newest replies are
 * kept for de-duplication (a bound in bytes on the node); an older request keeps only the version
 * it was applied at. Read the entity to see its state now.
 */
public final class ReplyForgottenException extends PachydermException {
  private static final long serialVersionUID = 1L;

  private final long appliedVersion;

  public ReplyForgottenException(String message, long appliedVersion) {
    super(message);
    this.appliedVersion = appliedVersion;
  }

  /** The entity's version right after the command was applied. */
  public long appliedVersion() {
    return appliedVersion;
  }
}
