package io.pachyderm.bench.versus;

import java.util.Locale;

/**
 * One measured row: a system under one workload, closed loop.
 *
 * @param system the system's label (see {@link SystemKind#label()})
 * @param workload the workload's label
 * @param callers closed-loop callers (each waits for its reply before the next call)
 * @param entities entities the calls are spread over
 * @param payloadBytes bytes of payload each update writes
 * @param ops successful updates in the measured phase
 * @param seconds length of the measured phase
 * @param p50Ms median latency of a successful update, conflict retries included
 * @param retries conflicts retried (optimistic systems); 0 where the system serialises updates
 * @param errors failed calls (exceptions, timeouts); not in the latency figures
 */
record Row(String system, String workload, int callers, int entities, int payloadBytes, long ops,
                  double seconds, double p50Ms, double p99Ms, double p999Ms, double maxMs, long retries, long errors) {
  static final String TSV_HEADER = "system\tworkload\tcallers\tentities\tpayload_bytes\tops\tseconds\tops_per_s"
      + "\tp50_ms\tp99_ms\tp999_ms\tmax_ms\tretries\terrors";

  public Row {
    if (system.isBlank() || workload.isBlank() || system.contains("\t") || workload.contains("\t")) {
      throw new IllegalArgumentException("system and workload must be non-blank labels without tabs");
    }
    if (seconds <= 0) {
      throw new IllegalArgumentException("seconds must be > 0, was " + seconds);
    }
  }

  public double opsPerSecond() {
    return ops / seconds;
  }

  public String toTsv() {
    return String.format(Locale.ROOT, "%s\t%s\t%d\t%d\t%d\t%d\t%.3f\t%.1f\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%d", system,
        workload, callers, entities, payloadBytes, ops, seconds, opsPerSecond(), p50Ms, p99Ms, p999Ms, maxMs, retries,
        errors);
  }

  /** Parses a line written by {@link #toTsv()}; a malformed line is an error that quotes it. */
  public static Row fromTsv(String line) {
    String[] f = line.split("\t", -1);
    if (f.length != 14) {
      throw new IllegalArgumentException("a result line needs 14 tab-separated fields, had " + f.length + ": " + line);
    }
    try {
      return new Row(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]),
          Long.parseLong(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[8]), Double.parseDouble(f[9]),
          Double.parseDouble(f[10]), Double.parseDouble(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a result line has a malformed number (" + e.getMessage() + "): " + line, e);
    }
  }
}
