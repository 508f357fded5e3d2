package io.pachyderm.chaos.run;

import io.pachyderm.chaos.checker.Anomaly;
import io.pachyderm.chaos.checker.DigestChecker;
import io.pachyderm.chaos.checker.Verdict;
import io.pachyderm.chaos.history.History;
import io.pachyderm.chaos.history.Op;
import io.pachyderm.chaos.report.NemesisInterval;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a finished run found. Immutable.
 *
 * @param runDir where history, verdicts, summary, plot, nemesis log and node logs were written
 * @param verdicts every checker's verdict: the workload's, then {@value DigestChecker#NAME} (replica
 *     digests compared across nodes at every applied index two nodes reported), then the
 *     harness's own {@value ChaosRunner#RECOVERY_CHECKER} (healed, no node crashed, every final
 *     read answered, the nemesis did what it was told)
 * @param summary the text of {@code summary.txt}
 * @param history every client operation and, at the end, every final read ({@link Op#FINAL_READ},
 *     one per key and node)
 * @param faults the fault windows, on the history's clock (nanoseconds since the run began), in
 *     the order they were healed; named by kind ({@code kill-leader}, {@code partition-bridge})
 * @param clientsStartNs when the clients (and the nemesis schedule, whose times count from here)
 *     started, on the history's clock
 */
public record RunResult(Path runDir, List<Verdict> verdicts, String summary, History history,
                        List<NemesisInterval> faults, long clientsStartNs) {
  public RunResult {
    verdicts = List.copyOf(verdicts);
    faults = List.copyOf(faults);
  }

  /** A result with no history (for tests of what reads results). */
  public RunResult(Path runDir, List<Verdict> verdicts, String summary) {
    this(runDir, verdicts, summary, History.of(List.of()), List.of(), 0);
  }

  /** The verdict of checker {@code name}. */
  public Optional<Verdict> verdict(String name) {
    for (Verdict v : verdicts) {
      if (v.checker().equals(name)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  /**
   * The final reads, by node and then key, in the order read: what each node's own state held
   * after recovery. A read that failed is missing (and reported in the recovery verdict).
   */
  public Map<String, Map<String, Object>> finalReads() {
    Map<String, Map<String, Object>> reads = new TreeMap<>();
    for (Op op : history.ops()) {
      if (Op.FINAL_READ.equals(op.f()) && op.isOk()) {
        reads.computeIfAbsent(op.node(), n -> new LinkedHashMap<>()).put(op.key(), op.value());
      }
    }
    return reads;
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
