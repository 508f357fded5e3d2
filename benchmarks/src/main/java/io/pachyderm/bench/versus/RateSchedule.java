package io.pachyderm.bench.versus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * When each call of an open-loop phase is meant to start: call i at {@code startNs + i / rate}.
 * Computed from the index, never by adding an interval to the previous time, so the schedule does
 * not drift however many calls it has. Immutable.
 *
 * @param ratePerS offered calls per second, > 0
 * @param calls calls in the phase: {@code rate × duration}, capped by the phase's call limit
 */
record RateSchedule(double ratePerS, long calls) {
  /** An offered rate above this is a typo, not a benchmark (it would need sub-microsecond spacing). */
  static final double RATE_PER_S_MAX = 1_000_000;

  RateSchedule {
    if (!(ratePerS > 0 && ratePerS <= RATE_PER_S_MAX)) {
      throw new IllegalArgumentException("offered rate must be in (0, " + (long) RATE_PER_S_MAX + "] calls/s, was "
          + ratePerS);
    }
    if (calls < 1) {
      throw new IllegalArgumentException("an open-loop phase needs at least one call, had " + calls);
    }
  }

  /** The schedule of {@code ratePerS} for {@code duration}, at most {@code callsMax} calls (at least one). */
  static RateSchedule of(double ratePerS, Duration duration, long callsMax) {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("an open-loop phase needs a positive duration, was " + duration);
    }
    long calls = (long) Math.floor(ratePerS * duration.toNanos() / 1e9);
    return new RateSchedule(ratePerS, Math.max(1, Math.min(calls, callsMax)));
  }

  /** The intended start of call {@code i} (0-based), in the nanoTime scale of {@code startNs}. */
  long intendedNs(long startNs, long i) {
    if (i < 0 || i >= calls) {
      throw new IndexOutOfBoundsException("call " + i + " of a schedule of " + calls);
    }
    return startNs + (long) Math.floor(i * (1e9 / ratePerS));
  }

  /** How long the schedule lasts from the first intended start to the last, in nanoseconds. */
  long spanNs() {
    return intendedNs(0, calls - 1);
  }

  /**
   * The offered rates of a sweep: {@code percents} of {@code maxPerS} (the closed loop's rate),
   * in the order given. Each percent must be 1..1000.
   */
  static List<Double> sweep(double maxPerS, List<Integer> percents) {
    if (!(maxPerS > 0)) {
      throw new IllegalArgumentException("the sweep's reference rate must be > 0 calls/s, was " + maxPerS
          + " (did the closed loop measure nothing?)");
    }
    if (percents.isEmpty()) {
      throw new IllegalArgumentException("a sweep needs at least one percent");
    }
    List<Double> rates = new ArrayList<>(percents.size());
    for (int p : percents) {
      if (p < 1 || p > 1000) {
        throw new IllegalArgumentException("a sweep's percent must be 1..1000, was " + p);
      }
      rates.add(maxPerS * p / 100.0);
    }
    return rates;
  }
}
