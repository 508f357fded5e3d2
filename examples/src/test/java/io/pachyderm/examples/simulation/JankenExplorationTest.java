package io.pachyderm.examples.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.examples.janken.Ending;
import io.pachyderm.examples.janken.Game;
import io.pachyderm.examples.janken.Hand;
import io.pachyderm.examples.janken.Lobby;
import io.pachyderm.examples.janken.Player;
import io.pachyderm.simulation.Exploration;
import io.pachyderm.simulation.Explorer;
import io.pachyderm.simulation.Rules;
import io.pachyderm.simulation.Step;
import io.pachyderm.simulation.World;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Janken, model-checked: the seed's "reduce the whole space" test, on our lobby, game and players.
 * Every order in which the moves, the plays they cause, the results and the deadline can be
 * delivered is explored; equal worlds are expanded once.
 */
class JankenExplorationTest {
  @Test
  void movesRacingEachOtherReduceToExactlyOneFinalWorld() {
    Exploration e = Scenarios.jankenMoves().exhaust().assertNoFailure();

    assertThat(e.complete()).as("the whole space was explored: %s", e).isTrue();
    assertThat(e.finals()).as("every order of the two moves, their plays and the results ends the same").hasSize(1);
    World end = e.finals().get(0).world();
    Game.State game = end.state(Game.TYPE.ref(Scenarios.GAME_ID));
    assertThat(game.phase()).isEqualTo(Game.Phase.OVER);
    assertThat(game.ending()).isEqualTo(Ending.PLAYED);
    assertThat(game.winnerId()).isEqualTo("alice");
    assertThat(end.state(Player.TYPE.ref("alice")).wins()).isEqualTo(1);
    assertThat(end.state(Player.TYPE.ref("bob")).losses()).isEqualTo(1);
    assertThat(end.state(Lobby.TYPE.ref("lobby")).lastFinished())
        .isEqualTo(new Lobby.GameFinished(Scenarios.GAME_ID, "alice", Ending.PLAYED));
    // Both moves arrived, so the game cancelled its deadline: nothing is left to fire.
    assertThat(end.isQuiescent()).isTrue();
    assertThat(e.statesVisited()).isGreaterThan(1);
  }

  @Test
  void aDeadlineThatMayFireAtAnyTimeAddsForfeitsAndAbandonedGames() {
    // ANY_TIME: the deadline may fire before a play already sent has arrived (a slow network, or
    // a deadline shorter than the delivery delay). Each final world is told by its game's ending.
    Exploration e = Scenarios.jankenMoves().rules(Rules.DEFAULT.withTimers(Rules.TimerPolicy.ANY_TIME))
        .exhaust().assertNoFailure();

    assertThat(e.complete()).isTrue();
    Map<String, Integer> byEnding = new TreeMap<>();
    for (Exploration.FinalWorld f : e.finals()) {
      byEnding.merge(ending(f.world()), 1, Integer::sum);
    }
    // A player whose Move its player entity accepted but whose Play reached the game after the
    // deadline has an extra Moved event: the same ending, a different final world. Hence 2 worlds
    // per forfeit (the loser moved too late, or not at all) and 4 for an abandoned game.
    assertThat(byEnding).containsExactly(
        Map.entry("ABANDONED, no winner", 4),
        Map.entry("FORFEIT, alice wins", 2),
        Map.entry("FORFEIT, bob wins", 2),
        Map.entry("PLAYED, alice wins", 1));
    for (Exploration.FinalWorld f : e.finals()) {
      World w = f.world();
      // Whatever the order, the result reached everyone and no one is left in an open game.
      assertThat(w.state(Player.TYPE.ref("alice")).openGames()).isEmpty();
      assertThat(w.state(Player.TYPE.ref("bob")).openGames()).isEmpty();
      assertThat(w.state(Lobby.TYPE.ref("lobby")).gamesFinished()).isEqualTo(1);
      Player.State alice = w.state(Player.TYPE.ref("alice"));
      Player.State bob = w.state(Player.TYPE.ref("bob"));
      assertThat(alice.wins() + alice.losses() + alice.draws()).isEqualTo(1);
      assertThat(bob.wins() + bob.losses() + bob.draws()).isEqualTo(1);
    }
  }

  @Test
  void movesRacingTheGamesCreationAreRejectedBeforeTheirInviteAndTheDeadlineEndsTheGame() {
    // The start set a client might write first: start the game and both moves at once. A move
    // that reaches its player before the game's invite is rejected ("no open game"), so the game
    // ends at its deadline: the explorer shows that a client must wait for its invite.
    Explorer explorer = Explorer.of(Scenarios.JANKEN)
        .command(Lobby.TYPE.ref("lobby"), Scenarios.startGame())
        .command(Player.TYPE.ref("alice"), new Player.Move(Scenarios.GAME_ID, Hand.ROCK))
        .command(Player.TYPE.ref("bob"), new Player.Move(Scenarios.GAME_ID, Hand.SCISSORS));

    Exploration e = explorer.exhaust().assertNoFailure();

    assertThat(e.complete()).isTrue();
    assertThat(e.finals()).extracting(f -> ending(f.world())).containsExactlyInAnyOrder(
        "PLAYED, alice wins", "FORFEIT, alice wins", "FORFEIT, bob wins", "ABANDONED, no winner");
    Exploration.FinalWorld abandoned = e.finals().stream()
        .filter(f -> ending(f.world()).startsWith("ABANDONED")).findFirst().orElseThrow();
    List<Step> replayed = explorer.replay(abandoned.schedule());
    assertThat(replayed).extracting(Step::outcome)
        .filteredOn(o -> o.contains("has no open game 'lobby-1'")).hasSize(2);
    assertThat(replayed.get(replayed.size() - 1).after().clockMs())
        .as("the deadline fired on the simulated clock").isEqualTo(Scenarios.MOVE_TIMEOUT_MS);
  }

  @Test
  void aResultOvertakingItsInviteWouldLeaveAPlayerInAGameThatIsOver() {
    // The game sends each player an Invite, then a Result. The cluster delivers messages from one
    // sender to one receiver in order; the explorer can drop that guarantee to show who relies
    // on it. Here, with the deadline firing before the invites arrive, a Result that overtakes its
    // Invite ends a game the player has not joined yet, and the late Invite then opens it forever.
    Exploration e = Explorer.of(Scenarios.JANKEN)
        .command(Lobby.TYPE.ref("lobby"), Scenarios.startGame())
        .rules(Rules.DEFAULT.withTimers(Rules.TimerPolicy.ANY_TIME).withReordering())
        .exhaust().assertNoFailure();

    assertThat(e.complete()).isTrue();
    List<Exploration.FinalWorld> stuck = e.finals().stream()
        .filter(f -> !f.world().state(Player.TYPE.ref("alice")).openGames().isEmpty()
            || !f.world().state(Player.TYPE.ref("bob")).openGames().isEmpty())
        .toList();
    assertThat(stuck).isNotEmpty();
    for (Exploration.FinalWorld f : stuck) {
      assertThat(ending(f.world())).isEqualTo("ABANDONED, no winner");
    }
    Exploration inOrder = Explorer.of(Scenarios.JANKEN)
        .command(Lobby.TYPE.ref("lobby"), Scenarios.startGame())
        .rules(Rules.DEFAULT.withTimers(Rules.TimerPolicy.ANY_TIME))
        .exhaust().assertNoFailure();
    assertThat(inOrder.finals()).allSatisfy(f -> {
      assertThat(f.world().state(Player.TYPE.ref("alice")).openGames()).isEmpty();
      assertThat(f.world().state(Player.TYPE.ref("bob")).openGames()).isEmpty();
    });
    System.out.println("janken start, deadline ANY_TIME: in order " + inOrder + "; reordered " + e + ", "
        + stuck.size() + " with a player stuck in a game that is over");
  }

  private static String ending(World w) {
    Game.State game = w.state(Game.TYPE.ref(Scenarios.GAME_ID));
    return game.ending() + ", " + (game.winnerId().isEmpty() ? "no winner" : game.winnerId() + " wins");
  }
}
