package io.pachyderm.bench.versus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The one table of a run: system × workload, then the targets with their verdicts. */
final class VersusTable {
  private VersusTable() {
  }

  /** Rows in the table's order: systems as {@link SystemKind} lists them, workloads uniform, zipfian, hot. */
  public static List<Row> ordered(List<Row> rows) {
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingInt((Row r) -> SystemKind.rank(r.system()))
        .thenComparingInt(r -> workloadRank(r.workload())));
    return sorted;
  }

  private static int workloadRank(String label) {
    for (Workload w : Workload.values()) {
      if (w.label().equals(label)) {
        return w.ordinal();
      }
    }
    return Workload.values().length;
  }

  public static String render(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-18s %-8s %7s %8s %7s %10s %8s %8s %8s %8s %9s %6s%n", "system", "workload",
        "callers", "entities", "payload", "ops/s", "p50 ms", "p99 ms", "p999 ms", "max ms", "retries", "errors"));
    for (Row r : ordered(rows)) {
      sb.append(String.format(Locale.ROOT, "%-18s %-8s %7d %8d %7d %,10.0f %8.2f %8.2f %8.2f %8.1f %,9d %,6d%n",
          r.system(), r.workload(), r.callers(), r.entities(), r.payloadBytes(), r.opsPerSecond(), r.p50Ms(),
          r.p99Ms(), r.p999Ms(), r.maxMs(), r.retries(), r.errors()));
    }
    sb.append(System.lineSeparator()).append("Targets (issue 15), from the rows above:").append(System.lineSeparator());
    List<Targets.Check> checks = Targets.check(rows);
    int passed = 0;
    for (Targets.Check c : checks) {
      sb.append("  ").append(c.line()).append(System.lineSeparator());
      if (c.verdict() == Targets.Verdict.PASS) {
        passed++;
      }
    }
    sb.append(String.format(Locale.ROOT, "%d of %d targets met.%n", passed, checks.size()));
    return sb.toString();
  }

  /** The targets as TSV: name, verdict, measured, bound, kind. */
  public static String targetsTsv(List<Row> rows) {
    StringBuilder sb = new StringBuilder("target\tverdict\tmeasured\tbound\tkind\n");
    for (Targets.Check c : Targets.check(rows)) {
      sb.append(String.format(Locale.ROOT, "%s\t%s\t%.4f\t%.2f\t%s%n", c.name(), c.verdict(), c.measured(), c.bound(),
          c.atLeast() ? "ratio_at_least" : "ms_at_most"));
    }
    return sb.toString();
  }
}
