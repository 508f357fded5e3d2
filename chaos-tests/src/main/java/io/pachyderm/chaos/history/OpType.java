package io.pachyderm.chaos.history;

/**
 * The kind of a history entry, with Jepsen's meaning.
 *
 * <ul>
 *   <li>{@link #INVOKE} — a client started an operation.
 *   <li>{@link #OK} — the operation took effect; for a read, the value read is known.
 *   <li>{@link #FAIL} — the operation definitely did not take effect.
 *   <li>{@link #INFO} — the outcome is unknown (typically a timeout or a lost connection): the
 *       operation may have taken effect at any moment after its invocation — even long after the
 *       client gave up — or never. The server may have accepted the request before the failure.
 * </ul>
 */
public enum OpType {
  INVOKE,
  OK,
  FAIL,
  INFO;

  /** True for the three completion types. */
  public boolean isCompletion() {
    return this != INVOKE;
  }
}
