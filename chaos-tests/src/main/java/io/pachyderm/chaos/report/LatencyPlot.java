package io.pachyderm.chaos.report;

import io.pachyderm.chaos.history.History;
import io.pachyderm.chaos.history.OpPair;
import io.pachyderm.chaos.history.OpType;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Draws {@code latency.png}: one point per completed client operation at (invocation time,
 * latency), colored by outcome (ok blue, fail red, info orange), latency on a log scale in
 * milliseconds, and every nemesis window shaded and labelled — the shape of Jepsen's latency
 * graphs. Operations never completed have no latency and are not drawn; final reads are drawn
 * too (they show when the run's final phase happened).
 *
 * <p>Runs headless: sets {@code java.awt.headless=true} unless the property is already set.
 */
final class LatencyPlot {
  static final int WIDTH = 1200;
  static final int HEIGHT = 600;

  private static final int LEFT = 80;
  private static final int RIGHT = 170;
  private static final int TOP = 50;
  private static final int BOTTOM = 60;
  /** Latencies below this are drawn at it: the log axis needs a floor. */
  private static final double LATENCY_MS_MIN = 0.01;

  private static final Color OK_COLOR = new Color(0x1f, 0x77, 0xb4);
  private static final Color FAIL_COLOR = new Color(0xd6, 0x27, 0x28);
  private static final Color INFO_COLOR = new Color(0xff, 0x99, 0x00);
  private static final Color[] NEMESIS_COLORS = {
    new Color(0x99, 0x99, 0x99, 60),
    new Color(0x8c, 0x56, 0x4b, 60),
    new Color(0x94, 0x67, 0xbd, 60),
    new Color(0x2c, 0xa0, 0x2c, 60),
    new Color(0xe3, 0x77, 0xc2, 60),
    new Color(0x17, 0xbe, 0xcf, 60),
  };

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private LatencyPlot() {}

  private record Point(double timeS, double latencyMs, OpType outcome) {}

  static void write(
      Path png, History history, List<NemesisInterval> intervals, Map<String, String> runInfo)
      throws IOException {
    BufferedImage image = draw(history, intervals, runInfo);
    if (!ImageIO.write(image, "png", png.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }

  static BufferedImage draw(
      History history, List<NemesisInterval> intervals, Map<String, String> runInfo) {
    List<Point> points = new ArrayList<>();
    double timeSMax = 1;
    double latencyMsMax = 1;
    double latencyMsMin = 1;
    for (OpPair pair : history.pairs()) {
      if (pair.completion() == null) {
        continue;
      }
      double timeS = pair.invoke().timeNs() / 1e9;
      double latencyMs = Math.max(LATENCY_MS_MIN, pair.latencyNs() / 1e6);
      points.add(new Point(timeS, latencyMs, pair.outcome()));
      timeSMax = Math.max(timeSMax, pair.completion().timeNs() / 1e9);
      latencyMsMax = Math.max(latencyMsMax, latencyMs);
      latencyMsMin = Math.min(latencyMsMin, latencyMs);
    }
    for (NemesisInterval interval : intervals) {
      timeSMax = Math.max(timeSMax, interval.endNs() / 1e9);
    }
    // Whole decades, with headroom so that timeouts (often a round 1000 ms) sit inside the plot.
    double log10Min = Math.floor(Math.log10(latencyMsMin));
    double log10Max = Math.max(Math.ceil(Math.log10(latencyMsMax * 1.2)), log10Min + 1);
    Axis axis = new Axis(timeSMax, log10Min, log10Max);

    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
          RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      drawNemeses(g, axis, intervals);
      drawAxes(g, axis);
      // Rare outcomes last, so they stay visible on top of the many oks.
      for (OpType outcome : List.of(OpType.OK, OpType.FAIL, OpType.INFO)) {
        g.setColor(colorOf(outcome));
        for (Point point : points) {
          if (point.outcome() == outcome) {
            int x = axis.x(point.timeS());
            int y = axis.y(point.latencyMs());
            g.fillOval(x - 2, y - 2, 4, 4);
          }
        }
      }
      drawLegend(g, intervals);
      drawTitle(g, runInfo);
    } finally {
      g.dispose();
    }
    return image;
  }

  /** Maps data to pixels: x linear in seconds, y in log10(ms) over whole decades. */
  private record Axis(double timeSMax, double log10Min, double log10Max) {
    int x(double timeS) {
      return LEFT + (int) Math.round(timeS / timeSMax * (WIDTH - LEFT - RIGHT));
    }

    int y(double latencyMs) {
      double fraction = (Math.log10(latencyMs) - log10Min) / (log10Max - log10Min);
      return HEIGHT - BOTTOM - (int) Math.round(fraction * (HEIGHT - TOP - BOTTOM));
    }
  }

  private static Color colorOf(OpType outcome) {
    return switch (outcome) {
      case OK -> OK_COLOR;
      case FAIL -> FAIL_COLOR;
      case INFO, INVOKE -> INFO_COLOR;
    };
  }

  private static void drawNemeses(Graphics2D g, Axis axis, List<NemesisInterval> intervals) {
    Map<String, Color> colors = nemesisColors(intervals);
    FontMetrics metrics = g.getFontMetrics();
    for (NemesisInterval interval : intervals) {
      int x0 = axis.x(interval.startNs() / 1e9);
      int x1 = Math.max(x0 + 1, axis.x(interval.endNs() / 1e9));
      g.setColor(colors.get(interval.name()));
      g.fillRect(x0, TOP, x1 - x0, HEIGHT - TOP - BOTTOM);
      g.setColor(Color.DARK_GRAY);
      String label = interval.name();
      if (metrics.stringWidth(label) < x1 - x0 + 40) {
        g.drawString(label, x0 + 2, TOP + metrics.getAscent() + 2);
      }
    }
  }

  private static Map<String, Color> nemesisColors(List<NemesisInterval> intervals) {
    Map<String, Color> colors = new LinkedHashMap<>();
    for (NemesisInterval interval : intervals) {
      colors.computeIfAbsent(interval.name(),
          n -> NEMESIS_COLORS[colors.size() % NEMESIS_COLORS.length]);
    }
    return colors;
  }

  private static void drawAxes(Graphics2D g, Axis axis) {
    int plotBottom = HEIGHT - BOTTOM;
    int plotRight = WIDTH - RIGHT;
    FontMetrics metrics = g.getFontMetrics();
    g.setStroke(new BasicStroke(1));
    for (int decade = (int) axis.log10Min(); decade <= (int) axis.log10Max(); decade++) {
      double ms = Math.pow(10, decade);
      int y = axis.y(ms);
      g.setColor(new Color(0xdd, 0xdd, 0xdd));
      g.drawLine(LEFT, y, plotRight, y);
      g.setColor(Color.BLACK);
      String label = formatMs(ms);
      g.drawString(label, LEFT - 6 - metrics.stringWidth(label), y + metrics.getAscent() / 2);
    }
    double step = niceStep(axis.timeSMax() / 10);
    for (double t = 0; t <= axis.timeSMax() + 1e-9; t += step) {
      int x = axis.x(t);
      g.setColor(Color.BLACK);
      g.drawLine(x, plotBottom, x, plotBottom + 4);
      String label = String.format(Locale.ROOT, step < 1 ? "%.1f" : "%.0f", t);
      g.drawString(label, x - metrics.stringWidth(label) / 2, plotBottom + 6 + metrics.getAscent());
    }
    g.setColor(Color.BLACK);
    g.drawRect(LEFT, TOP, plotRight - LEFT, plotBottom - TOP);
    String xLabel = "time since start (s)";
    g.drawString(xLabel, LEFT + (plotRight - LEFT - metrics.stringWidth(xLabel)) / 2,
        HEIGHT - 15);
    Graphics2D rotated = (Graphics2D) g.create();
    try {
      rotated.rotate(-Math.PI / 2);
      String yLabel = "latency (ms, log scale)";
      rotated.drawString(yLabel, -(TOP + (plotBottom - TOP + metrics.stringWidth(yLabel)) / 2),
          20);
    } finally {
      rotated.dispose();
    }
  }

  private static void drawLegend(Graphics2D g, List<NemesisInterval> intervals) {
    int x = WIDTH - RIGHT + 15;
    int y = TOP + 10;
    FontMetrics metrics = g.getFontMetrics();
    for (OpType outcome : List.of(OpType.OK, OpType.FAIL, OpType.INFO)) {
      g.setColor(colorOf(outcome));
      g.fillOval(x, y - 4, 8, 8);
      g.setColor(Color.BLACK);
      g.drawString(outcome.name().toLowerCase(Locale.ROOT), x + 14, y + metrics.getAscent() / 2);
      y += 20;
    }
    y += 10;
    for (Map.Entry<String, Color> entry : nemesisColors(intervals).entrySet()) {
      Color c = entry.getValue();
      g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 140));
      g.fillRect(x, y - 6, 10, 12);
      g.setColor(Color.BLACK);
      g.drawString(entry.getKey(), x + 14, y + metrics.getAscent() / 2);
      y += 20;
    }
  }

  private static void drawTitle(Graphics2D g, Map<String, String> runInfo) {
    String title = "latency — workload " + runInfo.getOrDefault("workload", "?")
        + ", nemesis " + runInfo.getOrDefault("nemesis", "?");
    g.setColor(Color.BLACK);
    g.setFont(g.getFont().deriveFont(Font.BOLD, 14f));
    g.drawString(title, LEFT, TOP - 18);
  }

  private static String formatMs(double ms) {
    return ms >= 1 ? String.format(Locale.ROOT, "%.0f", ms) : String.format(Locale.ROOT, "%s",
        Double.toString(ms));
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  private static double niceStep(double raw) {
    double power = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-3))));
    for (double multiple : new double[] {1, 2, 5, 10}) {
      if (power * multiple >= raw) {
        return power * multiple;
      }
    }
    return power * 10;
  }
}
