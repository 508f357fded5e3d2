package io.pachyderm.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pachyderm.chaos.checker.Verdict;
import io.pachyderm.chaos.nemesis.ChaosSchedule;
import io.pachyderm.chaos.nodes.DataDisks;
import io.pachyderm.chaos.report.NemesisInterval;
import io.pachyderm.chaos.workload.WorkloadShape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The storage nemesis in a real run: {@code fill-disk n2} fills n2's own data filesystem to the
 * last block for a few seconds while clients write, then frees it; the run reports what the
 * node did (exited with which code, and how many operations failed for a full disk), the
 * history's checkers judge it as for any fault, and no mount is left behind. About 45 s; needs
 * root like {@link ChaosSuiteTest}.
 *
 * <p>Whether the {@code recovery} verdict holds depends on the node: one that fails stop on a
 * write it cannot make is restarted by the heal and catches up; one that keeps running without
 * applying (a zombie) is reported as not recovered. Safety must hold either way, so every other
 * verdict is asserted.
 */
class StorageFaultsTest {
  @BeforeAll
  static void available() {
    Optional<String> why = ChaosScenario.unavailableReason().or(DataDisks::unavailableReason);
    if (why.isPresent() && System.getenv(ChaosSuiteTest.REQUIRED_ENV) != null) {
      fail("must run here (" + ChaosSuiteTest.REQUIRED_ENV + " is set) but cannot: " + why.get());
    }
    assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
  }

  @Test
  @Timeout(180)
  void aFollowersDiskFilledAndFreedIsReportedAndLeavesNoMountBehind() throws Exception {
    RunResult result = ChaosScenario.builder()
        .workload("register", WorkloadShape.DEFAULT.withKeys(3).withReadFraction(0.2))
        .schedule(ChaosSchedule.parse("at 3s fill-disk n2 for 6s"))
        .duration(Duration.ofSeconds(14))
        .concurrency(4)
        .rate(60)
        .recoveryWait(Duration.ofSeconds(20))
        .progressEvery(Duration.ofSeconds(5))
        .run();

    assertThat(result.faults()).extracting(NemesisInterval::name).containsExactly("fill-disk-n2");
    String log = Files.readString(result.runDir().resolve(ChaosRunner.NEMESIS_LOG), StandardCharsets.UTF_8);
    assertThat(log).as("nemesis.log").contains("inject fill-disk n2 (named): filled n2: ",
        "[line 1: at 3s fill-disk n2 for 6s]", "heal fill-disk n2 (named): filled n2: ", "(after 6s): n2 ")
        .doesNotContain("ERROR");
    assertThat(result.summary()).contains("data disks", "3 x 512 MB ext4", ChaosRunner.DISK_FULL_EXITS,
        ChaosRunner.DISK_FULL_REFUSALS);
    for (Verdict v : result.verdicts()) {
      if (!v.checker().equals(ChaosRunner.RECOVERY_CHECKER)) {
        assertThat(v.valid()).as("%s; summary:%n%s", v.checker(), result.summary()).isTrue();
      }
    }
    assertThat(result.anomalies(ChaosRunner.HARNESS_ERROR)).as("summary:%n%s", result.summary()).isEmpty();
    for (String node : new String[] {"n1", "n2", "n3"}) {
      assertThat(DataDisks.isMounted(result.runDir().resolve(node))).as("%s still mounted", node).isFalse();
      assertThat(result.runDir().resolve(node + DataDisks.IMAGE_SUFFIX)).exists();
    }
  }
}
