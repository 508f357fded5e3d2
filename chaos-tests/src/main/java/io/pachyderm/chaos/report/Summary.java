package io.pachyderm.chaos.report;

import io.pachyderm.chaos.checker.Anomaly;
import io.pachyderm.chaos.checker.Verdict;
import io.pachyderm.chaos.history.History;
import io.pachyderm.chaos.history.Op;
import io.pachyderm.chaos.history.OpPair;
import io.pachyderm.chaos.history.OpType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Renders {@code summary.txt}. Pure: the same inputs give the same text. */
final class Summary {
  /** Anomalies listed in full per checker; the rest are only counted. */
  static final int ANOMALIES_LISTED_PER_CHECKER_MAX = 20;

  private static final List<String> FIRST_INFO = List.of("workload", "nemesis", "duration");

  private Summary() {}

  /** Counts of outcomes; an op never completed counts as info. */
  static final class Counts {
    long ok;
    long fail;
    long info;

    void add(OpType outcome) {
      switch (outcome) {
        case OK -> ok++;
        case FAIL -> fail++;
        default -> info++;
      }
    }

    long total() {
      return ok + fail + info;
    }

    String availability() {
      return total() == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * ok / total());
    }
  }

  static String render(
      History history,
      List<Verdict> verdicts,
      List<NemesisInterval> intervals,
      Map<String, String> runInfo) {
    StringBuilder out = new StringBuilder();
    out.append("Pachyderm chaos run\n\n");
    for (String key : FIRST_INFO) {
      out.append(String.format(Locale.ROOT, "  %-22s %s%n", key, runInfo.getOrDefault(key, "-")));
    }
    for (Map.Entry<String, String> entry : new TreeMap<>(runInfo).entrySet()) {
      if (!FIRST_INFO.contains(entry.getKey())) {
        out.append(String.format(Locale.ROOT, "  %-22s %s%n", entry.getKey(), entry.getValue()));
      }
    }

    Map<String, Counts> byF = new TreeMap<>();
    Counts all = new Counts();
    for (OpPair pair : history.pairs()) {
      byF.computeIfAbsent(pair.f(), f -> new Counts()).add(pair.outcome());
      all.add(pair.outcome());
    }
    out.append("\nOperations: ").append(history.pairs().size()).append(" invoked, ")
        .append(history.size()).append(" history entries\n");
    out.append(String.format(Locale.ROOT, "  %-14s %10s %10s %10s %10s%n",
        "f", "ok", "fail", "info", "total"));
    for (Map.Entry<String, Counts> entry : byF.entrySet()) {
      appendCounts(out, entry.getKey(), entry.getValue());
    }
    appendCounts(out, "all", all);

    appendAvailability(out, history, intervals);

    out.append("\nCheckers\n");
    Map<String, Integer> anomaliesByKind = new TreeMap<>();
    for (Verdict verdict : verdicts) {
      out.append(String.format(Locale.ROOT, "  %-28s %-8s %s%n", verdict.checker(),
          verdict.label(), verdict.anomalies().isEmpty()
              ? "" : verdict.anomalies().size() + " anomalies"));
      out.append("      ").append(verdict.stats()).append('\n');
      for (Anomaly anomaly : verdict.anomalies()) {
        anomaliesByKind.merge(anomaly.kind(), 1, Integer::sum);
      }
    }

    out.append("\nAnomalies by kind\n");
    if (anomaliesByKind.isEmpty()) {
      out.append("  none\n");
    }
    for (Map.Entry<String, Integer> entry : anomaliesByKind.entrySet()) {
      out.append(String.format(Locale.ROOT, "  %-28s %6d%n", entry.getKey(), entry.getValue()));
    }
    for (Verdict verdict : verdicts) {
      if (verdict.anomalies().isEmpty()) {
        continue;
      }
      out.append("\nAnomalies found by ").append(verdict.checker()).append('\n');
      int shown = 0;
      for (Anomaly anomaly : verdict.anomalies()) {
        if (shown == ANOMALIES_LISTED_PER_CHECKER_MAX) {
          out.append("  ... and ").append(verdict.anomalies().size() - shown)
              .append(" more in verdicts.json\n");
          break;
        }
        out.append("  - ").append(anomaly).append('\n');
        shown++;
      }
    }

    out.append("\nResult: ").append(result(verdicts)).append('\n');
    return out.toString();
  }

  private static String result(List<Verdict> verdicts) {
    boolean unknown = false;
    for (Verdict verdict : verdicts) {
      if (!verdict.valid() && !verdict.unknown()) {
        return "INVALID";
      }
      unknown |= verdict.unknown();
    }
    return unknown ? "UNKNOWN" : "VALID";
  }

  private static void appendCounts(StringBuilder out, String label, Counts counts) {
    out.append(String.format(Locale.ROOT, "  %-14s %10d %10d %10d %10d%n",
        label, counts.ok, counts.fail, counts.info, counts.total()));
  }

  /**
   * Availability = ok / (ok + fail + info) of client operations (final reads excluded: they run
   * after the faults are healed), overall, for ops invoked inside each kind of nemesis window,
   * and for ops invoked while no nemesis was active.
   */
  private static void appendAvailability(
      StringBuilder out, History history, List<NemesisInterval> intervals) {
    Counts overall = new Counts();
    Counts quiet = new Counts();
    Map<String, Counts> byNemesis = new TreeMap<>();
    Map<String, long[]> windows = new TreeMap<>();
    for (NemesisInterval interval : intervals) {
      long[] w = windows.computeIfAbsent(interval.name(), n -> new long[2]);
      w[0]++;
      w[1] += interval.endNs() - interval.startNs();
    }
    for (OpPair pair : history.pairs()) {
      if (Op.FINAL_READ.equals(pair.f())) {
        continue;
      }
      OpType outcome = pair.outcome();
      overall.add(outcome);
      long invokedNs = pair.invoke().timeNs();
      List<String> active = new ArrayList<>();
      for (NemesisInterval interval : intervals) {
        if (interval.contains(invokedNs) && !active.contains(interval.name())) {
          active.add(interval.name());
        }
      }
      if (active.isEmpty()) {
        quiet.add(outcome);
      }
      for (String name : active) {
        byNemesis.computeIfAbsent(name, n -> new Counts()).add(outcome);
      }
    }
    out.append("\nAvailability (ok / all invoked, by time of invocation; final reads excluded)\n");
    out.append(String.format(Locale.ROOT, "  %-30s %8s %10s %10s %10s %12s%n",
        "when", "windows", "seconds", "ops", "ok", "availability"));
    appendAvailabilityRow(out, "overall", "", "", overall);
    appendAvailabilityRow(out, "quiet (no nemesis)", "", "", quiet);
    for (Map.Entry<String, long[]> entry : windows.entrySet()) {
      Counts counts = byNemesis.getOrDefault(entry.getKey(), new Counts());
      appendAvailabilityRow(out, entry.getKey(), String.valueOf(entry.getValue()[0]),
          String.format(Locale.ROOT, "%.1f", entry.getValue()[1] / 1e9), counts);
    }
  }

  private static void appendAvailabilityRow(
      StringBuilder out, String label, String windows, String seconds, Counts counts) {
    out.append(String.format(Locale.ROOT, "  %-30s %8s %10s %10d %10d %12s%n",
        label, windows, seconds, counts.total(), counts.ok, counts.availability()));
  }
}
