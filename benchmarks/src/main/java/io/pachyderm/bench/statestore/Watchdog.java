package io.pachyderm.bench.statestore;

/**
 * Decides whether a benchmark child is still making progress, from the calls it reports as
 * completed, and how its run ended. Pure: the caller passes the time in (nanoseconds from any
 * one monotonic clock), so tests drive it. Not thread-safe: one reader thread feeds it.
 *
 * <p>Why a watchdog: the in-heap store with a small heap does not always die of
 * {@code OutOfMemoryError}. Near its limit the JVM can spend all its time collecting while each
 * collection frees just enough to go on, and the node then completes no call for many minutes
 * while the process stays up (issue 14 measured 12 minutes at 835,147 entities with 512 MB). The
 * benchmark reports that as the result instead of waiting for it.
 */
final class Watchdog {
  private final long stallNs;
  private long doneCalls = -1;
  private long lastProgressNs;

  /**
   * @param stallMs how long without a completed call counts as stalled; at least 1
   * @param startNs when the child started: the first report must come within {@code stallMs} of it
   */
  Watchdog(long stallMs, long startNs) {
    if (stallMs < 1) {
      throw new IllegalArgumentException("stall limit must be >= 1 ms: " + stallMs);
    }
    this.stallNs = stallMs * 1_000_000L;
    this.lastProgressNs = startNs;
  }

  /** The child reported {@code calls} completed so far (a count that never decreases) at {@code nowNs}. */
  void progress(long calls, long nowNs) {
    if (calls > doneCalls) {
      doneCalls = calls;
      lastProgressNs = nowNs;
    }
  }

  /** Whether no call completed for the stall limit or longer before {@code nowNs}. */
  boolean stalled(long nowNs) {
    return nowNs - lastProgressNs >= stallNs;
  }

  /** Calls the child reported completed, 0 before its first report. */
  long doneCalls() {
    return Math.max(0, doneCalls);
  }

  /**
   * How the child's run ended.
   *
   * @param killedForStall the watchdog killed it after {@link #stalled}
   * @param exitCode the child's exit code (when killed: whatever the kill gave)
   * @param finished the child printed its last result line
   */
  Verdict verdict(boolean killedForStall, int exitCode, boolean finished) {
    if (killedForStall) {
      return new Verdict.Stalled(doneCalls(), stallNs / 1_000_000_000L);
    }
    if (exitCode == 0 && finished) {
      return new Verdict.Completed();
    }
    if (exitCode == OUT_OF_MEMORY_EXIT) {
      return new Verdict.OutOfMemory(doneCalls());
    }
    return new Verdict.Failed(exitCode, doneCalls());
  }

  /** -XX:+ExitOnOutOfMemoryError (run.sh's flags, passed on to every child) exits with 3. */
  static final int OUT_OF_MEMORY_EXIT = 3;

  /** How a child's run ended, as printed in the tables' last column. */
  sealed interface Verdict {
    /** Short text for a table cell. */
    String cell();

    /** Everything the child was asked to do was done. */
    record Completed() implements Verdict {
      @Override
      public String cell() {
        return "completed";
      }
    }

    /** No call completed for {@code stallS} seconds: killed. */
    record Stalled(long doneCalls, long stallS) implements Verdict {
      @Override
      public String cell() {
        return String.format(java.util.Locale.ROOT, "STALLED: no call completed for %d s after %,d calls; killed",
            stallS, doneCalls);
      }
    }

    /** The child's heap ran out (it exited through -XX:+ExitOnOutOfMemoryError). */
    record OutOfMemory(long doneCalls) implements Verdict {
      @Override
      public String cell() {
        return String.format(java.util.Locale.ROOT, "OUT OF MEMORY after %,d calls", doneCalls);
      }
    }

    /** Any other end before the last result: the child's stderr says why. */
    record Failed(int exitCode, long doneCalls) implements Verdict {
      @Override
      public String cell() {
        return String.format(java.util.Locale.ROOT, "FAILED: exit %d after %,d calls (its stderr above)",
            exitCode, doneCalls);
      }
    }
  }
}
