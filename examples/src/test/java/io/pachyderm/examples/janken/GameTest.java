package io.pachyderm.examples.janken;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Envelope;
import io.pachyderm.entity.TimerRequest;
import io.pachyderm.examples.janken.Game.Event;
import io.pachyderm.examples.janken.Game.MoveDeadline;
import io.pachyderm.examples.janken.Game.Moved;
import io.pachyderm.examples.janken.Game.Phase;
import io.pachyderm.examples.janken.Game.Play;
import io.pachyderm.examples.janken.Game.Resolved;
import io.pachyderm.examples.janken.Game.SetUp;
import io.pachyderm.examples.janken.Game.Setup;
import io.pachyderm.examples.janken.Game.State;
import io.pachyderm.examples.testkit.Codecs;
import io.pachyderm.examples.testkit.TestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class GameTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final long TIMEOUT_MS = 300;

  private final Game game = new Game();
  private final TestContext atGame = TestContext.client("hall-1");
  /** Set up by lobby "hall" at T0, ann first, ben second, nobody moved. */
  private final State waiting = game.apply(new SetUp("hall", "ann", "ben", T0.toEpochMilli() + TIMEOUT_MS),
      game.initial("hall-1"));

  @Test
  void theLobbysSetupInvitesBothPlayersAndArmsTheMoveDeadline() {
    Decision<Event> d = game.handle(new Setup("ann", "ben", TIMEOUT_MS), game.initial("hall-1"),
        atGame.from(Lobby.TYPE_NAME, "hall"));

    long deadlineMs = T0.toEpochMilli() + TIMEOUT_MS;
    assertThat(d.events()).containsExactly(new SetUp("hall", "ann", "ben", deadlineMs));
    assertThat(d.messages()).containsExactly(
        new Envelope(Player.TYPE.ref("ann"), new Player.Invite("ben", deadlineMs)),
        new Envelope(Player.TYPE.ref("ben"), new Player.Invite("ann", deadlineMs)));
    assertThat(d.timers()).containsExactly(new TimerRequest.Schedule(Game.DEADLINE_TIMER, null,
        Duration.ofMillis(TIMEOUT_MS), null, new MoveDeadline()));
    State after = game.apply(d.events().get(0), game.initial("hall-1"));
    assertThat(after).isEqualTo(waiting);
    assertThat(after.phase()).isEqualTo(Phase.WAITING);
  }

  @Test
  void onlyALobbySetsAGameUpAndOnlyOnce() {
    assertThat(game.handle(new Setup("ann", "ben", TIMEOUT_MS), game.initial("hall-1"), atGame).rejection())
        .isEqualTo("game hall-1 is set up by a lobby, not by a client or timer");
    assertThat(game.handle(new Setup("ann", "ben", TIMEOUT_MS), waiting, atGame.from(Lobby.TYPE_NAME, "hall"))
        .rejection()).isEqualTo("game hall-1 is already set up (WAITING)");
  }

  @Test
  void theFirstMoveIsRecordedAndTheGameWaitsForTheOther() {
    Decision<Event> d = game.handle(new Play(Hand.ROCK), waiting, atGame.from(Player.TYPE_NAME, "ben"));

    assertThat(d.events()).containsExactly(new Moved("ben", Hand.ROCK));
    assertThat(d.messages()).isEmpty();
    assertThat(d.timers()).isEmpty();
    State after = game.apply(d.events().get(0), waiting);
    assertThat(after.secondHand()).isEqualTo(Hand.ROCK);
    assertThat(after.firstHand()).isNull();
    assertThat(after.phase()).isEqualTo(Phase.WAITING);
  }

  @Test
  void theSecondMoveResolvesTheGameForTheBetterHandOrAsADraw() {
    for (Hand annHand : Hand.values()) {
      for (Hand benHand : Hand.values()) {
        State annMoved = game.apply(new Moved("ann", annHand), waiting);
        Decision<Event> d = game.handle(new Play(benHand), annMoved, atGame.from(Player.TYPE_NAME, "ben"));

        String winner = annHand.beats(benHand) ? "ann" : benHand.beats(annHand) ? "ben" : "";
        assertThat(d.events()).as("ann %s, ben %s", annHand, benHand)
            .containsExactly(new Moved("ben", benHand), new Resolved(winner, Ending.PLAYED));
        assertEndMessages(d, winner, Ending.PLAYED);
      }
    }
  }

  @Test
  void movesFromClientsFromStrangersTwiceOrWithoutAHandAreRejected() {
    assertThat(game.handle(new Play(Hand.ROCK), waiting, atGame).rejection())
        .isEqualTo("moves in game hall-1 come from its players, not from a client or timer");
    assertThat(game.handle(new Play(Hand.ROCK), waiting, atGame.from(Player.TYPE_NAME, "eve")).rejection())
        .isEqualTo("eve does not play in game hall-1");
    assertThat(game.handle(new Play(null), waiting, atGame.from(Player.TYPE_NAME, "ann")).rejection())
        .contains("no hand");
    State annMoved = game.apply(new Moved("ann", Hand.PAPER), waiting);
    assertThat(game.handle(new Play(Hand.ROCK), annMoved, atGame.from(Player.TYPE_NAME, "ann")).rejection())
        .isEqualTo("ann has already moved in game hall-1");
    assertThat(game.handle(new Play(Hand.ROCK), game.initial("hall-1"), atGame.from(Player.TYPE_NAME, "ann"))
        .rejection()).isEqualTo("game hall-1 does not take moves: it is NEW");
  }

  @Test
  void atTheDeadlineThePlayerWhoMovedWinsByForfeit() {
    State benMoved = game.apply(new Moved("ben", Hand.SCISSORS), waiting);

    Decision<Event> d = game.handle(new MoveDeadline(), benMoved, atGame.at(T0.plusMillis(TIMEOUT_MS)));

    assertThat(d.events()).containsExactly(new Resolved("ben", Ending.FORFEIT));
    assertEndMessages(d, "ben", Ending.FORFEIT);
    State over = game.apply(d.events().get(0), benMoved);
    assertThat(List.of(over.phase(), over.winnerId(), over.ending())).containsExactly(Phase.OVER, "ben",
        Ending.FORFEIT);
  }

  @Test
  void atTheDeadlineAGameNoOneMovedInIsAbandoned() {
    Decision<Event> d = game.handle(new MoveDeadline(), waiting, atGame.at(T0.plusSeconds(60)));

    assertThat(d.events()).containsExactly(new Resolved("", Ending.ABANDONED));
    assertEndMessages(d, "", Ending.ABANDONED);
  }

  @Test
  void aDeadlineBeforeItsTimeArmsTheTimerAgainInsteadOfEndingTheGame() {
    Decision<Event> d = game.handle(new MoveDeadline(), waiting, atGame.at(T0.plusMillis(TIMEOUT_MS - 1)));

    assertThat(d.isRejected()).isFalse();
    assertThat(d.events()).isEmpty();
    assertThat(d.messages()).isEmpty();
    assertThat(d.timers()).containsExactly(new TimerRequest.Schedule(Game.DEADLINE_TIMER, null, null,
        T0.plusMillis(TIMEOUT_MS), new MoveDeadline()));
  }

  @Test
  void afterTheEndADeadlineDoesNothingAndAMoveIsRejected() {
    State over = game.apply(new Resolved("ann", Ending.FORFEIT), game.apply(new Moved("ann", Hand.ROCK), waiting));

    Decision<Event> deadline = game.handle(new MoveDeadline(), over, atGame.at(T0.plusSeconds(60)));
    assertThat(deadline.isRejected()).isFalse();
    assertThat(deadline.events()).isEmpty();
    assertThat(deadline.messages()).isEmpty();
    assertThat(game.handle(new Play(Hand.PAPER), over, atGame.from(Player.TYPE_NAME, "ben")).rejection())
        .isEqualTo("game hall-1 does not take moves: it is OVER (FORFEIT)");
  }

  @Test
  void aDeadlineSentByAnotherEntityIsRejected() {
    assertThat(game.handle(new MoveDeadline(), waiting, atGame.at(T0.plusSeconds(60)).from(Player.TYPE_NAME, "ann"))
        .rejection()).isEqualTo("only game hall-1's own timer ends it, not janken-player/ann");
  }

  @Test
  void stateCommandsAndEventsSurviveTheCodec() {
    State annMoved = game.apply(new Moved("ann", Hand.PAPER), waiting);
    Codecs.assertRoundTrips(Game.TYPE, game.initial("g"), waiting, annMoved,
        game.apply(new Resolved("ann", Ending.FORFEIT), annMoved), new Setup("ann", "ben", 1), new Play(Hand.ROCK),
        new MoveDeadline(), new SetUp("hall", "ann", "ben", 5), new Moved("ann", Hand.SCISSORS),
        new Resolved("", Ending.ABANDONED));
  }

  /** Both players and the lobby hear the result, and the deadline timer is cancelled. */
  private static void assertEndMessages(Decision<Event> d, String winner, Ending ending) {
    assertThat(d.messages()).containsExactly(
        new Envelope(Player.TYPE.ref("ann"), new Player.Result(winner, ending)),
        new Envelope(Player.TYPE.ref("ben"), new Player.Result(winner, ending)),
        new Envelope(Lobby.TYPE.ref("hall"), new Lobby.GameOver(winner, ending)));
    assertThat(d.timers()).containsExactly(new TimerRequest.Cancel(Game.DEADLINE_TIMER));
  }
}
