package io.pachyderm.examples.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.examples.booking.Booking;
import io.pachyderm.examples.booking.CheckThenBook;
import io.pachyderm.examples.booking.Room;
import io.pachyderm.simulation.Counterexample;
import io.pachyderm.simulation.Exploration;
import io.pachyderm.simulation.Explorer;
import io.pachyderm.simulation.Failure;
import io.pachyderm.simulation.Schedule;
import io.pachyderm.simulation.SimulationFailure;
import io.pachyderm.simulation.Step;
import io.pachyderm.simulation.World;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ordering bug found by exploration: {@link CheckThenBook} checks a room's slot with one
 * message and books it with another, so two bookings racing for one slot can both book it. Each
 * entity is correct on its own, every message is delivered exactly once, and a test that runs the
 * two bookings one after the other passes; only some interleavings break it, and the explorer
 * tries them all. {@link Booking}, where the room decides in one handle, survives the same search.
 */
class BookingExplorationTest {

  @Test
  void exhaustiveExplorationFindsTheDoubleBookingAndReportsTheRoomsInbox() {
    Exploration e = Scenarios.checkThenBook("alice", "bob").exhaust();

    Counterexample c = e.failure().orElseThrow(() -> new AssertionError("no double booking found: " + e));
    System.out.println(c.report());
    assertThat(c.failure().kind()).isEqualTo(Failure.Kind.INVARIANT);
    assertThat(c.failure().message()).contains(Scenarios.NEVER_TWICE);
    assertThat(c.failure().entity().id()).isEqualTo(Scenarios.ROOM_ID);
    assertThat(c.report()).contains("replay: schedule " + c.schedule(), "everything room/r1 received, in order:");
    // The room's inbox tells the story: two checks answered "free", then two bookings.
    List<World.Received> inbox = c.world().received(Room.TYPE.ref(Scenarios.ROOM_ID));
    assertThat(inbox).extracting(r -> r.item().command().type())
        .containsExactly("IsFree", "IsFree", "Book", "Book");
    for (World.Received r : inbox) {
      assertThat(c.report()).contains(r.toString());
    }
    assertThat(c.world().state(Room.TYPE.ref(Scenarios.ROOM_ID)).holders(Scenarios.SLOT))
        .containsExactlyInAnyOrder("alice", "bob");
    assertThat(c.world().state(CheckThenBook.TYPE.ref("alice")).phase()).isEqualTo(CheckThenBook.Phase.CONFIRMED);
    assertThat(c.world().state(CheckThenBook.TYPE.ref("bob")).phase()).isEqualTo(CheckThenBook.Phase.CONFIRMED);
  }

  @Test
  void withoutTheInvariantTheBuggyDesignHasThreeOutcomesOneOfThemTheDoubleBooking() {
    Exploration e = Explorer.of(Scenarios.BOOKING)
        .command(CheckThenBook.TYPE.ref("alice"), new CheckThenBook.Start(Scenarios.ROOM_ID, Scenarios.SLOT, "alice"))
        .command(CheckThenBook.TYPE.ref("bob"), new CheckThenBook.Start(Scenarios.ROOM_ID, Scenarios.SLOT, "bob"))
        .exhaust().assertNoFailure();

    assertThat(e.complete()).isTrue();
    // Holders in booking order; "alice, bob" and "bob, alice" are both double bookings.
    assertThat(e.finals()).extracting(f -> f.world().state(Room.TYPE.ref(Scenarios.ROOM_ID)).holders(Scenarios.SLOT))
        .containsExactlyInAnyOrder(List.of("alice"), List.of("bob"), List.of("alice", "bob"), List.of("bob", "alice"));
  }

  @Test
  void replayingTheScheduleReproducesTheDoubleBooking(@TempDir Path dir) throws Exception {
    Explorer explorer = Scenarios.checkThenBook("alice", "bob");
    Counterexample c = explorer.exhaust().failure().orElseThrow();
    Path saved = dir.resolve("double-booking.schedule");
    c.schedule().save(saved);

    // From the report's text, or from the saved file: the same steps, the same double booking.
    String printed = c.report().lines().filter(l -> l.startsWith("replay: schedule ")).findFirst().orElseThrow()
        .substring("replay: schedule ".length());
    for (Schedule schedule : List.of(Schedule.parse(printed), Schedule.load(saved))) {
      List<Step> steps = explorer.replay(schedule);
      assertThat(steps).extracting(Step::toString).isEqualTo(c.steps().stream().map(Step::toString).toList());
      World end = steps.get(steps.size() - 1).after();
      assertThat(Scenarios.noSlotBookedTwice(end)).isFalse();
      assertThat(end.fingerprint()).isEqualTo(c.world().fingerprint());
    }
  }

  @Test
  void randomWalksWithAFixedSeedFindItTooAndReplayFromTheirSchedule() {
    Explorer explorer = Scenarios.checkThenBook("alice", "bob");

    Exploration e = explorer.randomWalks(42, 200);

    Counterexample c = e.failure().orElseThrow(() -> new AssertionError("200 walks from seed 42 missed it: " + e));
    assertThat(c.seed()).isNotNull();
    assertThat(c.report()).contains("found by the random walk with seed " + c.seed());
    List<Step> steps = explorer.replay(c.schedule());
    assertThat(Scenarios.noSlotBookedTwice(steps.get(steps.size() - 1).after())).isFalse();
    // The same seed walks the same schedules, so it finds the same counterexample; walk i of a run
    // uses seed + i, so the one walk with the seed the report names finds it at once.
    assertThat(explorer.randomWalks(42, 200).failure().orElseThrow().schedule()).isEqualTo(c.schedule());
    assertThat(explorer.randomWalks(c.seed(), 1).failure().orElseThrow().schedule()).isEqualTo(c.schedule());
  }

  @Test
  void theRoomDecidingInOneHandleNeverDoubleBooks() {
    Explorer explorer = Scenarios.reserveOrRefuse("alice", "bob");

    Exploration e = explorer.exhaust().assertNoFailure();

    assertThat(e.complete()).isTrue();
    // Two outcomes, each a proper one: whoever the room served first holds the slot, the other
    // booking is refused and told who holds it.
    assertThat(e.finals()).hasSize(2);
    for (Exploration.FinalWorld f : e.finals()) {
      World w = f.world();
      List<String> holders = w.state(Room.TYPE.ref(Scenarios.ROOM_ID)).holders(Scenarios.SLOT);
      assertThat(holders).hasSize(1);
      String winner = holders.get(0);
      String loser = winner.equals("alice") ? "bob" : "alice";
      assertThat(w.state(Booking.TYPE.ref(winner)).phase()).isEqualTo(Booking.Phase.CONFIRMED);
      assertThat(w.state(Booking.TYPE.ref(loser)).phase()).isEqualTo(Booking.Phase.REFUSED);
      assertThat(w.state(Booking.TYPE.ref(loser)).holder()).isEqualTo(winner);
    }
    explorer.randomWalks(42, 200).assertNoFailure();
    Scenarios.reserveOrRefuse("alice", "bob", "carol").exhaust().assertNoFailure();
  }

  @Test
  void aFailedExplorationThrowsTheReportAsATestFailure() {
    Exploration e = Scenarios.checkThenBook("alice", "bob").exhaust();

    assertThatThrownBy(e::assertNoFailure).isInstanceOf(SimulationFailure.class)
        .hasMessage(e.failure().orElseThrow().report());
  }
}
