package io.pachyderm.bench.versus;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Issue 15's targets, checked against the rows of one run: each is a ratio of two rows (or one
 * row's p99) with its bound. A target whose rows are missing (a system not run, or a row that
 * measured nothing) is reported as such, never as passed.
 */
final class Targets {
  private Targets() {
  }

  public enum Verdict { PASS, FAIL, MISSING }

  /**
   * One target.
   *
   * @param measured the ratio (or the p99 in ms); NaN when a row is missing
   * @param bound the target: the least ratio ({@code atLeast}) or the most ms
   */
  public record Check(String name, String what, double measured, double bound, boolean atLeast) {
    public Verdict verdict() {
      if (Double.isNaN(measured)) {
        return Verdict.MISSING;
      }
      return (atLeast ? measured >= bound : measured <= bound) ? Verdict.PASS : Verdict.FAIL;
    }

    public String line() {
      String value = Double.isNaN(measured) ? "—" : atLeast
          ? String.format(Locale.ROOT, "%.2fx", measured) : String.format(Locale.ROOT, "%.1f ms", measured);
      String target = atLeast ? String.format(Locale.ROOT, ">= %.2fx", bound)
          : String.format(Locale.ROOT, "<= %.0f ms", bound);
      return String.format(Locale.ROOT, "%-7s %-44s %10s  (target %s; %s)", verdict(), name, value, target, what);
    }
  }

  public static List<Check> check(List<Row> rows) {
    return List.of(
        ratio(rows, "cluster vs etcd, many entities", "pachyderm-cluster", "uniform", "etcd-txn", "uniform", 4.0),
        p99(rows, "cluster p99 at that rate", "pachyderm-cluster", "uniform", 20.0),
        ratio(rows, "cluster hot entity vs many entities", "pachyderm-cluster", "hot", "pachyderm-cluster", "uniform", 0.5),
        ratio(rows, "entity layer vs raw Ratis", "pachyderm-cluster", "uniform", "raw-ratis", "uniform", 0.9),
        ratio(rows, "local vs PostgreSQL-OCC, many entities", "pachyderm-local", "uniform", "postgres-occ", "uniform", 5.0),
        ratio(rows, "local vs PostgreSQL-OCC, hot entity", "pachyderm-local", "hot", "postgres-occ", "hot", 50.0));
  }

  static Optional<Row> find(List<Row> rows, String system, String workload) {
    for (Row r : rows) {
      if (r.system().equals(system) && r.workload().equals(workload) && r.ops() > 0) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  private static Check ratio(List<Row> rows, String name, String system, String workload, String baseSystem,
                             String baseWorkload, double bound) {
    String what = "ops/s " + system + " " + workload + " / " + baseSystem + " " + baseWorkload;
    Optional<Row> a = find(rows, system, workload);
    Optional<Row> b = find(rows, baseSystem, baseWorkload);
    double measured = a.isPresent() && b.isPresent() ? a.get().opsPerSecond() / b.get().opsPerSecond() : Double.NaN;
    return new Check(name, what, measured, bound, true);
  }

  private static Check p99(List<Row> rows, String name, String system, String workload, double boundMs) {
    Optional<Row> a = find(rows, system, workload);
    return new Check(name, "p99 of " + system + " " + workload, a.map(Row::p99Ms).orElse(Double.NaN), boundMs, false);
  }
}
