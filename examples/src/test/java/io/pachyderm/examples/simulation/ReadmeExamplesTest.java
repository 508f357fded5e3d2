package io.pachyderm.examples.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.entity.EntityTypes;
import io.pachyderm.examples.booking.CheckThenBook;
import io.pachyderm.examples.booking.Room;
import io.pachyderm.examples.counter.Counter;
import io.pachyderm.examples.janken.Ending;
import io.pachyderm.examples.janken.Game;
import io.pachyderm.examples.janken.Hand;
import io.pachyderm.examples.janken.Lobby;
import io.pachyderm.examples.janken.Player;
import io.pachyderm.simulation.Exploration;
import io.pachyderm.simulation.Explorer;
import io.pachyderm.simulation.Simulation;
import io.pachyderm.simulation.SimulationFailure;
import io.pachyderm.simulation.World;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The README's simulation snippets, verbatim, so that what the README shows is what runs. */
class ReadmeExamplesTest {

  @Test
  void aSimulationRunsEntitiesOnASimulatedClockAndCapturesEffects() {
    Simulation sim = Simulation.builder(EntityTypes.of(Lobby.TYPE, Game.TYPE, Player.TYPE, Counter.TYPE))
        .seed(42).build();
    sim.call(Lobby.TYPE.ref("lobby"), new Lobby.StartGame("alice", "bob", 30_000)); // and the invites it causes
    sim.call(Player.TYPE.ref("alice"), new Player.Move("lobby-1", Hand.ROCK));
    sim.advance(Duration.ofSeconds(30));               // bob never moves: the deadline fires, no waiting
    Game.State game = sim.query(Game.TYPE.ref("lobby-1")).state();
    assertThat(game.ending()).isEqualTo(Ending.FORFEIT);
    assertThat(game.winnerId()).isEqualTo("alice");
    assertThat(sim.now()).isEqualTo(Instant.ofEpochMilli(30_000));

    sim.call(Counter.TYPE.ref("c"), new Counter.Increment(10));          // crosses the threshold
    assertThat(sim.world().effects()).extracting(World.CapturedEffect::handler)
        .containsExactly("admin-mailer");                                // captured, never run
  }

  @Test
  void anExplorerChecksAnInvariantInEveryOrder() {
    Explorer explorer = Explorer.of(EntityTypes.of(Room.TYPE, CheckThenBook.TYPE))
        .command(CheckThenBook.TYPE.ref("alice"), new CheckThenBook.Start("r1", "mon-09", "alice"))
        .command(CheckThenBook.TYPE.ref("bob"), new CheckThenBook.Start("r1", "mon-09", "bob"))
        .invariant("a slot is never booked by two parties",
            w -> w.state(Room.TYPE.ref("r1")).holdersBySlot().values().stream().allMatch(h -> h.size() <= 1));
    Exploration e = explorer.exhaust();
    assertThatThrownBy(e::assertNoFailure)   // a SimulationFailure whose message is the report
        .isInstanceOf(SimulationFailure.class)
        .hasMessageContaining("invariant 'a slot is never booked by two parties' does not hold")
        .hasMessageContaining("replay: schedule 0,0,0,0,0,0,0,0");
  }
}
