package io.pachyderm.bench.versus;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Draws one workload's throughput–latency curves to a PNG with {@code javax.imageio} (as
 * {@code MetricsChart} does; no charting library): two panels, p50 and p99 latency (log scale, ms)
 * against the achieved rate (calls/s), one line per system, points in the order of the offered
 * rate. Runs headless.
 */
final class CurveChart {
  static final int PANEL_WIDTH = 640;
  static final int PANEL_HEIGHT = 420;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 40;
  private static final int BOTTOM = 90;
  private static final int TITLE_HEIGHT = 30;
  /** The latency axis spans at least these decades' worth (0.1 ms .. 1 s by default). */
  private static final double LATENCY_MS_FLOOR = 0.1;
  static final Color[] COLORS = {
    new Color(0x1f, 0x77, 0xb4), new Color(0xd6, 0x27, 0x28), new Color(0x2c, 0xa0, 0x2c),
    new Color(0xff, 0x7f, 0x0e), new Color(0x94, 0x67, 0xbd), new Color(0x8c, 0x56, 0x4b)};

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private CurveChart() {
  }

  /** The workload's points per system, systems in the table's order, each system's points by offered rate. */
  static Map<String, List<CurvePoint>> series(List<CurvePoint> points, String workload) {
    List<CurvePoint> sorted = new ArrayList<>();
    for (CurvePoint p : points) {
      if (p.workload().equals(workload)) {
        sorted.add(p);
      }
    }
    sorted.sort(Comparator.comparingInt((CurvePoint p) -> SystemKind.rank(p.system())).thenComparing(CurvePoint::system)
        .thenComparingDouble(CurvePoint::offeredPerS));
    Map<String, List<CurvePoint>> bySystem = new LinkedHashMap<>();
    for (CurvePoint p : sorted) {
      bySystem.computeIfAbsent(p.system(), s -> new ArrayList<>()).add(p);
    }
    return bySystem;
  }

  /** The colour of the {@code i}-th series (0-based). */
  static Color color(int i) {
    return COLORS[i % COLORS.length];
  }

  /** Writes {@code png}; an error if the workload has no points (an empty chart says nothing). */
  static void write(Path png, String workload, List<CurvePoint> points) throws IOException {
    Map<String, List<CurvePoint>> series = series(points, workload);
    if (series.isEmpty()) {
      throw new IllegalArgumentException("no curve points for workload '" + workload + "'");
    }
    BufferedImage image = new BufferedImage(PANEL_WIDTH * 2, PANEL_HEIGHT + TITLE_HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
      g.drawString("Open loop, workload " + workload + ": latency from the intended start (coordinated omission "
          + "corrected) vs achieved rate", 12, 21);
      double rateMax = 1;
      double latencyMax = 1;
      for (List<CurvePoint> s : series.values()) {
        for (CurvePoint p : s) {
          rateMax = Math.max(rateMax, p.achievedPerS());
          latencyMax = Math.max(latencyMax, p.p99Ms());
        }
      }
      rateMax = niceCeiling(rateMax);
      latencyMax = Math.pow(10, Math.ceil(Math.log10(latencyMax)));
      drawPanel((Graphics2D) g.create(0, TITLE_HEIGHT, PANEL_WIDTH, PANEL_HEIGHT), "p50 latency, ms", series,
          CurvePoint::p50Ms, rateMax, latencyMax);
      drawPanel((Graphics2D) g.create(PANEL_WIDTH, TITLE_HEIGHT, PANEL_WIDTH, PANEL_HEIGHT), "p99 latency, ms",
          series, CurvePoint::p99Ms, rateMax, latencyMax);
    } finally {
      g.dispose();
    }
    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!ImageIO.write(image, "png", png.toFile())) {
      throw new IOException("no PNG writer in this JVM");
    }
  }

  private static void drawPanel(Graphics2D g, String title, Map<String, List<CurvePoint>> series,
                                ToDoubleFunction<CurvePoint> latencyMs, double rateMax, double latencyMax) {
    try {
      int width = PANEL_WIDTH - LEFT - RIGHT;
      int height = PANEL_HEIGHT - TOP - BOTTOM;
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.setColor(Color.BLACK);
      g.drawString(title + " vs achieved calls/s", LEFT, TOP - 12);
      g.setColor(Color.LIGHT_GRAY);
      for (double decade = LATENCY_MS_FLOOR; decade <= latencyMax * 1.0001; decade *= 10) {
        int y = y(decade, latencyMax, height);
        g.drawLine(LEFT, y, LEFT + width, y);
        g.setColor(Color.DARK_GRAY);
        g.drawString(label(decade), 8, y + 4);
        g.setColor(Color.LIGHT_GRAY);
      }
      for (int i = 0; i <= 4; i++) {
        int x = LEFT + width * i / 4;
        g.drawLine(x, TOP, x, TOP + height);
        g.setColor(Color.DARK_GRAY);
        g.drawString(String.format(Locale.ROOT, "%,.0f", rateMax * i / 4), x - 15, TOP + height + 16);
        g.setColor(Color.LIGHT_GRAY);
      }
      g.setColor(Color.BLACK);
      g.drawRect(LEFT, TOP, width, height);
      // Lines and points without antialiasing: each series keeps its exact colour (the test finds it).
      g.setStroke(new BasicStroke(2f));
      int s = 0;
      int legendY = TOP + height + 36;
      for (Map.Entry<String, List<CurvePoint>> e : series.entrySet()) {
        g.setColor(color(s));
        int prevX = -1;
        int prevY = -1;
        for (CurvePoint p : e.getValue()) {
          int x = LEFT + (int) Math.round(width * Math.min(1, p.achievedPerS() / rateMax));
          int y = y(latencyMs.applyAsDouble(p), latencyMax, height);
          g.fillRect(x - 3, y - 3, 7, 7);
          if (prevX >= 0) {
            g.drawLine(prevX, prevY, x, y);
          }
          prevX = x;
          prevY = y;
        }
        int legendX = LEFT + (s % 3) * 180;
        int rowY = legendY + (s / 3) * 18;
        g.fillRect(legendX, rowY - 9, 14, 10);
        g.setColor(Color.BLACK);
        g.drawString(e.getKey(), legendX + 20, rowY);
        s++;
      }
    } finally {
      g.dispose();
    }
  }

  /** Log scale from LATENCY_MS_FLOOR at the bottom to latencyMax at the top; values below the floor sit on it. */
  private static int y(double latencyMs, double latencyMax, int height) {
    double low = Math.log10(LATENCY_MS_FLOOR);
    double high = Math.log10(Math.max(latencyMax, LATENCY_MS_FLOOR * 10));
    double f = (Math.log10(Math.max(latencyMs, LATENCY_MS_FLOOR)) - low) / (high - low);
    return TOP + height - (int) Math.round(height * Math.min(1, f));
  }

  private static String label(double ms) {
    return ms < 1 ? String.format(Locale.ROOT, "%.1f", ms) : String.format(Locale.ROOT, "%,.0f", ms);
  }

  private static double niceCeiling(double v) {
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * magnitude >= v) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }
}
