package io.pachyderm.chaos.run;

import io.pachyderm.chaos.checker.Anomaly;
import io.pachyderm.chaos.checker.Verdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a finished run found.
 *
 * @param runDir where history, verdicts, summary and plot were written
 * @param verdicts every checker's verdict, the harness's own {@code recovery} verdict last
 * @param summary the text of {@code summary.txt}
 */
public record RunResult(Path runDir, List<Verdict> verdicts, String summary) {
  public RunResult {
    verdicts = List.copyOf(verdicts);
  }

  /** True when every verdict is valid. */
  public boolean valid() {
    for (Verdict v : verdicts) {
      if (!v.valid()) {
        return false;
      }
    }
    return true;
  }

  /** Every anomaly of kind {@code kind}, from any verdict. */
  public List<Anomaly> anomalies(String kind) {
    List<Anomaly> found = new ArrayList<>();
    for (Verdict v : verdicts) {
      for (Anomaly a : v.anomalies()) {
        if (a.kind().equals(kind)) {
          found.add(a);
        }
      }
    }
    return found;
  }
}
