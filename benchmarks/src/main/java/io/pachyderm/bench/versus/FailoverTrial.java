package io.pachyderm.bench.versus;

import java.util.List;

/**
 * What one failover trial measured, from the writes of a steady load around the moment the
 * leader was killed. Pure: a function of the calls' times.
 *
 * <p>Definitions (nanoTime scale; "ok" is an acknowledged write):
 * <ul>
 *   <li>first write after the kill: the earliest completion of an ok write <em>started</em> after
 *       the kill, minus the kill (a write already in flight at the kill may have been committed
 *       by the old leader, so it proves nothing about the new one);
 *   <li>unavailability window: that same completion minus the last ok completion at or before
 *       the kill (no write was acknowledged in between).
 * </ul>
 */
final class FailoverTrial {
  private FailoverTrial() {
  }

  /** One write of the load: when it started and ended, and whether it was acknowledged. */
  record Call(long startNs, long endNs, boolean ok) {
    Call {
      if (endNs < startNs) {
        throw new IllegalArgumentException("a call cannot end (" + endNs + ") before it starts (" + startNs + ")");
      }
    }
  }

  /**
   * @param firstWriteMs kill to the first ok write started after it; NaN when none succeeded
   * @param unavailableMs last ok completion before the kill to that first write; NaN when either is missing
   * @param failedCalls writes that failed (errors, timeouts) during the trial
   */
  record Outcome(double firstWriteMs, double unavailableMs, long okCalls, long failedCalls) {
    boolean recovered() {
      return !Double.isNaN(firstWriteMs);
    }
  }

  static Outcome measure(long killNs, List<Call> calls) {
    long lastOkBeforeNs = Long.MIN_VALUE;
    long firstOkAfterNs = Long.MAX_VALUE;
    long ok = 0;
    long failed = 0;
    for (Call c : calls) {
      if (!c.ok()) {
        failed++;
        continue;
      }
      ok++;
      if (c.endNs() <= killNs) {
        lastOkBeforeNs = Math.max(lastOkBeforeNs, c.endNs());
      }
      if (c.startNs() > killNs) {
        firstOkAfterNs = Math.min(firstOkAfterNs, c.endNs());
      }
    }
    if (firstOkAfterNs == Long.MAX_VALUE) {
      return new Outcome(Double.NaN, Double.NaN, ok, failed);
    }
    double first = (firstOkAfterNs - killNs) / 1e6;
    double window = lastOkBeforeNs == Long.MIN_VALUE ? Double.NaN : (firstOkAfterNs - lastOkBeforeNs) / 1e6;
    return new Outcome(first, window, ok, failed);
  }

  /**
   * The median and maximum of a trial figure, over the trials that have it (NaN ones, a trial
   * that never recovered, are counted apart, never as fast).
   *
   * @param p50 the nearest-rank median: the ceil(n/2)-th smallest value (a value that was measured)
   */
  record Summary(int trials, int missing, double p50, double max) {
    static Summary of(List<Double> values) {
      double[] present = values.stream().filter(v -> !Double.isNaN(v)).mapToDouble(Double::doubleValue).sorted()
          .toArray();
      int missing = values.size() - present.length;
      if (present.length == 0) {
        return new Summary(values.size(), missing, Double.NaN, Double.NaN);
      }
      int rank = (present.length + 1) / 2;
      return new Summary(values.size(), missing, present[rank - 1], present[present.length - 1]);
    }
  }
}
