package io.pachyderm.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pachyderm.simulation.Exploration;
import io.pachyderm.simulation.Explorer;
import io.pachyderm.simulation.Failure;
import io.pachyderm.simulation.SimulationFailure;
import io.pachyderm.simulation.Step;
import io.pachyderm.simulation.World;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class ExplorationAssertTest {
  // Explorers are builders (depthMax and the like change them), so each use gets a fresh one.
  private final Explorer race = Register.race("from-a", "from-b");
  private final Explorer brokenInvariant = Register.race("from-a", "from-b")
      .invariant("r never holds from-a", w -> !w.state(Register.ref("r")).last().equals("from-a"));
  private final Explorer handlerThrows = Register.race("x", "boom");

  private static String last(World w) {
    return w.state(Register.ref("r")).last();
  }

  @Test
  void aRaceOfTwoWritesPassesEveryCheckThatHolds() {
    ExplorationAssert.assertThat(race.exhaust())
        .hasNoFailure()
        .isComplete()
        .hasFinalWorlds(2)
        .allFinalWorldsSatisfy("r saw both writes", w -> w.state(Register.ref("r")).writes() == 2);
    ExplorationAssert.assertThat(brokenInvariant.exhaust()).failsWith(Failure.Kind.INVARIANT);
    ExplorationAssert.assertThat(handlerThrows.exhaust()).failsWith(Failure.Kind.HANDLER_FAILED);
  }

  @Test
  void hasNoFailureThrowsTheSimulationFailureWithTheWholeReport() {
    Exploration e = brokenInvariant.exhaust();

    SimulationFailure f = catchThrowableOfType(SimulationFailure.class,
        () -> ExplorationAssert.assertThat(e).hasNoFailure());

    assertThat(f.getMessage()).isEqualTo(e.failure().get().report())
        .contains("invariant 'r never holds from-a' does not hold", "replay: schedule ", "steps:");
    assertThat(f.counterexample()).isSameAs(e.failure().get());
  }

  @Test
  void isCompleteFailsWhenABoundWasHitOrTheSearchStoppedAtAFailure() {
    assertThatThrownBy(() -> ExplorationAssert.assertThat(Register.race("from-a", "from-b").depthMax(1).exhaust()).isComplete())
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("a bound was hit")
        .hasMessageContaining("INCOMPLETE");

    assertThatThrownBy(() -> ExplorationAssert.assertThat(handlerThrows.exhaust()).isComplete())
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("expected a complete exploration, but the exploration stopped at a failure")
        .hasMessageContaining("HANDLER_FAILED: ")
        .hasMessageContaining("everything register/r received, in order")
        .hasCauseInstanceOf(SimulationFailure.class);
  }

  @Test
  void hasFinalWorldsFailsWithTheCountsAndEveryFinalWorldWithItsSchedule() {
    Exploration e = race.exhaust();

    AssertionFailedError f = catchThrowableOfType(AssertionFailedError.class,
        () -> ExplorationAssert.assertThat(e).hasFinalWorlds(3));

    assertThat(f.getMessage()).startsWith("expected 3 final world(s) but found 2: 2 final world(s)")
        .contains("final world 1, schedule " + e.finals().get(0).schedule(),
            "final world 2, schedule " + e.finals().get(1).schedule(), "register/r v2");
    assertThat(f.getExpected().getValue()).isEqualTo(3);
    assertThat(f.getActual().getValue()).isEqualTo(2);
    assertThatThrownBy(() -> ExplorationAssert.assertThat(e).hasFinalWorlds(1))
        .hasMessageStartingWith("expected 1 final world(s) but found 2");
    assertThatThrownBy(() -> ExplorationAssert.assertThat(brokenInvariant.exhaust()).hasFinalWorlds(2))
        .hasMessageContaining("expected 2 final world(s), but the exploration stopped at a failure")
        .hasMessageContaining("invariant 'r never holds from-a' does not hold");
  }

  @Test
  void allFinalWorldsSatisfyNamesTheWorldAndTheScheduleThatReachesIt() {
    Exploration e = race.exhaust();

    FinalWorldFailure f = catchThrowableOfType(FinalWorldFailure.class,
        () -> ExplorationAssert.assertThat(e).allFinalWorldsSatisfy("r ends on from-b", w -> last(w).equals("from-b")));

    int index = last(e.finals().get(0).world()).equals("from-b") ? 1 : 0; // the world that ends on from-a
    Exploration.FinalWorld offending = e.finals().get(index);
    assertThat(f.getMessage()).startsWith("final world " + (index + 1) + " of 2 does not satisfy 'r ends on from-b'")
        .contains("reached by schedule " + offending.schedule(), "register/r v2 {\"last\":\"from-a\"");
    assertThat(f.schedule()).isEqualTo(offending.schedule());
    assertThat(f.world()).isSameAs(offending.world());
    List<Step> replayed = race.replay(f.schedule());
    assertThat(last(replayed.get(replayed.size() - 1).after())).isEqualTo("from-a");
  }

  @Test
  void allFinalWorldsSatisfyCountsACheckThatThrowsAsNotSatisfiedAndRefusesNoWorldsAtAll() {
    IllegalStateException bug = new IllegalStateException("check blew up");

    assertThatThrownBy(() -> ExplorationAssert.assertThat(race.exhaust()).allFinalWorldsSatisfy("never throws", w -> {
      throw bug;
    })).isInstanceOf(FinalWorldFailure.class).hasMessageContaining("(the check threw " + bug + ")").hasCause(bug);

    // One step per walk cannot reach a final world: the walks stop at the bound with none found.
    Exploration noFinals = Register.race("from-a", "from-b").depthMax(1).randomWalks(1, 3);
    assertThat(noFinals.finals()).isEmpty();
    assertThatThrownBy(() -> ExplorationAssert.assertThat(noFinals).allFinalWorldsSatisfy("anything", w -> true))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("there is no final world to check");
  }

  @Test
  void failsWithFailsWhenThereIsNoFailureOrAnotherKindWithTheReport() {
    assertThatThrownBy(() -> ExplorationAssert.assertThat(race.exhaust()).failsWith(Failure.Kind.INVARIANT))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageStartingWith("expected the exploration to fail with INVARIANT but it found no failure: 2 final");

    AssertionFailedError f = catchThrowableOfType(AssertionFailedError.class,
        () -> ExplorationAssert.assertThat(handlerThrows.exhaust()).failsWith(Failure.Kind.NON_DETERMINISM));

    assertThat(f.getMessage()).startsWith("expected the exploration to fail with NON_DETERMINISM but it failed with "
        + "HANDLER_FAILED:\nHANDLER_FAILED: ").contains("boom right after x");
    assertThat(f.getExpected().getValue()).isEqualTo(Failure.Kind.NON_DETERMINISM);
    assertThat(f.getActual().getValue()).isEqualTo(Failure.Kind.HANDLER_FAILED);
    assertThat(f).hasCauseInstanceOf(SimulationFailure.class);
  }

  @Test
  void aNullExplorationFailsRatherThanPassingEveryCheck() {
    assertThatThrownBy(() -> ExplorationAssert.assertThat(null)).isInstanceOf(AssertionFailedError.class)
        .hasMessage("expected an exploration but got null");
  }
}
