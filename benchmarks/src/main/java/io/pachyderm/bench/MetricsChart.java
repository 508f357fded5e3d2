package io.pachyderm.bench;

import io.pachyderm.bench.MetricsPlot.Metric;
import io.pachyderm.bench.MetricsPlot.Sample;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import javax.imageio.ImageIO;

/**
 * Draws the scraped series as six line charts, the panels of {@code config/grafana/pachyderm.json}
 * computed the way its PromQL does (rates from counter deltas per node, summed; latency
 * percentiles from the histogram's bucket deltas, interpolated within a bucket as
 * {@code histogram_quantile} does). A counter that went down (a restarted node) contributes
 * nothing for that second, as a Prometheus rate ignores a reset.
 *
 * <p>Runs headless: sets {@code java.awt.headless=true} unless the property is already set.
 */
final class MetricsChart {
  private static final int PANEL_WIDTH = 700;
  private static final int PANEL_HEIGHT = 330;
  private static final int COLUMNS = 2;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 36;
  private static final int BOTTOM = 62;
  /** The latency percentiles are over this many seconds of bucket deltas: a 1 s window is too sparse. */
  private static final int LATENCY_WINDOW_S = 5;
  private static final Color[] COLORS = {
    new Color(0x1f, 0x77, 0xb4), new Color(0xd6, 0x27, 0x28), new Color(0x2c, 0xa0, 0x2c),
    new Color(0xff, 0x7f, 0x0e), new Color(0x94, 0x67, 0xbd)};

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private MetricsChart() {}

  record Series(String name, double[] values) {}

  record Panel(String title, String unit, List<Series> series) {}

  static void write(Path png, List<Sample> samples, double leaderStopS, double restartS) throws IOException {
    List<Panel> panels = panels(samples);
    int rows = (panels.size() + COLUMNS - 1) / COLUMNS;
    BufferedImage image = new BufferedImage(PANEL_WIDTH * COLUMNS, PANEL_HEIGHT * rows + 30, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
      g.setColor(Color.BLACK);
      g.drawString("Pachyderm, 3 nodes in one JVM, /metrics scraped every second; the leader stopped at "
          + Math.round(leaderStopS) + " s and restarted at " + Math.round(restartS) + " s (grey lines); time in s", 12, 21);
      double[] times = new double[samples.size()];
      for (int i = 0; i < times.length; i++) {
        times[i] = samples.get(i).timeS();
      }
      for (int p = 0; p < panels.size(); p++) {
        Graphics2D panel = (Graphics2D) g.create((p % COLUMNS) * PANEL_WIDTH, 30 + (p / COLUMNS) * PANEL_HEIGHT,
            PANEL_WIDTH, PANEL_HEIGHT);
        try {
          draw(panel, panels.get(p), times, new double[] {leaderStopS, restartS});
        } finally {
          panel.dispose();
        }
      }
    } finally {
      g.dispose();
    }
    if (!ImageIO.write(image, "png", png.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }

  static List<Panel> panels(List<Sample> samples) {
    List<Panel> panels = new ArrayList<>();
    panels.add(new Panel("Throughput: commands/s by outcome (summed over nodes)", "commands/s", List.of(
        new Series("accepted", rate(samples, "pachyderm_commands_total", m -> "accepted".equals(m.labels().get("result")))),
        new Series("rejected", rate(samples, "pachyderm_commands_total", m -> "rejected".equals(m.labels().get("result")))),
        new Series("conflict", rate(samples, "pachyderm_commands_total", m -> "conflict".equals(m.labels().get("result")))))));
    panels.add(new Panel("Call latency on the leader (" + LATENCY_WINDOW_S + " s window)", "ms", List.of(
        new Series("p50", quantile(samples, 0.50)), new Series("p99", quantile(samples, 0.99)))));
    panels.add(new Panel("Apply lag: commit - applied, per node", "entries", perNode(samples, "pachyderm_apply_lag_entries")));
    List<Series> leadership = new ArrayList<>();
    leadership.add(new Series("ready nodes", gauge(samples, "pachyderm_ready", m -> true)));
    leadership.add(new Series("nodes that lead", gauge(samples, "pachyderm_leader", m -> true)));
    leadership.add(new Series("leader changes seen (max over nodes)", max(samples, "pachyderm_leader_changes_total")));
    panels.add(new Panel("Leadership and readiness", "count", leadership));
    List<Series> outbox = new ArrayList<>();
    for (String kind : List.of("messages", "effects", "dead_letters", "timers")) {
      outbox.add(new Series(kind, maxGauge(samples, "pachyderm_outbox_pending", m -> kind.equals(m.labels().get("kind")))));
    }
    panels.add(new Panel("Outbox depth (max over nodes)", "items", outbox));
    panels.add(new Panel("Effects and refusals (summed over nodes)", "per second", List.of(
        new Series("effect attempts", rate(samples, "pachyderm_effect_attempts_total", m -> true)),
        new Series("effect failures", rate(samples, "pachyderm_effect_failures_total", m -> true)),
        new Series("messages delivered", rate(samples, "pachyderm_messages_delivered_total", m -> true)),
        new Series("refusals", rate(samples, "pachyderm_refusals_total", m -> true)))));
    return panels;
  }

  private static double value(List<Metric> metrics, String name, Predicate<Metric> which) {
    double total = 0;
    for (Metric m : metrics) {
      if (m.name().equals(name) && which.test(m)) {
        total += m.value();
      }
    }
    return total;
  }

  /**
   * The whole run's count of a counter over all nodes: the first scrape's values plus every
   * per-node increase since, so that a stopped or restarted node keeps what it had counted up to
   * its last scrape.
   */
  static double total(List<Sample> samples, String name, Predicate<Metric> which) {
    double total = 0;
    for (List<Metric> metrics : samples.get(0).byNode().values()) {
      total += value(metrics, name, which);
    }
    double[] perSecond = rate(samples, name, which);
    for (int i = 1; i < samples.size(); i++) {
      total += perSecond[i] * (samples.get(i).timeS() - samples.get(i - 1).timeS());
    }
    return total;
  }

  /** Per second: the sum over nodes of each node's counter delta since the previous scrape. */
  private static double[] rate(List<Sample> samples, String name, Predicate<Metric> which) {
    double[] out = new double[samples.size()];
    for (int i = 1; i < samples.size(); i++) {
      Sample now = samples.get(i);
      Sample before = samples.get(i - 1);
      double dt = now.timeS() - before.timeS();
      double delta = 0;
      for (Map.Entry<String, List<Metric>> e : now.byNode().entrySet()) {
        List<Metric> previous = before.byNode().get(e.getKey());
        if (previous != null) {
          delta += Math.max(0, value(e.getValue(), name, which) - value(previous, name, which));
        }
      }
      out[i] = dt > 0 ? delta / dt : 0;
    }
    return out;
  }

  private static double[] gauge(List<Sample> samples, String name, Predicate<Metric> which) {
    double[] out = new double[samples.size()];
    for (int i = 0; i < samples.size(); i++) {
      for (List<Metric> metrics : samples.get(i).byNode().values()) {
        out[i] += value(metrics, name, which);
      }
    }
    return out;
  }

  private static double[] maxGauge(List<Sample> samples, String name, Predicate<Metric> which) {
    double[] out = new double[samples.size()];
    for (int i = 0; i < samples.size(); i++) {
      for (List<Metric> metrics : samples.get(i).byNode().values()) {
        out[i] = Math.max(out[i], value(metrics, name, which));
      }
    }
    return out;
  }

  private static double[] max(List<Sample> samples, String name) {
    return maxGauge(samples, name, m -> true);
  }

  private static List<Series> perNode(List<Sample> samples, String name) {
    TreeMap<String, double[]> byNode = new TreeMap<>();
    for (int i = 0; i < samples.size(); i++) {
      for (Map.Entry<String, List<Metric>> e : samples.get(i).byNode().entrySet()) {
        double[] values = byNode.computeIfAbsent(e.getKey(), k -> new double[samples.size()]);
        values[i] = value(e.getValue(), name, m -> true);
      }
    }
    List<Series> series = new ArrayList<>();
    byNode.forEach((node, values) -> series.add(new Series(node, values)));
    return series;
  }

  /**
   * The {@code q} quantile (ms) of the calls completed in the last {@link #LATENCY_WINDOW_S}
   * seconds: bucket deltas summed over nodes, linear within the bucket, as histogram_quantile.
   */
  private static double[] quantile(List<Sample> samples, double q) {
    double[] out = new double[samples.size()];
    for (int i = LATENCY_WINDOW_S; i < samples.size(); i++) {
      TreeMap<Double, Double> buckets = new TreeMap<>();
      Sample now = samples.get(i);
      Sample before = samples.get(i - LATENCY_WINDOW_S);
      for (Map.Entry<String, List<Metric>> e : now.byNode().entrySet()) {
        List<Metric> previous = before.byNode().get(e.getKey());
        if (previous == null) {
          continue;
        }
        for (Metric m : e.getValue()) {
          if (!m.name().equals("pachyderm_call_latency_seconds_bucket")) {
            continue;
          }
          double le = m.labels().get("le").equals("+Inf") ? Double.POSITIVE_INFINITY
              : Double.parseDouble(m.labels().get("le"));
          double old = 0;
          for (Metric p : previous) {
            if (p.name().equals(m.name()) && p.labels().equals(m.labels())) {
              old = p.value();
              break;
            }
          }
          buckets.merge(le, Math.max(0, m.value() - old), Double::sum);
        }
      }
      out[i] = interpolate(buckets, q) * 1000;
    }
    return out;
  }

  private static double interpolate(TreeMap<Double, Double> cumulative, double q) {
    if (cumulative.isEmpty()) {
      return 0;
    }
    double total = cumulative.lastEntry().getValue();
    if (total <= 0) {
      return 0;
    }
    double rank = q * total;
    double lowerBound = 0;
    double lowerCount = 0;
    for (Map.Entry<Double, Double> b : cumulative.entrySet()) {
      if (b.getValue() >= rank) {
        if (b.getKey().isInfinite()) {
          return lowerBound;
        }
        double inBucket = b.getValue() - lowerCount;
        return inBucket <= 0 ? b.getKey() : lowerBound + (b.getKey() - lowerBound) * (rank - lowerCount) / inBucket;
      }
      lowerBound = b.getKey();
      lowerCount = b.getValue();
    }
    return lowerBound;
  }

  private static void draw(Graphics2D g, Panel panel, double[] times, double[] markersS) {
    int plotRight = PANEL_WIDTH - RIGHT;
    int plotBottom = PANEL_HEIGHT - BOTTOM;
    double timeMax = Math.max(1, times[times.length - 1]);
    double yMax = 0;
    for (Series s : panel.series()) {
      for (double v : s.values()) {
        yMax = Math.max(yMax, v);
      }
    }
    yMax = niceCeiling(Math.max(yMax, 1));
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    g.setColor(Color.BLACK);
    g.drawString(panel.title(), LEFT, TOP - 14);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    FontMetrics fm = g.getFontMetrics();
    // Five ticks when the axis ends at 5 x 10^k, so that every label is a round number.
    int ticks = Math.abs(yMax / Math.pow(10, Math.floor(Math.log10(yMax))) - 5) < 1e-9 ? 5 : 4;
    for (int tick = 0; tick <= ticks; tick++) {
      double v = yMax * tick / ticks;
      int y = plotBottom - (int) Math.round((plotBottom - TOP) * tick / (double) ticks);
      g.setColor(new Color(0xe0, 0xe0, 0xe0));
      g.drawLine(LEFT, y, plotRight, y);
      g.setColor(Color.BLACK);
      String label = v >= 100 || v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v)
          : String.format(Locale.ROOT, "%.1f", v);
      g.drawString(label, LEFT - 6 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
    }
    double step = timeMax > 60 ? 20 : 10;
    for (double t = 0; t <= timeMax + 1e-9; t += step) {
      int x = x(t, timeMax);
      g.drawLine(x, plotBottom, x, plotBottom + 4);
      String label = String.format(Locale.ROOT, "%.0f", t);
      g.drawString(label, x - fm.stringWidth(label) / 2, plotBottom + 6 + fm.getAscent());
    }
    g.setColor(new Color(0x88, 0x88, 0x88));
    g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {4, 4}, 0));
    for (double m : markersS) {
      int x = x(m, timeMax);
      g.drawLine(x, TOP, x, plotBottom);
    }
    g.setStroke(new BasicStroke(1.8f));
    int legendX = LEFT;
    int legendY = PANEL_HEIGHT - 14;
    for (int s = 0; s < panel.series().size(); s++) {
      Series series = panel.series().get(s);
      g.setColor(COLORS[s % COLORS.length]);
      double[] v = series.values();
      for (int i = 1; i < v.length; i++) {
        g.drawLine(x(times[i - 1], timeMax), y(v[i - 1], yMax), x(times[i], timeMax), y(v[i], yMax));
      }
      g.fillRect(legendX, legendY - 8, 12, 8);
      g.setColor(Color.BLACK);
      g.drawString(series.name(), legendX + 16, legendY);
      legendX += 16 + fm.stringWidth(series.name()) + 18;
    }
    g.setStroke(new BasicStroke(1));
    g.setColor(Color.BLACK);
    g.drawRect(LEFT, TOP, plotRight - LEFT, plotBottom - TOP);
    Graphics2D rotated = (Graphics2D) g.create();
    try {
      rotated.rotate(-Math.PI / 2);
      rotated.drawString(panel.unit(), -(TOP + (plotBottom - TOP + fm.stringWidth(panel.unit())) / 2), 14);
    } finally {
      rotated.dispose();
    }
  }

  private static int x(double timeS, double timeMax) {
    return LEFT + (int) Math.round(timeS / timeMax * (PANEL_WIDTH - LEFT - RIGHT));
  }

  private static int y(double v, double yMax) {
    return PANEL_HEIGHT - BOTTOM - (int) Math.round(v / yMax * (PANEL_HEIGHT - BOTTOM - TOP));
  }

  /** 1, 2 or 5 times a power of ten, at least {@code v}. */
  private static double niceCeiling(double v) {
    double power = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (power * m >= v) {
        return power * m;
      }
    }
    return power * 10;
  }
}
