package io.pachyderm.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.Causation;
import io.pachyderm.api.Change;
import io.pachyderm.api.Follow;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.simulation.SimulationTest.Later;
import io.pachyderm.simulation.SimulationTest.Relay;
import io.pachyderm.simulation.SimulationTest.State;
import io.pachyderm.simulation.SimulationTest.Write;
import io.pachyderm.simulation.SimulationTest.Written;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** history and follow on the simulation ecosystem: same API and ordering rules as a node's journal. */
class SimulationHistoryTest {
  static final EntityTypes TYPES = EntityTypes.of(SimulationTest.TYPE);

  @Test
  void historyCarriesVersionsCausationAndTheSimulatedClock() {
    Simulation sim = Simulation.builder(TYPES).seed(3).startAt(Instant.parse("2030-01-01T00:00:00Z")).build();
    var a = SimulationTest.TYPE.ref("a");
    var b = SimulationTest.TYPE.ref("b");
    sim.call(b, new Write("one"));
    sim.call(a, new Relay("b", "two"));
    sim.call(b, new Later(1_000, "three"));
    sim.advance(Duration.ofSeconds(2));

    var history = sim.history(b, 1);
    assertThat(history).extracting(e -> e.event(Written.class).value()).containsExactly("one", "two", "three");
    assertThat(history).extracting(HistoryEvent::version).containsExactly(1L, 2L, 3L);
    assertThat(history).extracting(HistoryEvent::logIndex).isSorted();
    assertThat(history.get(0).causation()).isInstanceOf(Causation.Request.class);
    assertThat(history.get(1).causation()).isInstanceOfSatisfying(Causation.Message.class,
        m -> assertThat(m.source().id()).isEqualTo("a"));
    assertThat(history.get(2).causation()).isInstanceOfSatisfying(Causation.Timer.class,
        t -> assertThat(t.name()).isEqualTo("later"));
    assertThat(history.get(2).timestamp()).isEqualTo(Instant.parse("2030-01-01T00:00:01Z"));
    assertThat(sim.history(b, 3)).hasSize(1);
    assertThat(sim.history(a, 1)).as("a relay emits no event of its own").isEmpty();
    assertThat(sim.historyAsync(b, 2, 1).join()).extracting(HistoryEvent::version).containsExactly(2L);
    assertThatThrownBy(() -> sim.history(b, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void followDeliversTheCurrentStateThenEveryChangeInOrder() throws Exception {
    Simulation sim = Simulation.builder(TYPES).seed(5).build();
    var r = SimulationTest.TYPE.ref("r");
    sim.call(r, new Write("x"));
    Follow<State> now = sim.follow(r);
    Follow<State> all = sim.follow(r, 1, true);
    Follow<State> eventsOnly = sim.follow(r, 2, false);
    sim.call(r, new Write("y"));
    sim.call(r, new Write("z"));

    Change<State> start = now.poll(Duration.ZERO);
    assertThat(start.isStartingState()).isTrue();
    assertThat(start.version()).isEqualTo(1);
    assertThat(start.state().last()).isEqualTo("x");
    assertThat(now.poll(Duration.ZERO).state().last()).isEqualTo("y");
    assertThat(now.poll(Duration.ZERO).state().seen()).containsExactly("x", "y", "z");
    assertThat(now.poll(Duration.ZERO)).isNull();
    assertThat(now.lastVersion()).isEqualTo(3);

    assertThat(all.poll(Duration.ZERO).state().last()).isEqualTo("x");
    assertThat(all.poll(Duration.ZERO).version()).isEqualTo(2);
    assertThat(all.poll(Duration.ZERO).version()).isEqualTo(3);

    Change<State> second = eventsOnly.poll(Duration.ZERO);
    assertThat(second.version()).isEqualTo(2);
    assertThat(second.state()).isNull();
    assertThat(second.event().event(Written.class).value()).isEqualTo("y");

    sim.call(r, new Write("later"));
    assertThat(now.poll(Duration.ZERO).version()).as("polls see steps taken after they started").isEqualTo(4);
    now.close();
    assertThatThrownBy(() -> now.poll(Duration.ZERO)).isInstanceOf(IllegalStateException.class);
  }
}
