package io.pachyderm.bench.versus;

import java.util.Locale;

/**
 * One point of a throughput–latency curve: a system under one workload at one offered rate, open
 * loop, latencies from the intended start of each call (coordinated omission corrected).
 *
 * @param offeredPerS calls per second the schedule issued
 * @param achievedPerS successful calls per second, first intended start to last completion
 * @param p50Ms median latency of a successful call
 * @param ok successful calls
 * @param errors failed, timed-out or unanswered calls
 * @param lateStarts calls the load generator issued more than 1 ms late (it fell behind, not the system)
 */
record CurvePoint(String system, String workload, double offeredPerS, double achievedPerS, double p50Ms,
                  double p99Ms, double p999Ms, double maxMs, long ok, long errors, long lateStarts) {
  static final String TSV_HEADER = "system\tworkload\toffered_per_s\tachieved_per_s\tp50_ms\tp99_ms\tp999_ms\tmax_ms"
      + "\tok\terrors\tlate_starts";
  private static final int FIELDS = 11;

  CurvePoint {
    if (system.isBlank() || workload.isBlank() || system.contains("\t") || workload.contains("\t")) {
      throw new IllegalArgumentException("system and workload must be non-blank labels without tabs");
    }
    if (!(offeredPerS > 0)) {
      throw new IllegalArgumentException("offeredPerS must be > 0, was " + offeredPerS);
    }
  }

  static CurvePoint of(String system, String workload, OpenLoop.Measured m) {
    return new CurvePoint(system, workload, m.offeredPerS(), m.achievedPerS(),
        m.latencyUs().getValueAtPercentile(50) / 1000.0, m.latencyUs().getValueAtPercentile(99) / 1000.0,
        m.latencyUs().getValueAtPercentile(99.9) / 1000.0, m.latencyUs().getMaxValue() / 1000.0, m.ok(), m.errors(),
        m.lateStarts());
  }

  String toTsv() {
    return String.format(Locale.ROOT, "%s\t%s\t%.1f\t%.1f\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%d\t%d", system, workload,
        offeredPerS, achievedPerS, p50Ms, p99Ms, p999Ms, maxMs, ok, errors, lateStarts);
  }

  /** Parses a line written by {@link #toTsv()}; a malformed line is an error that quotes it. */
  static CurvePoint fromTsv(String line) {
    String[] f = line.split("\t", -1);
    if (f.length != FIELDS) {
      throw new IllegalArgumentException("a curve line needs " + FIELDS + " tab-separated fields, had " + f.length
          + ": " + line);
    }
    try {
      return new CurvePoint(f[0], f[1], Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]),
          Double.parseDouble(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]), Long.parseLong(f[8]),
          Long.parseLong(f[9]), Long.parseLong(f[10]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a curve line has a malformed number (" + e.getMessage() + "): " + line, e);
    }
  }
}
