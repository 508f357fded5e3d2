package io.pachyderm.bench.versus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The open-loop mode of versus.sh: per workload, a sweep of offered rates (percents of a reference
 * rate, by default the closed loop's), each an {@link OpenLoop} phase giving one {@link CurvePoint};
 * and the report that gathers every system's points into a table and a PNG per workload.
 */
final class OpenSweep {
  static final String CURVE_PREFIX = "curve-";
  /**
   * A sweep stops early once a rate at or above the reference achieves less than this share of
   * what it offered: the system is saturated, and higher rates would only queue up calls.
   */
  static final double SATURATED_SHARE = 0.5;

  private OpenSweep() {
  }

  /** Sweeps every workload of {@code a} against {@code driver}; writes OUT/curve-SYSTEM.tsv. */
  static List<CurvePoint> run(VersusArgs a, Driver driver, double referencePerS, Duration drainMax,
                              Consumer<String> progress) throws IOException, InterruptedException {
    List<Double> rates = RateSchedule.sweep(referencePerS, a.ratePercents());
    List<CurvePoint> points = new ArrayList<>();
    for (Workload workload : a.workloads()) {
      for (double rate : rates) {
        OpenLoop loop = new OpenLoop(driver, workload.chooser(a.entities()), a.seed() + workload.ordinal(),
            a.inflightMax(), OpenLoop.SYSTEM);
        OpenLoop.Measured m = loop.run(RateSchedule.of(rate, a.measure(), a.callsMax()), drainMax);
        CurvePoint p = CurvePoint.of(a.system().label(), workload.label(), m);
        points.add(p);
        progress.accept(String.format(Locale.ROOT, "%s open loop at %,.0f/s: achieved %,.0f/s, p50 %.2f ms, p99 %.2f ms,"
                + " %d errors, %d late starts%s", workload.label(), rate, p.achievedPerS(), p.p50Ms(), p.p99Ms(),
            p.errors(), p.lateStarts(), m.firstError() == null ? "" : " (first: " + m.firstError() + ")"));
        if (rate >= referencePerS && p.achievedPerS() < SATURATED_SHARE * rate) {
          progress.accept(workload.label() + ": saturated; the higher rates are skipped");
          break;
        }
      }
    }
    Files.createDirectories(a.out());
    StringBuilder tsv = new StringBuilder(CurvePoint.TSV_HEADER).append('\n');
    for (CurvePoint p : points) {
      tsv.append(p.toTsv()).append('\n');
    }
    Files.writeString(a.out().resolve(CURVE_PREFIX + a.system().label() + ".tsv"), tsv, StandardCharsets.UTF_8);
    return points;
  }

  /** Reads every OUT/curve-SYSTEM.tsv, prints the table, writes OUT/curve.tsv and OUT/curve-WORKLOAD.png. */
  static void report(Path out) throws IOException {
    List<CurvePoint> points = read(out);
    if (points.isEmpty()) {
      System.out.println("versus: no curve points in " + out + " (no system ran to the end; see the messages above)");
      return;
    }
    Set<String> workloads = new LinkedHashSet<>();
    for (Workload w : Workload.values()) {
      for (CurvePoint p : points) {
        if (p.workload().equals(w.label())) {
          workloads.add(w.label());
        }
      }
    }
    StringBuilder all = new StringBuilder(CurvePoint.TSV_HEADER).append('\n');
    for (String workload : workloads) {
      Map<String, List<CurvePoint>> series = CurveChart.series(points, workload);
      System.out.print(render(workload, series));
      Path png = out.resolve(CURVE_PREFIX + workload + ".png");
      CurveChart.write(png, workload, points);
      System.out.println("plot: " + png);
      for (List<CurvePoint> s : series.values()) {
        for (CurvePoint p : s) {
          all.append(p.toTsv()).append('\n');
        }
      }
    }
    Files.writeString(out.resolve("curve.tsv"), all, StandardCharsets.UTF_8);
  }

  static String render(String workload, Map<String, List<CurvePoint>> series) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%nworkload %s, open loop (latency from the intended start)%n", workload));
    sb.append(String.format(Locale.ROOT, "%-18s %11s %11s %8s %8s %8s %8s %7s %6s%n", "system", "offered/s",
        "achieved/s", "p50 ms", "p99 ms", "p999 ms", "max ms", "errors", "late"));
    for (List<CurvePoint> s : series.values()) {
      for (CurvePoint p : s) {
        sb.append(String.format(Locale.ROOT, "%-18s %,11.0f %,11.0f %8.2f %8.2f %8.2f %8.1f %,7d %,6d%n", p.system(),
            p.offeredPerS(), p.achievedPerS(), p.p50Ms(), p.p99Ms(), p.p999Ms(), p.maxMs(), p.errors(),
            p.lateStarts()));
      }
    }
    return sb.toString();
  }

  static List<CurvePoint> read(Path out) throws IOException {
    List<CurvePoint> points = new ArrayList<>();
    if (!Files.isDirectory(out)) {
      return points;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(out, CURVE_PREFIX + "*.tsv")) {
      for (Path f : files) {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
          if (!line.isBlank()) {
            points.add(CurvePoint.fromTsv(line));
          }
        }
      }
    }
    return points;
  }
}
