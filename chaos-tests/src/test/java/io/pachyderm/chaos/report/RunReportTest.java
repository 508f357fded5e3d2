package io.pachyderm.chaos.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pachyderm.chaos.checker.Anomaly;
import io.pachyderm.chaos.checker.Verdict;
import io.pachyderm.chaos.history.History;
import io.pachyderm.chaos.history.HistoryBuilder;
import io.pachyderm.chaos.history.Op;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
  private static final long MS = 1_000_000;

  @TempDir Path dir;

  /** Ops every 10 ms for 3 s; during the partition (1-2 s) they time out or fail. */
  private static History history() {
    HistoryBuilder h = new HistoryBuilder();
    int process = 0;
    for (long t = 0; t < 3000; t += 10) {
      h.at(t * MS);
      boolean partitioned = t >= 1000 && t < 2000;
      Op op = t % 30 == 0 ? h.read(process, "r1") : h.write(process, "r1", t);
      h.at(t * MS + (partitioned ? 500 : 2 + t % 7) * MS);
      if (!partitioned) {
        if (op.isRead()) {
          h.ok(op, 1L);
        } else {
          h.ok(op);
        }
      } else if (t % 20 == 0) {
        h.fail(op);
      } else {
        h.info(op);
        process++;
      }
    }
    h.at(3100 * MS);
    h.write(process + 1, "r1", 7); // never completed
    h.finalRead("n1", "r1", 1L);
    return h.build();
  }

  private static List<Verdict> verdicts() {
    return List.of(
        Verdict.of("linearizable-register", List.of(), Map.of("keys", 1)),
        Verdict.of("append", List.of(
            new Anomaly(Anomaly.LOST_WRITE, "a1", "acknowledged append of 3 is missing"),
            new Anomaly(Anomaly.LOST_WRITE, "a2", "acknowledged append of 9 is missing"),
            new Anomaly(Anomaly.STALE_READ, "a1", "read misses 2")), Map.of()));
  }

  private static Map<String, String> runInfo() {
    Map<String, String> info = new LinkedHashMap<>();
    info.put("workload", "register");
    info.put("nemesis", "partition");
    info.put("duration", "3 s");
    info.put("seed", "42");
    return info;
  }

  private static final List<NemesisInterval> INTERVALS = List.of(
      new NemesisInterval("partition-majority", 1000 * MS, 2000 * MS),
      new NemesisInterval("kill n2", 2500 * MS, 2700 * MS));

  @Test
  void writesEveryFileAndAReadablePng() throws Exception {
    History history = history();
    RunReport.write(dir, history, verdicts(), INTERVALS, runInfo());

    assertThat(History.read(dir.resolve(RunReport.HISTORY_FILE))).isEqualTo(history);
    BufferedImage png = ImageIO.read(dir.resolve(RunReport.LATENCY_FILE).toFile());
    assertThat(png).isNotNull();
    assertThat(png.getWidth()).isEqualTo(LatencyPlot.WIDTH);
    assertThat(png.getHeight()).isEqualTo(LatencyPlot.HEIGHT);

    JsonNode verdicts = new ObjectMapper().readTree(dir.resolve(RunReport.VERDICTS_FILE).toFile());
    assertThat(verdicts.size()).isEqualTo(2);
    assertThat(verdicts.get(1).get("result").asText()).isEqualTo("INVALID");
    assertThat(verdicts.get(1).get("anomalies").get(0).get("kind").asText())
        .isEqualTo(Anomaly.LOST_WRITE);
  }

  @Test
  void summaryShowsCountsAvailabilityAnomaliesAndVerdicts() throws Exception {
    RunReport.write(dir, history(), verdicts(), INTERVALS, runInfo());
    String summary = Files.readString(dir.resolve(RunReport.SUMMARY_FILE));

    assertThat(summary)
        .contains("workload", "register", "partition", "3 s", "seed")
        .containsPattern("write\\s+133\\s+33\\s+35\\s+201")
        .containsPattern("read\\s+67\\s+17\\s+16\\s+100")
        .containsPattern("final-read\\s+1\\s+0\\s+0\\s+1")
        .containsPattern("all\\s+201\\s+50\\s+51\\s+302")
        .containsPattern("overall\\s+301\\s+200\\s+66\\.4%")
        .containsPattern("quiet \\(no nemesis\\)\\s+181\\s+180\\s+99\\.4%")
        .containsPattern("partition-majority\\s+1\\s+1\\.0\\s+100\\s+0\\s+0\\.0%")
        .containsPattern("kill n2\\s+1\\s+0\\.2\\s+20\\s+20\\s+100\\.0%")
        .containsPattern("lost-write\\s+2")
        .containsPattern("stale-read\\s+1")
        .containsPattern("linearizable-register\\s+VALID")
        .containsPattern("append\\s+INVALID\\s+3 anomalies")
        .contains("Result: INVALID");
  }

  @Test
  void anExistingHistoryFileIsKept() throws Exception {
    Path file = dir.resolve(RunReport.HISTORY_FILE);
    Files.writeString(file, "streamed by the recorder\n");
    RunReport.write(dir, history(), List.of(), List.of(), Map.of());
    assertThat(Files.readString(file)).isEqualTo("streamed by the recorder\n");
  }

  @Test
  void anEmptyRunStillGetsAReport() throws Exception {
    RunReport.write(dir.resolve("empty"), new HistoryBuilder().build(), List.of(), List.of(),
        Map.of());
    assertThat(ImageIO.read(dir.resolve("empty").resolve(RunReport.LATENCY_FILE).toFile()))
        .isNotNull();
    assertThat(Files.readString(dir.resolve("empty").resolve(RunReport.SUMMARY_FILE)))
        .contains("Result: VALID");
  }

  @Test
  void allValidOnlyWhenEveryVerdictIs() {
    Verdict valid = Verdict.of("a", List.of(), Map.of());
    Verdict unknown = Verdict.of("b", List.of(
        new Anomaly(Anomaly.SEARCH_BUDGET_EXCEEDED, "k", "too big")), Map.of());
    assertThat(RunReport.allValid(List.of(valid))).isTrue();
    assertThat(RunReport.allValid(List.of())).isTrue();
    assertThat(RunReport.allValid(List.of(valid, unknown))).isFalse();
    assertThat(unknown.label()).isEqualTo("UNKNOWN");
  }

  @Test
  void anUnknownVerdictMakesTheResultUnknownNotInvalid() throws Exception {
    Verdict unknown = Verdict.of("linearizable-counter", List.of(
        new Anomaly(Anomaly.SEARCH_BUDGET_EXCEEDED, "c1", "stepsPerKeyMax")), Map.of());
    RunReport.write(dir, history(), List.of(unknown), List.of(), runInfo());
    assertThat(Files.readString(dir.resolve(RunReport.SUMMARY_FILE)))
        .containsPattern("linearizable-counter\\s+UNKNOWN")
        .contains("Result: UNKNOWN");
  }
}
