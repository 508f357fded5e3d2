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

  private static final String DELIVERY_FORMAT = "%-2s %-44s %11s %12s %9s %11s %8s %8s%n";

  /**
   * The transfer rows again, with their messages: transfers/s next to the calls/s of the
   * baseline row (plain increments on the same kind of deployment), deliveries applied per second
   * during the phase, credits pending when the last call had returned, and the delivery lag until
   * the last of them landed. Prints nothing without such rows.
   */
  static void printDelivery(PrintStream out, List<Result> results) {
    List<Result> rows = results.stream().filter(r -> r.ran() && r.delivery() != null).toList();
    if (rows.isEmpty()) {
      return;
    }
    out.println();
    out.println("Messaging: each transfer is one call plus one entity-to-entity delivery (the credit, its own log"
        + " entry).");
    out.printf(Locale.ROOT, DELIVERY_FORMAT, "id", "scenario", "transfers/s", "base calls/s", "vs base",
        "delivered/s", "pending", "lag ms");
    for (Result r : rows) {
      Result base = baseline(r, results);
      Result.Delivery d = r.delivery();
      out.printf(Locale.ROOT, DELIVERY_FORMAT, r.scenario().id(), r.scenario().title(),
          String.format(Locale.ROOT, "%,.0f", r.measured().callsPerSecond()),
          base == null ? "-" : String.format(Locale.ROOT, "%,.0f", base.measured().callsPerSecond()),
          versus(r, results),
          d.deliveredPerSecond() < 0 ? "-" : String.format(Locale.ROOT, "%,.0f", d.deliveredPerSecond()),
          d.pendingAtEnd() < 0 ? "-" : String.format(Locale.ROOT, "%,d", d.pendingAtEnd()),
          d.lagMs() < 0 ? "limit" : String.format(Locale.ROOT, "%.0f", d.lagMs()));
    }
    out.println("delivered/s: credits the leader applied during the measured phase. pending: credits not yet"
        + " delivered when");
    out.println("  the last call had returned. lag ms: from then until the leader's outbox was empty (sampled every"
        + " ms; 0: nothing");
    out.println("  was pending; limit: still pending at the phase time limit). Latency percentiles: the main table.");
  }

  private static final String JOURNAL_FORMAT = "%-5s %-32s %9s %9s %9s %8s %8s %8s %8s %8s %8s%n";

  /**
   * The journal rows again, in pairs: events applied per second without and with the event
   * journal (calls/s x events per call), their ratio, the latency percentiles and the heap of
   * both. Prints nothing without a journal-on row whose journal-off baseline ran.
   */
  static void printJournal(PrintStream out, List<Result> results) {
    List<Result> rows = results.stream()
        .filter(r -> r.ran() && r.scenario().load() == Scenario.Load.APPENDS && r.scenario().journal())
        .filter(r -> baseline(r, results) != null && !baseline(r, results).scenario().journal())
        .toList();
    if (rows.isEmpty()) {
      return;
    }
    out.println();
    out.println("Journal overhead: the same load without (off) and with (on) the event journal, in the same run.");
    out.printf(Locale.ROOT, JOURNAL_FORMAT, "ids", "deployment, events per call", "off ev/s", "on ev/s", "on/off",
        "p50 off", "p50 on", "p99 off", "p99 on", "heap off", "heap on");
    for (Result on : rows) {
      Result off = baseline(on, results);
      Scenario s = on.scenario();
      double offEvents = off.measured().callsPerSecond() * off.scenario().eventsPerCall();
      double onEvents = on.measured().callsPerSecond() * s.eventsPerCall();
      String deployment = (s.deployment() == Scenario.Deployment.CLUSTER ? "gRPC cluster" : "single node") + ", "
          + s.eventsPerCall() + (s.eventsPerCall() == 1 ? " event" : " events");
      out.printf(Locale.ROOT, JOURNAL_FORMAT, off.scenario().id() + "," + s.id(), deployment,
          String.format(Locale.ROOT, "%,.0f", offEvents), String.format(Locale.ROOT, "%,.0f", onEvents),
          offEvents > 0 ? String.format(Locale.ROOT, "%.2fx", onEvents / offEvents) : "-",
          ms(off.measured().latencyUs(), 50), ms(on.measured().latencyUs(), 50),
          ms(off.measured().latencyUs(), 99), ms(on.measured().latencyUs(), 99),
          String.format(Locale.ROOT, "%.0f", off.heapUsedMb()), String.format(Locale.ROOT, "%.0f", on.heapUsedMb()));
    }
    out.println("ev/s: events applied per second = calls/s x events per call (every call is one command). p50, p99:"
        + " call latency in ms.");
    out.println("  heap: MB used after a full GC at the end of the row, deployment still up (whole JVM).");
  }

  private static Result baseline(Result r, List<Result> all) {
    for (Result b : all) {
      if (b.scenario().id().equals(r.scenario().baselineId()) && b.ran()) {
        return b;
      }
    }
    return null;
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
