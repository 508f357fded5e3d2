package io.pachyderm.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulationTest {
  /** A register that keeps the last value written and how many writes it saw; relays to a peer if asked. */
  record State(String last, long writes, List<String> seen) {}

  sealed interface Command permits Write, Relay, Boom, Later {}

  record Write(String value) implements Command {}

  record Relay(String to, String value) implements Command {}

  record Boom() implements Command {}

  record Later(long delayMs, String value) implements Command {}

  sealed interface Event permits Written {}

  record Written(String value) implements Event {}

  static final class Register implements Entity<State, Command, Event> {
    @Override
    public State initial(String id) {
      return new State("", 0, List.of());
    }

    @Override
    public Decision<Event> handle(Command command, State state, Context ctx) {
      if (command instanceof Write w) {
        return Decision.emit(new Written(w.value()));
      }
      if (command instanceof Relay r) {
        return Decision.message(TYPE.ref(r.to()), new Write(r.value()));
      }
      if (command instanceof Later l) {
        return Decision.<Event>none().schedule("later", Duration.ofMillis(l.delayMs()), new Write(l.value()));
      }
      throw new IllegalStateException("boom");
    }

    @Override
    public State apply(Event event, State state) {
      List<String> seen = new ArrayList<>(state.seen());
      seen.add(((Written) event).value());
      return new State(((Written) event).value(), state.writes() + 1, List.copyOf(seen));
    }
  }

  static final EntityType<State, Command, Event> TYPE =
      EntityType.builder("register", new Register(), State.class, Command.class, Event.class).build();
  static final EntityTypes TYPES = EntityTypes.of(TYPE);

  @Test
  void callsAndTheMessagesTheyCauseRunToQuiescence() {
    Simulation sim = Simulation.builder(TYPES).seed(7).build();

    sim.call(TYPE.ref("a"), new Relay("b", "x"));

    assertThat(sim.query(TYPE.ref("b")).state().last()).isEqualTo("x");
    assertThat(sim.world().isQuiescent()).isTrue();
    assertThatThrownBy(() -> sim.call(TYPE.ref("a"), new Boom()))
        .isInstanceOf(CommandRejectedException.class).hasMessageContaining("boom");
  }

  @Test
  void timersFireWhenTheSimulatedClockPassesThem() {
    Simulation sim = Simulation.builder(TYPES).build();
    sim.call(TYPE.ref("a"), new Later(1_000, "late"));

    sim.advance(Duration.ofMillis(999));
    assertThat(sim.query(TYPE.ref("a")).state().writes()).isZero();
    sim.advance(Duration.ofMillis(1));
    assertThat(sim.query(TYPE.ref("a")).state().last()).isEqualTo("late");
    assertThat(sim.now().toEpochMilli()).isEqualTo(1_000);
  }

  @Test
  void twoRacingWritersGiveTwoFinalWorldsAndHashingVisitsFewerStates() {
    Explorer explorer = Explorer.of(TYPES)
        .command(TYPE.ref("a"), new Relay("r", "from-a"))
        .command(TYPE.ref("b"), new Relay("r", "from-b"));

    Exploration hashed = explorer.exhaust().assertNoFailure();
    Exploration unhashed = explorer.stateHashing(false).exhaust().assertNoFailure();

    assertThat(hashed.finals()).hasSize(2);
    assertThat(unhashed.finals()).hasSize(2);
    assertThat(hashed.complete()).isTrue();
    assertThat(hashed.statesVisited()).isLessThan(unhashed.statesVisited());
    assertThat(hashed.finals()).extracting(f -> f.world().state(TYPE.ref("r")).last())
        .containsExactlyInAnyOrder("from-a", "from-b");
  }

  @Test
  void aBrokenInvariantYieldsAReplayableCounterexampleWithTheEntitysInbox() {
    Explorer explorer = Explorer.of(TYPES)
        .command(TYPE.ref("a"), new Relay("r", "from-a"))
        .command(TYPE.ref("b"), new Relay("r", "from-b"))
        .invariant("r never ends on from-a", w -> !w.state(TYPE.ref("r")).last().equals("from-a")
            || w.state(TYPE.ref("r")).writes() < 2);

    Exploration e = explorer.exhaust();

    assertThat(e.failure()).isPresent();
    Counterexample c = e.failure().get();
    assertThat(c.failure().kind()).isEqualTo(Failure.Kind.INVARIANT);
    assertThat(c.report()).contains("r never ends on from-a", "replay: schedule " + c.schedule());
    List<Step> replayed = explorer.replay(Schedule.parse(c.schedule().toString()));
    World end = replayed.get(replayed.size() - 1).after();
    assertThat(replayed.get(replayed.size() - 1).failure().kind()).as("the replay ends on the failing step")
        .isEqualTo(Failure.Kind.INVARIANT);
    assertThat(end.state(TYPE.ref("r")).seen()).containsExactly("from-b", "from-a");
    assertThatThrownBy(e::assertNoFailure).isInstanceOf(SimulationFailure.class);
  }

  @Test
  void aHandlerExceptionCausedByAMessageIsACounterexampleNamingTheEntity() {
    Exploration e = Explorer.of(TYPES).command(TYPE.ref("a"), new Boom()).exhaust();

    assertThat(e.failure()).isPresent();
    assertThat(e.failure().get().failure().kind()).isEqualTo(Failure.Kind.HANDLER_FAILED);
    assertThat(e.failure().get().report()).contains("everything register/a received", "Boom");
  }

  @Test
  void randomWalksAreReproducibleFromTheirSeed() {
    Explorer explorer = Explorer.of(TYPES)
        .command(TYPE.ref("a"), new Relay("r", "1"))
        .command(TYPE.ref("b"), new Relay("r", "2"))
        .command(TYPE.ref("c"), new Relay("r", "3"));

    Exploration first = explorer.randomWalks(99, 20);
    Exploration again = explorer.randomWalks(99, 20);

    assertThat(first.finals()).extracting(f -> f.schedule().toString())
        .isEqualTo(again.finals().stream().map(f -> f.schedule().toString()).toList());
    assertThat(explorer.exhaust().finals()).hasSize(6);
    assertThat(explorer.pct(5, 50, 2).finals()).isNotEmpty();
  }
}
