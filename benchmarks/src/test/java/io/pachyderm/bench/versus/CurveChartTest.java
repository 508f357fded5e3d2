package io.pachyderm.bench.versus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurveChartTest {
  private static CurvePoint point(String system, String workload, double offered, double p99Ms) {
    return new CurvePoint(system, workload, offered, offered * 0.98, p99Ms / 4, p99Ms, p99Ms * 2, p99Ms * 3, 100, 0, 0);
  }

  private static List<CurvePoint> threeSystems() {
    List<CurvePoint> points = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      points.add(point("etcd-txn", "uniform", 1_000 * i, 2 * i));
      points.add(point("pachyderm-cluster", "uniform", 1_500 * i, 1.5 * i));
      points.add(point("raw-ratis", "uniform", 2_000 * i, 1.0 * i));
    }
    points.add(point("pachyderm-cluster", "hot", 500, 3));
    return points;
  }

  @Test
  void series_are_one_per_system_in_table_order_with_points_by_offered_rate() {
    Map<String, List<CurvePoint>> series = CurveChart.series(threeSystems(), "uniform");
    assertThat(series.keySet()).containsExactly("pachyderm-cluster", "raw-ratis", "etcd-txn");
    assertThat(series.get("etcd-txn")).extracting(CurvePoint::offeredPerS).containsExactly(1_000.0, 2_000.0, 3_000.0,
        4_000.0);
    assertThat(CurveChart.series(threeSystems(), "hot")).hasSize(1);
  }

  @Test
  void the_png_is_non_empty_and_draws_each_series_in_its_own_colour(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("curve-uniform.png");
    CurveChart.write(png, "uniform", threeSystems());
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(2 * CurveChart.PANEL_WIDTH);
    int[] pixelsPerSeries = new int[CurveChart.COLORS.length];
    for (int x = 0; x < image.getWidth(); x++) {
      for (int y = 0; y < image.getHeight(); y++) {
        int rgb = image.getRGB(x, y) & 0xffffff;
        for (int s = 0; s < CurveChart.COLORS.length; s++) {
          if (rgb == (CurveChart.color(s).getRGB() & 0xffffff)) {
            pixelsPerSeries[s]++;
          }
        }
      }
    }
    // Three systems: the first three colours drawn (lines, points, legend), the others never.
    assertThat(pixelsPerSeries[0]).isGreaterThan(100);
    assertThat(pixelsPerSeries[1]).isGreaterThan(100);
    assertThat(pixelsPerSeries[2]).isGreaterThan(100);
    for (int s = 3; s < CurveChart.COLORS.length; s++) {
      assertThat(pixelsPerSeries[s]).as("colour %d", s).isZero();
    }
  }

  @Test
  void a_workload_without_points_is_an_error_not_an_empty_chart(@TempDir Path dir) {
    assertThatThrownBy(() -> CurveChart.write(dir.resolve("x.png"), "zipfian", threeSystems()))
        .hasMessageContaining("no curve points for workload 'zipfian'");
    assertThat(Files.exists(dir.resolve("x.png"))).isFalse();
  }

  @Test
  void points_survive_their_tsv_and_the_report_writes_table_and_plot(@TempDir Path dir) throws Exception {
    CurvePoint p = new CurvePoint("raw-ratis", "uniform", 2_000, 1_950.5, 1.25, 9.5, 20.25, 31, 19_505, 3, 7);
    assertThat(CurvePoint.fromTsv(p.toTsv())).isEqualTo(p);
    assertThatThrownBy(() -> CurvePoint.fromTsv("raw-ratis\tuniform")).hasMessageContaining("11 tab-separated fields");

    StringBuilder tsv = new StringBuilder(CurvePoint.TSV_HEADER).append('\n');
    for (CurvePoint c : threeSystems()) {
      tsv.append(c.toTsv()).append('\n');
    }
    Files.writeString(dir.resolve("curve-all.tsv"), tsv);
    OpenSweep.report(dir);
    assertThat(ImageIO.read(dir.resolve("curve-uniform.png").toFile())).isNotNull();
    assertThat(ImageIO.read(dir.resolve("curve-hot.png").toFile())).isNotNull();
    assertThat(Files.readAllLines(dir.resolve("curve.tsv"))).hasSize(1 + 13);
    String table = OpenSweep.render("uniform", CurveChart.series(threeSystems(), "uniform"));
    assertThat(table.lines().filter(l -> l.startsWith("raw-ratis"))).hasSize(4);
  }
}
