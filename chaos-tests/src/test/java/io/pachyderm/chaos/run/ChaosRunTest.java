package io.pachyderm.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.chaos.checker.Anomaly;
import io.pachyderm.chaos.checker.Verdict;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The CLI's argument handling; no cluster is started. */
class ChaosRunTest {
  @Test
  void durationsTakeTheUnitsPeopleType() {
    ChaosRun.DurationConverter c = new ChaosRun.DurationConverter();
    assertThat(c.convert("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.convert("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.convert("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(c.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(c.convert("45")).isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void badDurationIsAUsageError() {
    assertThat(ChaosRun.run("--duration", "ten minutes")).isEqualTo(CommandLine.ExitCode.USAGE);
  }

  @Test
  void unknownWorkloadOrNemesisIsAUsageError() {
    assertThat(ChaosRun.run("--workload", "ledger")).isEqualTo(ChaosRun.EXIT_USAGE);
    assertThat(ChaosRun.run("--nemesis", "flood")).isEqualTo(ChaosRun.EXIT_USAGE);
  }

  @Test
  void aControlRunCountsAnyCheckersAnomalyButNotTheHarnessOrAnExhaustedSearch() {
    Verdict counter = Verdict.of("linearizable-counter", List.of(
        new Anomaly(Anomaly.NON_LINEARIZABLE, "l1", "lost"),
        new Anomaly(Anomaly.SEARCH_BUDGET_EXCEEDED, "l2", "budget")), Map.of());
    Verdict effects = Verdict.of("effects-at-least-once", List.of(
        new Anomaly(Anomaly.EFFECT_UNCOMMITTED, "l1@9", "gone")), Map.of());
    Verdict recovery = Verdict.of(ChaosRunner.RECOVERY_CHECKER, List.of(
        new Anomaly(ChaosRunner.NOT_RECOVERED, null, "slow")), Map.of());

    assertThat(ChaosRun.plantedFaultEvidence(new RunResult(Path.of("x"), List.of(counter, effects, recovery), "")))
        .containsExactly(Map.entry(Anomaly.EFFECT_UNCOMMITTED, 1), Map.entry(Anomaly.NON_LINEARIZABLE, 1));
    assertThat(ChaosRun.plantedFaultEvidence(new RunResult(Path.of("x"), List.of(recovery), ""))).isEmpty();
  }
}
