package io.pachyderm.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pachyderm.chaos.nemesis.ChaosSchedule;
import io.pachyderm.chaos.report.NemesisInterval;
import io.pachyderm.chaos.workload.WorkloadShape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A user's schedule is what happens: each fault starts at its time after the clients start (plus
 * at most the leader lookup) and is healed when it has lasted its time, as the recorded fault
 * windows and {@code nemesis.log} show. Also: {@code keys(3)} means three fixed entities, read on
 * every node at the end. One real three-node run of about 40 s; needs root like {@link
 * ChaosSuiteTest}.
 */
class ScheduledFaultsTest {
  private static final String SCHEDULE = """
      at 2s pause n2 for 3s
      at 6s kill leader, restart after 3s
      at 10s partition majorities-ring for 3s
      """;
  /**
   * A fault on a named node starts on time; one on the leader first asks every node who leads (up
   * to 3 s), and a kill waits for the process to go. Generous, for a CI machine under load.
   */
  private static final Duration LATE_MAX = Duration.ofSeconds(5);

  @BeforeAll
  static void namespacesAvailable() {
    Optional<String> why = ChaosScenario.unavailableReason();
    if (why.isPresent() && System.getenv(ChaosSuiteTest.REQUIRED_ENV) != null) {
      fail("must run here (" + ChaosSuiteTest.REQUIRED_ENV + " is set) but cannot: " + why.get());
    }
    assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
  }

  @Test
  @Timeout(180)
  void faultsStartAndEndAtTheScheduledTimes() throws Exception {
    ChaosSchedule schedule = ChaosSchedule.parse(SCHEDULE);
    RunResult result = ChaosScenario.builder()
        .workload("register", WorkloadShape.DEFAULT.withKeys(3).withReadFraction(0.3))
        .schedule(schedule)
        .duration(Duration.ofSeconds(15))
        .concurrency(5)
        .rate(60)
        .progressEvery(Duration.ofSeconds(5))
        .run();

    assertThat(result.valid()).as("%s", result.summary()).isTrue();
    List<NemesisInterval> faults = result.faults();
    assertThat(faults).extracting(NemesisInterval::name)
        .containsExactly("pause-n2", "kill-leader", "partition-majorities-ring");
    for (int i = 0; i < faults.size(); i++) {
      ChaosSchedule.Entry planned = schedule.entries().get(i);
      Duration started = Duration.ofNanos(faults.get(i).startNs() - result.clientsStartNs());
      Duration ended = Duration.ofNanos(faults.get(i).endNs() - result.clientsStartNs());
      assertThat(started).as("start of %s", planned.text()).isBetween(planned.at(), planned.at().plus(LATE_MAX));
      assertThat(ended).as("end of %s", planned.text()).isBetween(planned.end(), planned.end().plus(LATE_MAX));
    }
    String log = Files.readString(result.runDir().resolve(ChaosRunner.NEMESIS_LOG), StandardCharsets.UTF_8);
    assertThat(log).contains("inject pause n2 (named)  [line 1: at 2s pause n2 for 3s]",
        "[line 2: at 6s kill leader, restart after 3s]", "[line 3: at 10s partition majorities-ring for 3s]",
        "heal pause n2 (named) (after 3s)");
    Map<String, Map<String, Object>> finalReads = result.finalReads();
    assertThat(finalReads).containsOnlyKeys("n1", "n2", "n3")
        .allSatisfy((node, states) -> assertThat(states).containsOnlyKeys("r0", "r1", "r2"));
    assertThat(Path.of(result.runDir().toString(), "summary.txt")).content()
        .contains("3 fixed keys, 30% reads", "at 2s pause n2 for 3s; at 6s kill leader");
  }
}
