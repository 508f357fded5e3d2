package io.pachyderm.chaos.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pachyderm.chaos.checker.Anomaly;
import io.pachyderm.chaos.checker.Verdict;
import io.pachyderm.chaos.history.History;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes the files of a finished run into its directory:
 *
 * <ul>
 *   <li>{@code history.jsonl} — only if the file is not there yet (the recorder usually streamed
 *       it during the run);
 *   <li>{@code verdicts.json} — every verdict with its anomalies and stats;
 *   <li>{@code summary.txt} — run info, op counts per function and outcome, availability overall,
 *       during each kind of nemesis window and in quiet time, anomalies by kind, each checker's
 *       VALID / INVALID / UNKNOWN, and the overall result;
 *   <li>{@code latency.png} — see {@link LatencyPlot}.
 * </ul>
 *
 * <p>Stateless; safe to call from any thread, but not twice at once on the same directory.
 */
public final class RunReport {
  public static final String HISTORY_FILE = "history.jsonl";
  public static final String VERDICTS_FILE = "verdicts.json";
  public static final String SUMMARY_FILE = "summary.txt";
  public static final String LATENCY_FILE = "latency.png";

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RunReport() {}

  /**
   * Writes the report files, creating {@code runDir} if needed.
   *
   * @param runInfo free-form facts about the run; {@code workload}, {@code nemesis} and
   *     {@code duration} are shown first in the summary and in the plot title
   * @throws UncheckedIOException if a file cannot be written
   */
  public static void write(
      Path runDir,
      History history,
      List<Verdict> verdicts,
      List<NemesisInterval> intervals,
      Map<String, String> runInfo) {
    try {
      Files.createDirectories(runDir);
      Path historyFile = runDir.resolve(HISTORY_FILE);
      if (!Files.exists(historyFile)) {
        history.write(historyFile);
      }
      Files.writeString(runDir.resolve(VERDICTS_FILE), verdictsJson(verdicts),
          StandardCharsets.UTF_8);
      Files.writeString(runDir.resolve(SUMMARY_FILE),
          Summary.render(history, verdicts, intervals, runInfo), StandardCharsets.UTF_8);
      LatencyPlot.write(runDir.resolve(LATENCY_FILE), history, intervals, runInfo);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write run report to " + runDir, e);
    }
  }

  /** True if every verdict is valid (an empty list is valid: nothing was claimed). */
  public static boolean allValid(List<Verdict> verdicts) {
    for (Verdict verdict : verdicts) {
      if (!verdict.valid()) {
        return false;
      }
    }
    return true;
  }

  static String verdictsJson(List<Verdict> verdicts) throws IOException {
    ArrayNode array = MAPPER.createArrayNode();
    for (Verdict verdict : verdicts) {
      ObjectNode node = array.addObject();
      node.put("checker", verdict.checker());
      node.put("valid", verdict.valid());
      node.put("result", verdict.label());
      ArrayNode anomalies = node.putArray("anomalies");
      for (Anomaly anomaly : verdict.anomalies()) {
        ObjectNode a = anomalies.addObject();
        a.put("kind", anomaly.kind());
        a.put("key", anomaly.key());
        a.put("description", anomaly.description());
      }
      node.set("stats", MAPPER.valueToTree(verdict.stats()));
    }
    return MAPPER.writeValueAsString(array) + "\n";
  }
}
