package io.pachyderm.chaos.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.chaos.history.HistoryRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FinalStatesCheckerTest {
  /** Every thermostat's final set-point lies in 5..30. */
  private static final FinalStatesChecker IN_RANGE = new FinalStatesChecker("in-range", states -> {
    List<String> wrong = new ArrayList<>();
    states.forEach((key, value) -> {
      if (value != null && ((Long) value < 5 || (Long) value > 30)) {
        wrong.add(key + " = " + value);
      }
    });
    return wrong;
  });

  @Test
  void nodesThatAgreeAndKeepTheInvariantAreValid() {
    HistoryRecorder r = new HistoryRecorder(null);
    for (String node : List.of("n1", "n2", "n3")) {
      r.finalRead(node, "t0", 21L);
      r.finalRead(node, "t1", null);
    }
    Verdict v = IN_RANGE.check(r.history());
    assertThat(v.valid()).as("%s", v).isTrue();
    assertThat(v.stats()).containsEntry("nodes", 3).containsEntry("keys", 2).containsEntry("violations", 0);
  }

  @Test
  void aViolationIsNamedWithItsNode() {
    HistoryRecorder r = new HistoryRecorder(null);
    r.finalRead("n1", "t0", 40L);
    r.finalRead("n2", "t0", 40L);
    Verdict v = IN_RANGE.check(r.history());
    assertThat(v.anomalies()).containsExactly(
        new Anomaly(Anomaly.INVARIANT_VIOLATED, null, "on n1: t0 = 40"),
        new Anomaly(Anomaly.INVARIANT_VIOLATED, null, "on n2: t0 = 40"));
  }

  @Test
  void nodesMustAgreeAndAnswerForEveryKey() {
    HistoryRecorder r = new HistoryRecorder(null);
    r.finalRead("n1", "t0", 20L);
    r.finalRead("n2", "t0", 21L);
    r.finalRead("n1", "t1", 7L);
    Verdict v = IN_RANGE.check(r.history());
    assertThat(v.anomalies()).containsExactly(
        new Anomaly(Anomaly.INCOMPLETE_FINAL_READS, "t1", "n2 has no final read of t1"),
        new Anomaly(Anomaly.DIVERGENT_FINAL_READS, "t0", "nodes read " + Map.of("n1", 20L).toString()
            .replace("}", ", n2=21}")));
  }
}
