package io.pachyderm.chaos.history;

import java.util.regex.Pattern;

/**
 * Operations that failed because a node's disk was full, by the error text the history recorded
 * (the client's exception class and message): the "node refused writes N times" of a storage
 * run's summary. Counted by text because the driver keeps only text, and because the count must
 * also catch a full disk that reached the client under another type (an outcome-unknown error
 * whose message says "No space left on device"). Whether such an operation was a definite
 * failure (FAIL) or of unknown outcome (INFO) is the driver's decision by exception type; this
 * only counts each kind.
 *
 * @param definite FAIL operations: the error said nothing was written
 * @param unknown INFO operations: the outcome is unknown
 */
public record StorageFullErrors(long definite, long unknown) {
  /** Words a storage-full error carries: an exception or rejection kind, or the OS's ENOSPC text. */
  public static final Pattern TEXT = Pattern.compile(
      "(?i)storage[ _-]?full|disk[ _-]?full|no space left|free[ -]space|ENOSPC");

  /** Counts the completions in {@code history} whose error matches {@link #TEXT}. */
  public static StorageFullErrors in(History history) {
    long definite = 0;
    long unknown = 0;
    for (Op op : history.ops()) {
      if (op.error() == null || !TEXT.matcher(op.error()).find()) {
        continue;
      }
      if (op.type() == OpType.FAIL) {
        definite++;
      } else if (op.type() == OpType.INFO) {
        unknown++;
      }
    }
    return new StorageFullErrors(definite, unknown);
  }

  /** {@code 12 (definite failures 10, outcome unknown 2)}, for the summary. */
  @Override
  public String toString() {
    return (definite + unknown) + " (definite failures " + definite + ", outcome unknown " + unknown + ")";
  }
}
