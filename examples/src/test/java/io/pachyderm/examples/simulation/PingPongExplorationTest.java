package io.pachyderm.examples.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.examples.pingpong.Player;
import io.pachyderm.simulation.Exploration;
import io.pachyderm.simulation.Rules;
import io.pachyderm.simulation.World;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Ping-pong under the seed's CALM questions: with reliable delivery a rally has one outcome; with
 * duplicated messages, does it still? With lost messages, is what happens a subset of what would
 * have happened? The cluster neither duplicates nor drops messages between entities; these
 * explorations show what a design would do on a network that did, and so which of its outputs
 * rest on exactly-once delivery.
 */
class PingPongExplorationTest {
  private static final int ROUNDS = 3;

  @Test
  void aRallyOfNRoundsHasExactlyOneFinalWorld() {
    Exploration e = Scenarios.rally(ROUNDS).exhaust().assertNoFailure();

    assertThat(e.complete()).isTrue();
    assertThat(e.finals()).hasSize(1);
    World end = e.finals().get(0).world();
    assertThat(alice(end).pongsReceived()).isEqualTo(ROUNDS);
    assertThat(alice(end).lastPong()).isEqualTo(ROUNDS);
    assertThat(alice(end).rallyInProgress()).isFalse();
    assertThat(bob(end).pingsReceived()).isEqualTo(ROUNDS);
    // One message at a time travels, so there is one order: no state is ever reached twice.
    assertThat(e.revisits()).isZero();
  }

  @Test
  void oneDuplicatedMessageIsCountedAndAnsweredAgainButTheRallysResultIsTheSame() {
    Exploration e = Scenarios.rally(ROUNDS).rules(Rules.DEFAULT.withDuplicates(1)).exhaust().assertNoFailure();

    // The players neither refuse nor ignore a duplicate: bob counts a ping twice and answers it
    // twice, and alice, in her rally, answers each copy of a pong with the next ping. So a
    // duplicate of ping k doubles every later message of the rally: one final world per duplicated
    // message (2 per round), plus the world without a duplicate.
    assertThat(e.complete()).isTrue();
    assertThat(e.finals()).hasSize(2 * ROUNDS + 1);
    Set<Long> pingCounts = new TreeSet<>();
    for (Exploration.FinalWorld f : e.finals()) {
      World w = f.world();
      pingCounts.add(bob(w).pingsReceived());
      // CALM: the counters are a count of deliveries, not idempotent, so they vary. What is
      // idempotent (a set, a maximum: a join that x ∪ x = x leaves alone) does not: the ping
      // numbers bob saw, and the last pong alice saw, are those of the rally without duplicates.
      assertThat(pingNumbers(w)).containsExactlyElementsOf(oneTo(ROUNDS));
      assertThat(bob(w).lastPing()).isEqualTo(ROUNDS);
      assertThat(alice(w).lastPong()).isEqualTo(ROUNDS);
      assertThat(alice(w).rallyInProgress()).isFalse();
    }
    // A duplicate of the first ping doubles the whole rally.
    assertThat(pingCounts).containsExactly(3L, 4L, 5L, 6L);
  }

  @Test
  void withOneMessageDroppedEveryOutcomeIsASubsetOfTheDropFreeOutcome() {
    World dropFree = Scenarios.rally(ROUNDS).exhaust().assertNoFailure().finals().get(0).world();

    Exploration e = Scenarios.rally(ROUNDS).rules(Rules.DEFAULT.withDrops(1)).exhaust().assertNoFailure();

    // The seed's TCP reading: a lost message stops the rally where it was lost, and everything
    // that did happen would also have happened without the loss (each player's history is a prefix
    // of its drop-free history: a subset, in the same order). Nothing is made up; some is missing.
    assertThat(e.complete()).isTrue();
    assertThat(e.finals()).hasSize(2 * ROUNDS + 1);
    int stuck = 0;
    for (Exploration.FinalWorld f : e.finals()) {
      World w = f.world();
      for (String id : List.of("alice", "bob")) {
        List<Object> history = w.history(Player.TYPE.ref(id));
        List<Object> full = dropFree.history(Player.TYPE.ref(id));
        assertThat(history.size()).isLessThanOrEqualTo(full.size());
        assertThat(full.subList(0, history.size())).as("%s's history after schedule %s", id, f.schedule())
            .isEqualTo(history);
        assertThat(new LinkedHashSet<>(full)).containsAll(history);
      }
      // Without a retry, alice waits for the lost pong forever: a final world with her rally open.
      stuck += alice(w).rallyInProgress() ? 1 : 0;
    }
    assertThat(stuck).isEqualTo(2 * ROUNDS);
  }

  private static Player.State alice(World w) {
    return w.state(Player.TYPE.ref("alice"));
  }

  private static Player.State bob(World w) {
    return w.state(Player.TYPE.ref("bob"));
  }

  /** The distinct numbers of the pings bob received, from his events. */
  private static Set<Long> pingNumbers(World w) {
    Set<Long> out = new TreeSet<>();
    for (Object event : w.history(Player.TYPE.ref("bob"))) {
      out.add(((Player.PingReceived) event).n());
    }
    return out;
  }

  private static List<Long> oneTo(long n) {
    return LongStream.rangeClosed(1, n).boxed().toList();
  }
}
