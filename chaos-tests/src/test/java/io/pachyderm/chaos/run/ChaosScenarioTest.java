package io.pachyderm.chaos.run;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.chaos.nemesis.ChaosSchedule;
import io.pachyderm.chaos.workload.Workload;
import io.pachyderm.chaos.workload.WorkloadShape;
import org.junit.jupiter.api.Test;

/** What {@link ChaosScenario.Builder#build()} accepts; no cluster is started. */
class ChaosScenarioTest {
  private static final ChaosSchedule PAUSE_N3 = ChaosSchedule.parse("at 5s pause n3 for 5s");

  @Test
  void aScenarioNeedsAWorkload() {
    assertThatThrownBy(() -> ChaosScenario.builder().build()).hasMessage("a scenario needs a workload");
  }

  @Test
  void aScheduleMustFitTheClusterAndTheDuration() {
    assertThatThrownBy(() -> ChaosScenario.builder().workload(Workload.named("register")).nodes(1)
        .schedule(PAUSE_N3).build()).hasMessage("schedule line 1: there is no n3 in a cluster of 1 nodes");
    assertThatThrownBy(() -> ChaosScenario.builder().workload(Workload.named("register")).duration(ofSeconds(5))
        .schedule(PAUSE_N3).build()).hasMessageContaining("starts at 5s, not before the clients stop at 5s");
    assertThat(ChaosScenario.builder().workload(Workload.named("register")).schedule(PAUSE_N3).seed(9).build().seed())
        .isEqualTo(9);
  }

  @Test
  void aScheduleOrANemesisFamilyNotBoth() {
    assertThatThrownBy(() -> ChaosScenario.builder().workload(Workload.named("register")).schedule(PAUSE_N3)
        .nemesis("kill").build()).hasMessage("set a schedule or a nemesis family, not both");
    assertThatThrownBy(() -> ChaosScenario.builder().nemesis("flood"))
        .hasMessageContaining("unknown nemesis 'flood'");
  }

  @Test
  void numbersOutOfRangeAreRejectedAtBuild() {
    ChaosScenario.Builder b = ChaosScenario.builder().workload("append", WorkloadShape.DEFAULT.withKeys(3));
    assertThatThrownBy(() -> b.concurrency(0).build()).hasMessage("concurrency must be 1..256: 0");
    assertThatThrownBy(() -> b.concurrency(4).rate(0).build()).hasMessage("rate must be positive: 0.0");
    assertThatThrownBy(() -> b.rate(10).nodes(0).build()).hasMessageContaining("nodes must be 1..");
  }
}
