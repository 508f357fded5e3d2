package io.pachyderm.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.simulation.SimulationTest.Later;
import io.pachyderm.simulation.SimulationTest.Relay;
import io.pachyderm.simulation.SimulationTest.Write;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExplorerFromWorldTest {
  @Test
  void explorationFromASimulatedWorldKeepsItsStatesTrafficAndTimers() {
    Simulation sim = Simulation.builder(SimulationTest.TYPES).build();
    sim.call(SimulationTest.TYPE.ref("r"), new Write("set up"));
    sim.call(SimulationTest.TYPE.ref("t"), new Later(1_000, "late"));

    Explorer explorer = Explorer.from(sim.world()).command(SimulationTest.TYPE.ref("a"), new Relay("r", "raced"));
    Exploration e = explorer.exhaust().assertNoFailure();

    // The relay and the timer race only when quiescent, so one order: relay first, timer last.
    assertThat(e.finals()).hasSize(1);
    World end = e.finals().get(0).world();
    assertThat(end.state(SimulationTest.TYPE.ref("r")).seen()).containsExactly("set up", "raced");
    assertThat(end.state(SimulationTest.TYPE.ref("t")).last()).isEqualTo("late");
    assertThat(end.clockMs()).isEqualTo(1_000);
    assertThat(explorer.start().ecosystem()).isEqualTo(sim.world().ecosystem());
    assertThatThrownBy(() -> explorer.startClockMs(5)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aBrokenInvariantNamesTheEntityTheBreakingStepReachedAndListsItsInbox() {
    Exploration e = Explorer.of(SimulationTest.TYPES)
        .command(SimulationTest.TYPE.ref("a"), new Relay("r", "one"))
        .command(SimulationTest.TYPE.ref("b"), new Relay("r", "two"))
        .invariant("r is written at most once", w -> w.state(SimulationTest.TYPE.ref("r")).writes() < 2)
        .exhaust();

    Counterexample c = e.failure().orElseThrow();
    assertThat(e.toString()).contains("stopped at the first failure")
        .doesNotContain("a bound was hit");
    assertThat(c.failure().entity().id()).isEqualTo("r");
    List<World.Received> inbox = c.world().received(SimulationTest.TYPE.ref("r"));
    assertThat(inbox).hasSize(2);
    assertThat(c.report()).contains("everything register/r received, in order:", inbox.get(1).toString());
  }
}
