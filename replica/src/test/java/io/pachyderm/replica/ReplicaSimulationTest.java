package io.pachyderm.replica;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The seeded replica-core test (issue 13): the real {@link Decider} and {@link Replica} through
 * random entries, leader changes, restarts and snapshot installs, with every replica that applies
 * the same entries checked byte for byte. A fixed set of seeds runs in CI; one seed runs with
 * {@code -Dreplica.seed=N}, and a failing seed prints the command that replays it.
 */
class ReplicaSimulationTest {
  /** About 30 s together on a quiet two-core machine (the planted-bug test stops at its first catch). */
  private static final int SEEDS = 16;
  private static final ReplicaSimulation.Options OPTIONS = new ReplicaSimulation.Options(3, 1_200, true);

  @Test
  void everyReplicaApplyingTheSameEntriesHoldsTheSameBytesUnderEverySeed() {
    String one = System.getProperty("replica.seed");
    List<Long> seeds = new ArrayList<>();
    if (one != null && !one.isBlank()) {
      seeds.add(Long.parseLong(one.trim()));
    } else {
      for (long s = 1; s <= SEEDS; s++) {
        seeds.add(s);
      }
    }
    Map<String, Long> totals = new TreeMap<>();
    for (long seed : seeds) {
      ReplicaSimulation.Report report = ReplicaSimulation.run(seed, OPTIONS);
      assertThat(report.problems()).as(() -> failure(report)).isEmpty();
      report.counts().forEach((k, v) -> totals.merge(k, v, Long::sum));
    }
    if (one == null) {
      // The fixed seeds must reach the paths they exist for, or a green run proves little.
      assertThat(totals).as("what the fixed seeds exercised: %s", totals)
          .containsKeys("conflicts", "restarts", "installs", "leader changes", "snapshots", "retries",
              "work DONE", "work RETRY", "work GONE");
      assertThat(totals.get("conflicts")).isGreaterThan(20);
    }
  }

  @Test
  void aReplicaWithoutTheVersionCheckIsCaughtWithinTheFixedSeeds() {
    ReplicaSimulation.Options planted = new ReplicaSimulation.Options(3, 1_200, false);
    List<String> caught = new ArrayList<>();
    for (long seed = 1; seed <= SEEDS; seed++) {
      ReplicaSimulation.Report report = ReplicaSimulation.run(seed, planted);
      if (!report.problems().isEmpty()) {
        caught.add("seed " + seed + ": " + report.problems().get(0));
        break;
      }
    }
    assertThat(caught).as("seeds that caught the missing version check").isNotEmpty();
    assertThat(caught).singleElement().asString().containsAnyOf("decided at another version", "overdrawn");
  }

  private static String failure(ReplicaSimulation.Report report) {
    return "seed " + report.seed() + " failed: " + report.problems() + "\nlast steps:\n  "
        + String.join("\n  ", report.trace()) + "\nreplay it: mvn -B -o -pl replica -am test"
        + " -Dtest=ReplicaSimulationTest#everyReplicaApplyingTheSameEntriesHoldsTheSameBytesUnderEverySeed"
        + " -Dsurefire.failIfNoSpecifiedTests=false -Dreplica.seed=" + report.seed();
  }
}
