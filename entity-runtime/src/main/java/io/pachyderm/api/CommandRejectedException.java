package io.pachyderm.api;

/** The command was refused and wrote nothing; {@link #kind()} says why. Retrying gives the same answer. */
public final class CommandRejectedException extends PachydermException {
  private static final long serialVersionUID = 1L;
  private final RejectionKind kind;

  public CommandRejectedException(RejectionKind kind, String message) {
    super(kind + ": " + message);
    this.kind = kind;
  }

  public RejectionKind kind() {
    return kind;
  }
}
