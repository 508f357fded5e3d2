package io.pachyderm.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.chaos.checker.Anomaly;
import io.pachyderm.chaos.checker.Verdict;
import io.pachyderm.chaos.nemesis.ChaosSchedule;
import io.pachyderm.chaos.nodes.ChaosNode;
import io.pachyderm.chaos.workload.WorkloadShape;
import io.pachyderm.node.settings.StateStoreKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
  void aScheduleFileKeysAndReadFractionShapeTheRun(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("faults.txt");
    Files.writeString(file, "at 10s isolate leader for 20s\nat 40s kill random-node, restart after 10s\n");
    ChaosRun cli = parse("--workload", "register", "--keys", "5", "--read-fraction", "0.2", "--schedule",
        file.toString(), "--duration", "60s");

    RunSettings s = cli.settings(1, 100);

    assertThat(s.nemesis()).isEqualTo(RunSettings.SCHEDULE);
    assertThat(s.schedule()).isEqualTo(ChaosSchedule.read(file));
    assertThat(s.shape()).isEqualTo(WorkloadShape.DEFAULT.withKeys(5).withReadFraction(0.2));
    assertThat(parse().settings(1, 100).nemesis()).isEqualTo("combined");
    assertThat(parse().settings(1, 100).schedule()).isNull();
  }

  @Test
  void tlsIsOffUnlessAskedFor() {
    assertThat(parse("--workload", "bank").settings(1, 100).mutualTls()).isFalse();
    assertThat(parse("--workload", "bank", "--tls").settings(1, 100).mutualTls()).isTrue();
  }

  @Test
  void theStateStoreDefaultsToTheNodesDefaultAndReachesEveryNodesCommandLine() {
    RunSettings byDefault = parse("--workload", "bank").settings(1, 100);
    RunSettings disk = parse("--workload", "bank", "--state-store", "disk").settings(1, 100);
    RunSettings heap = parse("--workload", "bank", "--state-store", "heap").settings(1, 100);

    assertThat(byDefault.stateStore()).isEqualTo(StateStoreKind.DEFAULT);
    assertThat(disk.stateStore()).isEqualTo(StateStoreKind.DISK);
    assertThat(heap.stateStore()).isEqualTo(StateStoreKind.HEAP);
    RunPlan plan = RunPlan.of(disk);
    assertThat(String.join(" ", ChaosRunner.nodeArgs(plan, plan.workload()))).contains("--state-store disk");
    RunPlan heapPlan = RunPlan.of(heap);
    assertThat(String.join(" ", ChaosRunner.nodeArgs(heapPlan, heapPlan.workload()))).contains("--state-store heap");
    assertThat(ChaosRun.run("--state-store", "tape")).isEqualTo(ChaosRun.EXIT_USAGE);
    assertThatThrownBy(() -> ChaosNode.StateStoreOption.parse("tape"))
        .hasMessage("--state-store must be heap or disk, was 'tape'");
  }

  @Test
  void aBadScheduleIsAUsageErrorThatNamesTheLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("faults.txt");
    Files.writeString(file, "at 10s isolate leader for 20s\nat 40s kill someone, restart after 10s\n");
    ChaosRun cli = parse("--schedule", file.toString());
    assertThatThrownBy(() -> cli.settings(1, 100)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(file + ": schedule line 2: 'someone' is not a target (leader, random-node, n<i> or all-nodes)");
    assertThat(ChaosRun.run("--schedule", file.toString())).isEqualTo(ChaosRun.EXIT_USAGE);
    assertThat(ChaosRun.run("--schedule", dir.resolve("missing.txt").toString())).isEqualTo(ChaosRun.EXIT_USAGE);
    Files.writeString(file, "at 10s pause n4 for 5s\n");
    assertThatThrownBy(() -> parse("--schedule", file.toString()).settings(1, 100))
        .hasMessage("schedule line 1: there is no n4 in a cluster of 3 nodes");
    Files.writeString(file, "at 90s pause n1 for 5s\n");
    assertThat(ChaosRun.run("--schedule", file.toString(), "--duration", "60s")).isEqualTo(ChaosRun.EXIT_USAGE);
  }

  @Test
  void aScheduleReplacesTheNemesisAndShapesOnlyFitSomeWorkloads(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("faults.txt");
    Files.writeString(file, "at 1s pause n1 for 1s\n");
    assertThatThrownBy(() -> parse("--schedule", file.toString(), "--nemesis", "kill").settings(1, 100))
        .hasMessage("--schedule and --nemesis exclude each other");
    assertThatThrownBy(() -> parse("--workload", "bank", "--keys", "3").settings(1, 100))
        .hasMessageContaining("workload bank has a fixed shape");
    assertThat(ChaosRun.run("--workload", "follow", "--read-fraction", "0.5")).isEqualTo(ChaosRun.EXIT_USAGE);
    assertThat(ChaosRun.run("--keys", "0")).isEqualTo(ChaosRun.EXIT_USAGE);
  }

  private static ChaosRun parse(String... args) {
    ChaosRun cli = new ChaosRun();
    new CommandLine(cli).parseArgs(args);
    return cli;
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
