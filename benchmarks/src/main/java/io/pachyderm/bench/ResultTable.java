package io.pachyderm.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** Prints results as one fixed-width table, each row's throughput as a ratio to its baseline row. */
final class ResultTable {
  private static final String FORMAT =
      "%-2s %-44s %9s %9s %7s %7s %7s %7s %8s %9s %10s %7s %5s %6s %-6s %4s %6s %5s%n";

  private ResultTable() {}

  static void print(PrintStream out, List<Result> results) {
    out.printf(Locale.ROOT, FORMAT, "id", "scenario", "calls/s", "vs base", "p50", "p90", "p99", "p99.9", "max",
        "entries/s", "cmds/entry", "heap MB", "elect", "errors", "count", "wu", "JIT ms", "GC ms");
    for (Result r : results) {
      out.print(row(r, results));
    }
  }

  private static String row(Result r, List<Result> all) {
    Scenario s = r.scenario();
    if (!r.ran()) {
      return String.format(Locale.ROOT, "%-2s %-44s did not run: %s%n", s.id(), s.title(), r.failure());
    }
    Measurement m = r.measured();
    Histogram h = m.latencyUs();
    double seconds = m.elapsedSeconds();
    String entriesPerSecond = r.logEntries() > 0 ? String.format(Locale.ROOT, "%,.0f", r.logEntries() / seconds) : "-";
    String commandsPerEntry = r.logEntries() > 0
        ? String.format(Locale.ROOT, "%.1f", (double) (m.okCalls() + m.failedCalls()) / r.logEntries()) : "-";
    String errors = m.failedCalls() + (m.timeLimitHit() ? "+T" : "") + (m.threadsStuck() > 0 ? "+S" : "");
    return String.format(Locale.ROOT, FORMAT, s.id(), s.title(),
        String.format(Locale.ROOT, "%,.0f", m.callsPerSecond()), versus(r, all),
        ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), maxMs(h),
        entriesPerSecond, commandsPerEntry, String.format(Locale.ROOT, "%.0f", r.heapUsedMb()),
        Long.toString(r.elections()), errors, r.countCheck(), Integer.toString(r.warmupChunks()),
        Long.toString(m.jitCompileMs()), Long.toString(m.gcPauseMs()));
  }

  private static String versus(Result r, List<Result> all) {
    String baselineId = r.scenario().baselineId();
    if (baselineId == null) {
      return "(main)";
    }
    for (Result b : all) {
      if (b.scenario().id().equals(baselineId) && b.ran() && b.measured().callsPerSecond() > 0) {
        return String.format(Locale.ROOT, "%.2fx %s", r.measured().callsPerSecond() / b.measured().callsPerSecond(),
            baselineId);
      }
    }
    return "- " + baselineId;
  }

  private static String ms(Histogram h, double percentile) {
    if (h.getTotalCount() == 0) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.2f", h.getValueAtPercentile(percentile) / 1000.0);
  }

  private static String maxMs(Histogram h) {
    if (h.getTotalCount() == 0) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.1f", h.getMaxValue() / 1000.0);
  }
}
