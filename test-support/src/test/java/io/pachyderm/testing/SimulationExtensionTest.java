package io.pachyderm.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.pachyderm.simulation.Failure;
import io.pachyderm.simulation.Schedule;
import io.pachyderm.simulation.Simulation;
import io.pachyderm.simulation.SimulationFailure;
import io.pachyderm.simulation.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.opentest4j.AssertionFailedError;

/**
 * Runs small fixture classes (nested below; Surefire skips nested classes, and they fail on
 * purpose) on the Jupiter engine in-process and checks what their tests received and reported.
 */
class SimulationExtensionTest {
  @TempDir
  Path schedules;

  // ---- fixtures -----------------------------------------------------------------------------

  /** Records the seed each test and its @BeforeEach received. */
  @TestMethodOrder(MethodOrderer.MethodName.class)
  static class SeedFixture {
    static final List<String> SEEN = new ArrayList<>();
    long before;

    @BeforeEach
    void before(@Seed long seed) {
      before = seed;
    }

    @SimulationTest
    void first(@Seed long seed) {
      SEEN.add("first " + before + " " + seed);
    }

    @SimulationTest
    void second(@Seed Long seed) {
      SEEN.add("second " + before + " " + seed);
    }
  }

  static class FailureFixture {
    @SimulationTest
    void assertionFails(@Seed long seed) {
      assertEquals(1, 2, "one is not two");
    }

    @SimulationTest
    void exceptionThrown(@Seed long seed) {
      throw new IllegalStateException("boom");
    }

    @SimulationTest
    void noSeedUsed() {
      fail("plain failure");
    }

    @SimulationTest
    void assumptionFails(@Seed long seed) {
      assumeTrue(false, "not today");
    }
  }

  static class ExplorerFixture {
    @SimulationTest
    void handlerThrows(@Seed long seed) {
      ExplorationAssert.assertThat(Register.race("x", "boom").exhaust()).hasNoFailure();
    }

    @SimulationTest
    void finalWorldUnwanted() {
      ExplorationAssert.assertThat(Register.race("from-a", "from-b").exhaust())
          .allFinalWorldsSatisfy("r ends on from-b", w -> w.state(Register.ref("r")).last().equals("from-b"));
    }

    /** Simulation (not Explorer) failures replay from their seed only: no schedule file. */
    @SimulationTest
    void simulationFails(@Seed long seed) {
      Simulation sim = Simulation.builder(Register.TYPES).seed(seed).autoRun(false)
          .invariant("r never ends on from-a", w -> w.state(Register.ref("r")).writes() < 2
              || !w.state(Register.ref("r")).last().equals("from-a"))
          .invariant("r never ends on from-b", w -> w.state(Register.ref("r")).writes() < 2
              || !w.state(Register.ref("r")).last().equals("from-b"))
          .build();
      sim.send(Register.ref("a"), new Register.Relay("r", "from-a"));
      sim.send(Register.ref("b"), new Register.Relay("r", "from-b"));
      sim.run();
    }
  }

  /**
   * The extension registered twice (declaratively and as an instance; @Seed parameters would then
   * have competing resolvers, so none here): both handlers see the failure, one line must result.
   */
  @ExtendWith(SimulationExtension.class)
  static class TwiceRegisteredFixture {
    @RegisterExtension
    static final SimulationExtension SECOND = new SimulationExtension();

    @Test
    void fails() {
      ExplorationAssert.assertThat(Register.race("x", "boom").exhaust()).hasNoFailure();
    }
  }

  static class BadParameterFixture {
    @SimulationTest
    void seedAsText(@Seed String seed) {}
  }

  // ---- running them -------------------------------------------------------------------------

  /** Runs with the given seed property ({@code null}: none, so the system property applies). */
  private EngineExecutionResults run(DiscoverySelector selector, String seed) {
    Map<String, String> parameters = new HashMap<>();
    parameters.put(SimulationExtension.DIRECTORY_PROPERTY, schedules.toString());
    if (seed != null) {
      parameters.put(SimulationExtension.SEED_PROPERTY, seed);
    }
    // Implicit parameters (system properties, junit-platform.properties) are what a real run
    // falls back to; the test kit leaves them out unless asked.
    return EngineTestKit.engine("junit-jupiter").enableImplicitConfigurationParameters(seed == null)
        .configurationParameters(parameters).selectors(selector).execute();
  }

  static Throwable failureOf(EngineExecutionResults results, String method) {
    for (Event e : results.testEvents().failed().list()) {
      if (e.getTestDescriptor().getSource().orElse(null) instanceof MethodSource
          && ((MethodSource) e.getTestDescriptor().getSource().get()).getMethodName().equals(method)) {
        return e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
      }
    }
    throw new AssertionError("no failure of " + method + " in " + results.allEvents().list());
  }

  // ---- seeds --------------------------------------------------------------------------------

  @Test
  void theSeedPropertyGivesEveryTestAndItsBeforeEachThatSeedRunAfterRun() {
    for (int run = 0; run < 2; run++) {
      SeedFixture.SEEN.clear();

      run(selectClass(SeedFixture.class), "42").testEvents().assertStatistics(s -> s.started(2).succeeded(2));

      assertThat(SeedFixture.SEEN).containsExactly("first 42 42", "second 42 42");
    }
  }

  @Test
  void withoutTheSeedPropertyEachTestDrawsItsOwnSeedSharedWithItsBeforeEach() {
    SeedFixture.SEEN.clear();

    // Blank counts as unset.
    run(selectClass(SeedFixture.class), " ").testEvents().assertStatistics(s -> s.started(2).succeeded(2));

    assertThat(SeedFixture.SEEN).hasSize(2);
    String[] first = SeedFixture.SEEN.get(0).split(" ");
    String[] second = SeedFixture.SEEN.get(1).split(" ");
    assertThat(first[1]).isEqualTo(first[2]);
    assertThat(second[1]).isEqualTo(second[2]);
    assertThat(Long.parseLong(first[2])).isNotNegative().isNotEqualTo(Long.parseLong(second[2]));
  }

  @Test
  void theSystemPropertyIsReadWhenNoConfigurationParameterIsGiven() {
    String previous = System.getProperty(SimulationExtension.SEED_PROPERTY);
    System.setProperty(SimulationExtension.SEED_PROPERTY, "7");
    try {
      SeedFixture.SEEN.clear();

      run(selectClass(SeedFixture.class), null).testEvents().assertStatistics(s -> s.succeeded(2));

      assertThat(SeedFixture.SEEN).containsExactly("first 7 7", "second 7 7");
    } finally {
      if (previous == null) {
        System.clearProperty(SimulationExtension.SEED_PROPERTY);
      } else {
        System.setProperty(SimulationExtension.SEED_PROPERTY, previous);
      }
    }
  }

  @Test
  void aSeedPropertyThatIsNotANumberFailsTheTestSayingSo() {
    EngineExecutionResults results = run(selectClass(SeedFixture.class), "abc");

    results.testEvents().assertStatistics(s -> s.failed(2));
    assertThat(failureOf(results, "first"))
        .hasMessageContaining("pachyderm.seed must be a whole number (the seed a failed run printed), got 'abc'");
  }

  @Test
  void seedGoesOnLongParametersOnly() {
    EngineExecutionResults results = run(selectClass(BadParameterFixture.class), "1");

    assertThat(failureOf(results, "seedAsText")).hasMessageContaining("@Seed goes on a long parameter")
        .hasMessageContaining("is a java.lang.String");
  }

  // ---- failure messages ---------------------------------------------------------------------

  @Test
  void aFailedAssertionKeepsItsTypeAndValuesAndEndsWithTheReplayLine() {
    EngineExecutionResults results = run(selectClass(FailureFixture.class), "42");

    Throwable thrown = failureOf(results, "assertionFails");

    assertThat(thrown).isExactlyInstanceOf(AssertionFailedError.class)
        .hasMessage("one is not two ==> expected: <1> but was: <2>\nreplay with -Dpachyderm.seed=42")
        .hasCauseExactlyInstanceOf(AssertionFailedError.class);
    assertThat(thrown.getCause()).hasMessage("one is not two ==> expected: <1> but was: <2>");
    assertThat(((AssertionFailedError) thrown).getExpected().getValue()).isEqualTo(1);
    assertThat(((AssertionFailedError) thrown).getActual().getValue()).isEqualTo(2);
    assertThat(thrown.getStackTrace()).isEqualTo(thrown.getCause().getStackTrace());
  }

  @Test
  void anExceptionBecomesAnAssertionErrorNamingItWithTheReplayLine() {
    EngineExecutionResults results = run(selectClass(FailureFixture.class), "42");

    Throwable thrown = failureOf(results, "exceptionThrown");

    assertThat(thrown).isExactlyInstanceOf(AssertionError.class)
        .hasMessage("java.lang.IllegalStateException: boom\nreplay with -Dpachyderm.seed=42")
        .hasCauseExactlyInstanceOf(IllegalStateException.class);
  }

  @Test
  void aTestThatUsedNoSeedFailsUnchangedAndAFailedAssumptionStaysAnAbort() {
    EngineExecutionResults results = run(selectClass(FailureFixture.class), "42");

    assertThat(failureOf(results, "noSeedUsed")).hasMessage("plain failure").hasNoCause();
    results.testEvents().assertStatistics(s -> s.started(4).failed(3).aborted(1));
  }

  @Test
  void theReplayLineIsAddedOnceWhenTheExtensionIsRegisteredTwice() {
    EngineExecutionResults results = run(selectClass(TwiceRegisteredFixture.class), "5");

    String message = failureOf(results, "fails").getMessage();
    assertThat(message.indexOf(" saved to ")).isPositive().isEqualTo(message.lastIndexOf(" saved to "));
  }

  // ---- schedules ----------------------------------------------------------------------------

  @Test
  void anExplorerCounterexampleIsSavedAndItsFileReplaysTheSameFailure() throws Exception {
    EngineExecutionResults results = run(selectMethod(ExplorerFixture.class, "handlerThrows", "long"), "42");

    Throwable thrown = failureOf(results, "handlerThrows");
    Path file = schedules.resolve(ExplorerFixture.class.getName() + ".handlerThrows.schedule").toAbsolutePath();

    assertThat(thrown).isExactlyInstanceOf(AssertionError.class).hasCauseExactlyInstanceOf(SimulationFailure.class);
    SimulationFailure original = (SimulationFailure) thrown.getCause();
    assertThat(thrown.getMessage()).startsWith(original.getMessage())
        .endsWith("\nreplay with -Dpachyderm.seed=42\nschedule " + original.counterexample().schedule() + " saved to "
            + file + " (replay: explorer.replay(Schedule.load(path)))");
    Schedule loaded = Schedule.load(file);
    assertThat(loaded).isEqualTo(original.counterexample().schedule());
    List<Step> replayed = Register.race("x", "boom").replay(loaded);
    Failure failure = replayed.get(replayed.size() - 1).failure();
    assertThat(failure).isNotNull();
    assertThat(failure.kind()).isEqualTo(Failure.Kind.HANDLER_FAILED);
    assertThat(failure.message()).contains("boom right after x");
  }

  @Test
  void byDefaultSchedulesGoToTargetPachydermSimulation() throws Exception {
    Path file = Path.of("target", "pachyderm-simulation", ExplorerFixture.class.getName() + ".handlerThrows.schedule")
        .toAbsolutePath();
    Files.deleteIfExists(file);
    try {
      EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
          .configurationParameter(SimulationExtension.DIRECTORY_PROPERTY, "")
          .selectors(selectMethod(ExplorerFixture.class, "handlerThrows", "long")).execute();

      assertThat(failureOf(results, "handlerThrows")).hasMessageContaining("saved to " + file);
      assertThat(Schedule.load(file)).isEqualTo(((SimulationFailure) failureOf(results, "handlerThrows").getCause())
          .counterexample().schedule());
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void aFinalWorldThatFailsItsCheckIsSavedEvenWithoutASeed() throws Exception {
    EngineExecutionResults results = run(selectMethod(ExplorerFixture.class, "finalWorldUnwanted"), "42");

    Throwable thrown = failureOf(results, "finalWorldUnwanted");
    Path file = schedules.resolve(ExplorerFixture.class.getName() + ".finalWorldUnwanted.schedule").toAbsolutePath();

    assertThat(thrown).isExactlyInstanceOf(AssertionFailedError.class).hasCauseExactlyInstanceOf(FinalWorldFailure.class)
        .hasMessageContaining("does not satisfy 'r ends on from-b'").hasMessageContaining("saved to " + file)
        .hasMessageNotContaining("replay with -Dpachyderm.seed");
    List<Step> replayed = Register.race("from-a", "from-b").replay(Schedule.load(file));
    assertThat(replayed.get(replayed.size() - 1).after().state(Register.ref("r")).last()).isEqualTo("from-a");
  }

  @Test
  void aSimulationFailureReplaysFromItsSeedAloneAndSavesNoSchedule() {
    Throwable first = failureOf(run(selectMethod(ExplorerFixture.class, "simulationFails", "long"), "42"),
        "simulationFails");
    Throwable again = failureOf(run(selectMethod(ExplorerFixture.class, "simulationFails", "long"), "42"),
        "simulationFails");

    assertThat(first).hasCauseExactlyInstanceOf(SimulationFailure.class)
        .hasMessageContaining("INVARIANT: invariant 'r never ends on from-")
        .hasMessageEndingWith("\nreplay with -Dpachyderm.seed=42")
        .hasMessageNotContaining("saved to");
    assertThat(again.getMessage()).isEqualTo(first.getMessage());
    assertThat(schedules).isEmptyDirectory();
  }
}
