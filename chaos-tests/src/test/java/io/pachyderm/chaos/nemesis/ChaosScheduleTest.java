package io.pachyderm.chaos.nemesis;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChaosScheduleTest {
  private static final String ISSUE_EXAMPLE = """
      at 10s isolate leader for 20s
      at 40s kill random-node, restart after 10s
      at 60s pause n2 for 5s
      at 70s partition majorities-ring for 15s
      """;

  @Test
  void theFileFormAndTheBuilderDescribeTheSameSchedule() {
    ChaosSchedule built = ChaosSchedule.builder()
        .at(ofSeconds(60), FaultAction.pause(FaultTarget.node(2)), ofSeconds(5))
        .at(ofSeconds(10), FaultAction.isolate(FaultTarget.leader()), ofSeconds(20))
        .at(ofSeconds(70), FaultAction.partition(FaultAction.Shape.MAJORITIES_RING), ofSeconds(15))
        .at(ofSeconds(40), FaultAction.kill(FaultTarget.randomNode()), ofSeconds(10))
        .build();

    ChaosSchedule parsed = ChaosSchedule.parse(ISSUE_EXAMPLE);

    assertThat(parsed).isEqualTo(built);
    assertThat(parsed.toText()).isEqualTo(ISSUE_EXAMPLE);
    assertThat(parsed.entries()).extracting(ChaosSchedule.Entry::line).containsExactly(1, 2, 3, 4);
    assertThat(parsed.entries().get(1).fault()).isEqualTo(new FaultAction.Kill(new FaultTarget.RandomNode()));
    assertThat(parsed.end()).isEqualTo(ofSeconds(85));
  }

  @Test
  void everyFaultKindTargetAndUnitReadsBackFromItsText() {
    String text = """
        # every kind; blank lines and comments are skipped

        at 0s kill leader, restart after 1500ms   # the leader when the fault starts
        at 2s kill n3 for 1s
        at 4s pause all-nodes for 2m
        at 5s partition halves for 1s
        at 6s partition bridge for 10m
        at 1h isolate random-node for 500ms
        at 2h cut-log-tail all-nodes keep 30%, restart after 10s
        at 3h cut-log-tail n1,restart after 10s
        """;

    ChaosSchedule s = ChaosSchedule.parse(text);

    assertThat(s.entries()).extracting(e -> e.fault().text()).containsExactly("kill leader", "kill n3",
        "pause all-nodes", "partition halves", "partition bridge", "isolate random-node",
        "cut-log-tail all-nodes keep 30%", "cut-log-tail n1 keep 50%");
    assertThat(s.entries()).extracting(e -> e.fault().kind()).containsExactly("kill-leader", "kill-n3",
        "pause-all-nodes", "partition-halves", "partition-bridge", "isolate-random-node", "cut-log-tail-all-nodes",
        "cut-log-tail-n1");
    assertThat(s.entries().get(0).lasting()).isEqualTo(ofMillis(1500));
    assertThat(s.entries().get(2).lasting()).isEqualTo(Duration.ofMinutes(2));
    assertThat(s.entries().get(6).fault()).isEqualTo(new FaultAction.CutLogTail(new FaultTarget.AllNodes(), 0.3));
    assertThat(ChaosSchedule.parse(s.toText())).isEqualTo(s);
    assertThat(ChaosSchedule.format(ofSeconds(70))).isEqualTo("70s");
    assertThat(ChaosSchedule.format(Duration.ofMinutes(10))).isEqualTo("10m");
    assertThat(ChaosSchedule.format(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(ChaosSchedule.format(Duration.ofHours(2))).isEqualTo("2h");
    assertThat(ChaosSchedule.format(ofSeconds(601))).isEqualTo("601s");
  }

  @Test
  void parseErrorsNameTheLineAndWhatWasWrong() {
    assertError("at 10s isolate leader for 20s\nat 40s explode n1 for 1s",
        2, "schedule line 2: unknown fault 'explode'; expected kill, pause, isolate, partition, cut-log-tail or "
        + "fill-disk");
    assertError("# header\nin 10s kill leader for 1s", 2, "line 2: every line starts with 'at <time>', found 'in'");
    assertError("at ten kill leader for 1s", 1, "line 1: 'ten' after 'at' is not a duration like 500ms, 10s, 2m or 1h");
    assertError("at 10s kill leader", 1,
        "line 1: missing how long: expected ', restart after <time>' or 'for <time>' at the end");
    assertError("at 10s pause n2, restart after 5s", 1, "line 1: pause n2 ends with 'for <time>', not ', restart after'");
    assertError("at 10s pause node2 for 5s", 1,
        "line 1: 'node2' is not a target (leader, random-node, n<i> or all-nodes)");
    assertError("at 10s isolate all-nodes for 5s", 1, "line 1: 'all-nodes' is not one node (leader, random-node or n<i>)");
    assertError("at 10s partition thirds for 5s", 1,
        "line 1: unknown partition shape 'thirds'; expected halves, majorities-ring or bridge");
    assertError("at 10s kill n1 for 5s please", 1, "line 1: unexpected 'please' at the end");
    assertError("at 10s kill n1 for 0s", 1, "line 1: a fault must last a positive time");
    assertError("at 10s cut-log-tail n1 keep 100%, restart after 1s", 1,
        "line 1: '100%' is not a percentage between 1% and 99%");
    assertError("at 10s kill n1, restart before 1s", 1, "line 1: expected 'restart after <time>' after the comma, found 'before'");
  }

  @Test
  void overlappingPartitionsAreRejectedBecauseHealingOneHealsBoth() {
    assertError("at 10s partition halves for 20s\nat 5s pause n1 for 60s\nat 25s isolate leader for 5s", 3,
        "schedule line 3: isolate leader starts at 25s while partition halves (line 1) is in force until 30s");
    // Back to back is fine (heals go first), and other faults may overlap a partition.
    ChaosSchedule ok = ChaosSchedule.parse("at 10s partition halves for 20s\nat 30s isolate leader for 5s\n"
        + "at 12s kill leader, restart after 5s");
    assertThat(ok.entries()).hasSize(3);
  }

  @Test
  void fillDiskTakesAnyTargetAndEndsWithFor() {
    ChaosSchedule s = ChaosSchedule.parse("""
        at 30s fill-disk n2 for 20s
        at 60s fill-disk leader for 5s   # the leader when the fault starts
        at 70s fill-disk random-node for 1m
        at 3m fill-disk all-nodes for 500ms
        """);

    assertThat(s.entries()).extracting(e -> e.fault()).containsExactly(
        new FaultAction.FillDisk(new FaultTarget.Node(2)), new FaultAction.FillDisk(new FaultTarget.Leader()),
        new FaultAction.FillDisk(new FaultTarget.RandomNode()), new FaultAction.FillDisk(new FaultTarget.AllNodes()));
    assertThat(s.entries()).extracting(e -> e.fault().kind()).containsExactly("fill-disk-n2", "fill-disk-leader",
        "fill-disk-random-node", "fill-disk-all-nodes");
    assertThat(s.entries().get(0).text()).isEqualTo("at 30s fill-disk n2 for 20s");
    assertThat(s.entries().get(0).lasting()).isEqualTo(ofSeconds(20));
    assertThat(ChaosSchedule.parse(s.toText())).isEqualTo(s);
    assertThat(s.fillsDisks()).isTrue();
    assertThat(ChaosSchedule.parse(ISSUE_EXAMPLE).fillsDisks()).isFalse();
    assertThatThrownBy(() -> ChaosSchedule.parse("at 1s fill-disk n4 for 1s").requireFits(3, ofSeconds(60)))
        .hasMessage("schedule line 1: there is no n4 in a cluster of 3 nodes");
  }

  @Test
  void fillDiskParseErrorsNameTheLine() {
    assertError("at 1s kill n1 for 1s\nat 30s fill-disk n2, restart after 20s", 2,
        "schedule line 2: fill-disk n2 ends with 'for <time>', not ', restart after'");
    assertError("at 30s fill-disk for 20s", 1,
        "schedule line 1: 'for' is not a target (leader, random-node, n<i> or all-nodes)");
    assertError("at 30s fill-disk n2", 1, "schedule line 1: missing how long: expected 'for <time>' at the end");
    assertError("at 30s fill-disk disk2 for 20s", 1, "line 1: 'disk2' is not a target");
    assertError("at 30s fill-disk n2 for 20 s", 1, "line 1: '20' after 'for' is not a duration");
    assertError("at 30s fill-disk n2 for 20s keep 50%", 1, "line 1: unexpected 'keep 50%' at the end");
  }

  @Test
  void overlappingDiskFillsAreRejectedBecauseTheLeaderMayBeTheNodeAlreadyFull() {
    assertError("at 10s fill-disk n2 for 20s\nat 15s kill n2, restart after 5s\nat 25s fill-disk leader for 5s", 3,
        "schedule line 3: fill-disk leader starts at 25s while fill-disk n2 (line 1) is in force until 30s; "
        + "two disk fills may not overlap");
    // Back to back is fine (the first is healed before the second starts); other faults may overlap one.
    assertThat(ChaosSchedule.parse("at 10s fill-disk n2 for 20s\nat 30s fill-disk n1 for 5s\n"
        + "at 12s partition halves for 5s").entries()).hasSize(3);
  }

  @Test
  void aScheduleMustFitTheCluster() {
    ChaosSchedule s = ChaosSchedule.parse("at 5s pause n2 for 5s\nat 10s kill n4, restart after 1s");
    assertThatThrownBy(() -> s.requireFits(3, ofSeconds(60))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("schedule line 2: there is no n4 in a cluster of 3 nodes");
    s.requireFits(5, ofSeconds(60));
    assertThatThrownBy(() -> s.requireFits(5, ofSeconds(10))).hasMessage(
        "schedule line 2: starts at 10s, not before the clients stop at 10s (make the run longer)");
    ChaosSchedule built = ChaosSchedule.builder().at(ofSeconds(1), FaultAction.kill(FaultTarget.node(7)), ofSeconds(1))
        .build();
    assertThatThrownBy(() -> built.requireFits(3, ofSeconds(60)))
        .hasMessage("schedule 'at 1s kill n7, restart after 1s': there is no n7 in a cluster of 3 nodes");
  }

  @Test
  void readingAFileNamesTheFileInErrors(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("faults.txt");
    Files.writeString(file, "at 1s kill leader, restart after 1s\nat 2s pause\n");
    assertThatThrownBy(() -> ChaosSchedule.read(file)).isInstanceOf(ScheduleParseException.class)
        .hasMessage(file + ": schedule line 2: missing a target: leader, random-node, n<i> or all-nodes at the end");
    Files.writeString(file, ISSUE_EXAMPLE);
    assertThat(ChaosSchedule.read(file).entries()).hasSize(4);
  }

  private static void assertError(String text, int line, String message) {
    assertThatThrownBy(() -> ChaosSchedule.parse(text)).isInstanceOf(ScheduleParseException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((ScheduleParseException) e).line()).isEqualTo(line));
  }
}
