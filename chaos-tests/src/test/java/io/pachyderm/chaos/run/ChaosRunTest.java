package io.pachyderm.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
}
