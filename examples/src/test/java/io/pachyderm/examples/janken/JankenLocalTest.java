package io.pachyderm.examples.janken;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.Entities;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.examples.testkit.Await;
import io.pachyderm.examples.testkit.Locals;
import io.pachyderm.examples.testkit.Messaging;
import io.pachyderm.local.LocalPachyderm;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Janken on the embedded store: lobby, game and players talk only by message; the deadline is a durable timer. */
class JankenLocalTest {
  private static final EntityRef<Lobby.State, Lobby.Command> HALL = Lobby.TYPE.ref("hall");
  /** Long enough never to fire while the test runs; the game must cancel it. */
  private static final long LONG_TIMEOUT_MS = 600_000;

  @TempDir
  Path dir;

  @Test
  void bothPlayersMoveAndTheBetterHandWinsEverywhereAndTheDeadlineIsCancelled() {
    try (LocalPachyderm local = Locals.open(dir)) {
      String gameId = start(local, "ann", "ben", LONG_TIMEOUT_MS);
      move(local, "ann", gameId, Hand.PAPER);
      move(local, "ben", gameId, Hand.ROCK);

      Game.State game = awaitOver(local, gameId);
      assertThat(List.<Object>of(game.winnerId(), game.ending(), game.firstHand(), game.secondHand()))
          .containsExactly("ann", Ending.PLAYED, Hand.PAPER, Hand.ROCK);
      awaitRecorded(local, "ann", gameId);
      awaitRecorded(local, "ben", gameId);
      Messaging.awaitNoPendingMessages(local);
      assertThat(local.query(Player.TYPE.ref("ann")).state())
          .isEqualTo(new Player.State(Map.of(), 1, 0, 0, gameId, Player.Outcome.WIN, Ending.PLAYED));
      assertThat(local.query(Player.TYPE.ref("ben")).state())
          .isEqualTo(new Player.State(Map.of(), 0, 1, 0, gameId, Player.Outcome.LOSS, Ending.PLAYED));
      assertThat(local.query(HALL).state().lastFinished())
          .isEqualTo(new Lobby.GameFinished(gameId, "ann", Ending.PLAYED));
      assertThat(local.node().outboxStats().timers()).as("the move deadline, cancelled at the end").isZero();
    }
  }

  /**
   * The mover must reach the game before the deadline, a race with the clock on a busy machine;
   * a lost race (the move arrived after the game was abandoned) is retried with a longer timeout,
   * any other outcome fails.
   */
  @Test
  void aPlayerWhoNeverMovesForfeitsWhenTheDeadlineTimerFires() {
    try (LocalPachyderm local = Locals.open(dir)) {
      for (long timeoutMs : new long[] {300, 2_000, 10_000}) {
        String gameId = start(local, "cy", "dee", timeoutMs);
        boolean moved = tryMove(local, "dee", gameId, Hand.SCISSORS);

        Game.State game = awaitOver(local, gameId);
        if (game.ending() == Ending.ABANDONED && game.secondHand() == null) {
          // dee lost the race with a short deadline: the game had ended before dee's Move (rejected),
          // or before its Play arrived (refused by the game).
          continue;
        }
        assertThat(moved).as("dee's move was accepted, as the game took it").isTrue();
        assertThat(List.<Object>of(game.winnerId(), game.ending(), game.secondHand()))
            .containsExactly("dee", Ending.FORFEIT, Hand.SCISSORS);
        assertThat(game.firstHand()).isNull();
        awaitRecorded(local, "cy", gameId);
        awaitRecorded(local, "dee", gameId);
        assertThat(outcome(local, "dee")).containsExactly(gameId, Player.Outcome.WIN, Ending.FORFEIT);
        assertThat(outcome(local, "cy")).containsExactly(gameId, Player.Outcome.LOSS, Ending.FORFEIT);
        Await.until("the lobby hears of " + gameId, () -> local.query(HALL).state().lastFinished() != null
            && local.query(HALL).state().lastFinished().gameId().equals(gameId), () -> local.query(HALL));
        assertThat(local.query(HALL).state().lastFinished())
            .isEqualTo(new Lobby.GameFinished(gameId, "dee", Ending.FORFEIT));
        return;
      }
      throw new AssertionError("dee's move reached the game after the deadline even with a 10 s timeout");
    }
  }

  @Test
  void aGameNoOneMovesInIsAbandonedAtTheDeadline() {
    try (LocalPachyderm local = Locals.open(dir)) {
      String gameId = start(local, "eli", "fay", 300);

      Game.State game = awaitOver(local, gameId);
      assertThat(List.<Object>of(game.winnerId(), game.ending())).containsExactly("", Ending.ABANDONED);
      awaitRecorded(local, "eli", gameId);
      awaitRecorded(local, "fay", gameId);
      assertThat(outcome(local, "eli")).containsExactly(gameId, Player.Outcome.DRAW, Ending.ABANDONED);
      assertThat(outcome(local, "fay")).containsExactly(gameId, Player.Outcome.DRAW, Ending.ABANDONED);
      Messaging.awaitNoPendingMessages(local);
      assertThat(local.node().outboxStats().timers()).isZero();
    }
  }

  /** Starts a game in the lobby and waits until both players hold its invitation. */
  private static String start(Entities local, String first, String second, long timeoutMs) {
    String gameId = local.call(HALL, new Lobby.StartGame(first, second, timeoutMs)).value(Lobby.GameCreated.class)
        .gameId();
    for (String player : List.of(first, second)) {
      EntityRef<Player.State, Player.Command> ref = Player.TYPE.ref(player);
      Await.until(player + " is invited to " + gameId, () -> invitedOrEnded(local.query(ref).state(), gameId),
          () -> local.query(ref));
    }
    return gameId;
  }

  /** Invited, or the game already ended (a short deadline can pass before the test looks). */
  private static boolean invitedOrEnded(Player.State s, String gameId) {
    return s.openGames().containsKey(gameId) || s.lastGameId().equals(gameId);
  }

  private static void move(Entities local, String player, String gameId, Hand hand) {
    local.call(Player.TYPE.ref(player), new Player.Move(gameId, hand));
  }

  /** True when the player took the move; false when it refused it because the game had already ended. */
  private static boolean tryMove(Entities local, String player, String gameId, Hand hand) {
    try {
      move(local, player, gameId, hand);
      return true;
    } catch (CommandRejectedException e) {
      if (!local.query(Player.TYPE.ref(player)).state().lastGameId().equals(gameId)) {
        throw e;
      }
      return false;
    }
  }

  private static Game.State awaitOver(Entities local, String gameId) {
    EntityRef<Game.State, Game.Command> ref = Game.TYPE.ref(gameId);
    Await.until(gameId + " is over", () -> local.query(ref).state().phase() == Game.Phase.OVER,
        () -> local.query(ref));
    return local.query(ref).state();
  }

  private static void awaitRecorded(Entities local, String player, String gameId) {
    EntityRef<Player.State, Player.Command> ref = Player.TYPE.ref(player);
    Await.until(player + " hears how " + gameId + " ended", () -> local.query(ref).state().lastGameId().equals(gameId),
        () -> local.query(ref));
  }

  private static List<Object> outcome(Entities local, String player) {
    Player.State s = local.query(Player.TYPE.ref(player)).state();
    return List.of(s.lastGameId(), s.lastOutcome(), s.lastEnding());
  }
}
