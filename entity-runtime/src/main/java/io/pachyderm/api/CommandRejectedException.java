package io.pachyderm.api;

/**
 * The command was refused and wrote nothing; {@link #kind()} says why. Retrying gives the same answer.
 *
 * <p>{@link #getMessage()} is the whole story for a log line, {@code "KIND: detail"} (e.g.
 * {@code "REJECTED_BY_ENTITY: increment must be positive, was -5"}); {@link #detail()} is the
 * detail alone. So print one of {@code getMessage()} or {@code kind() + ": " + detail()}, not
 * {@code kind()} next to {@code getMessage()}, which names the kind twice.
 */
public final class CommandRejectedException extends PachydermException {
  private static final long serialVersionUID = 1L;
  private final RejectionKind kind;
  private final String detail;

  /** {@code detail}: what was refused and why, without the kind (it is prefixed here). */
  public CommandRejectedException(RejectionKind kind, String detail) {
    super(kind + ": " + detail);
    this.kind = kind;
    this.detail = detail;
  }

  public RejectionKind kind() {
    return kind;
  }

  /** The message without the kind in front. */
  public String detail() {
    return detail;
  }
}
