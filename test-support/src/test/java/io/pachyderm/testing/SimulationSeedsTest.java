package io.pachyderm.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.pachyderm.simulation.Schedule;
import io.pachyderm.simulation.SimulationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/** Runs @SimulationSeeds fixtures (nested; Surefire skips them) in-process and checks the invocations. */
class SimulationSeedsTest {
  @TempDir
  Path schedules;

  static class ThreeSeeds {
    static final List<String> SEEN = new ArrayList<>();
    long before;

    @BeforeEach
    void before(@Seed long seed) {
      before = seed;
    }

    @SimulationSeeds(count = 3)
    void eachSeed(@Seed long seed) {
      SEEN.add(before + " " + seed);
    }
  }

  static class ThreeFailingSeeds {
    @SimulationSeeds(count = 3)
    void explores(@Seed long seed) {
      ExplorationAssert.assertThat(Register.race("x", "boom").randomWalks(seed, 50)).hasNoFailure();
    }
  }

  static class NoSeeds {
    @SimulationSeeds(count = 0)
    void never(@Seed long seed) {}
  }

  private EngineExecutionResults run(Class<?> fixture, String seed) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter(SimulationExtension.SEED_PROPERTY, seed)
        .configurationParameter(SimulationExtension.DIRECTORY_PROPERTY, schedules.toString())
        .selectors(selectClass(fixture)).execute();
  }

  private static List<String> displayNames(EngineExecutionResults results) {
    List<String> names = new ArrayList<>();
    for (Event e : results.testEvents().started().list()) {
      names.add(e.getTestDescriptor().getDisplayName());
    }
    return names;
  }

  @Test
  void countThreeRunsThreeInvocationsNamedByTheirSeedsTheFirstBeingTheSeedProperty() {
    ThreeSeeds.SEEN.clear();

    EngineExecutionResults results = run(ThreeSeeds.class, "42");

    results.testEvents().assertStatistics(s -> s.started(3).succeeded(3));
    long[] seeds = SimulationExtension.seeds(42, 3);
    assertThat(seeds[0]).isEqualTo(42);
    assertThat(Arrays.stream(seeds).distinct().count()).isEqualTo(3);
    assertThat(displayNames(results)).containsExactly("seed " + seeds[0], "seed " + seeds[1], "seed " + seeds[2]);
    // Each invocation's @BeforeEach saw the invocation's seed, not a seed of its own.
    assertThat(ThreeSeeds.SEEN).containsExactly(seeds[0] + " " + seeds[0], seeds[1] + " " + seeds[1],
        seeds[2] + " " + seeds[2]);
  }

  @Test
  void theSameBaseGivesTheSameSeedsAndARandomBaseGivesOthers() {
    List<String> first = displayNames(run(ThreeSeeds.class, "42"));
    List<String> again = displayNames(run(ThreeSeeds.class, "42"));
    List<String> random = displayNames(run(ThreeSeeds.class, ""));

    assertThat(again).isEqualTo(first);
    assertThat(random).hasSize(3).doesNotHaveDuplicates().isNotEqualTo(first);
  }

  @Test
  void eachFailingInvocationNamesItsSeedAndSavesItsOwnScheduleAndItsSeedRunsFirstOnReplay() throws Exception {
    EngineExecutionResults results = run(ThreeFailingSeeds.class, "42");

    results.testEvents().assertStatistics(s -> s.started(3).failed(3));
    long[] seeds = SimulationExtension.seeds(42, 3);
    List<Event> failed = results.testEvents().failed().list();
    for (int i = 0; i < 3; i++) {
      Throwable thrown = failed.get(i).getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
      Path file = schedules.resolve(ThreeFailingSeeds.class.getName() + ".explores.seed-" + seeds[i] + ".schedule")
          .toAbsolutePath();
      assertThat(failed.get(i).getTestDescriptor().getDisplayName()).isEqualTo("seed " + seeds[i]);
      assertThat(thrown).hasMessageContaining("replay with -Dpachyderm.seed=" + seeds[i] + "\n")
          .hasMessageContaining(" saved to " + file);
      assertThat(Schedule.load(file)).isEqualTo(((SimulationFailure) thrown.getCause()).counterexample().schedule());
    }
    try (Stream<Path> saved = Files.list(schedules)) {
      assertThat(saved.count()).isEqualTo(3);
    }

    List<String> replay = displayNames(run(ThreeFailingSeeds.class, Long.toString(seeds[2])));

    assertThat(replay.get(0)).isEqualTo("seed " + seeds[2]);
  }

  @Test
  void aCountBelowOneIsAConfigurationErrorNamingTheMethod() {
    EngineExecutionResults results = run(NoSeeds.class, "1");

    List<Event> failed = results.containerEvents().failed().list();
    assertThat(failed).hasSize(1);
    assertThat(failed.get(0).getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
        .hasMessageContaining("@SimulationSeeds(count = 0)").hasMessageContaining("never(long)")
        .hasMessageContaining("count must be between 1 and " + SimulationExtension.SEEDS_MAX);
    results.testEvents().assertStatistics(s -> s.started(0));
  }
}
