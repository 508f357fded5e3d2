package io.pachyderm.examples.janken;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.entity.Decision;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.entity.Envelope;
import io.pachyderm.examples.janken.Player.Event;
import io.pachyderm.examples.janken.Player.GameEnded;
import io.pachyderm.examples.janken.Player.Invite;
import io.pachyderm.examples.janken.Player.Invited;
import io.pachyderm.examples.janken.Player.Move;
import io.pachyderm.examples.janken.Player.Moved;
import io.pachyderm.examples.janken.Player.Outcome;
import io.pachyderm.examples.janken.Player.Result;
import io.pachyderm.examples.janken.Player.Seat;
import io.pachyderm.examples.janken.Player.State;
import io.pachyderm.examples.testkit.Codecs;
import io.pachyderm.examples.testkit.MessageLoop;
import io.pachyderm.examples.testkit.TestContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlayerTest {
  private final Player player = new Player();
  private final State fresh = player.initial("ann");
  private final TestContext atAnn = TestContext.client("ann");
  private final State invited = player.apply(new Invited("hall-1", "ben", 1_000), fresh);

  @Test
  void anInvitationFromAGameOpensASeatInIt() {
    Decision<Event> d = player.handle(new Invite("ben", 1_000), fresh, atAnn.from(Game.TYPE_NAME, "hall-1"));

    assertThat(d.events()).containsExactly(new Invited("hall-1", "ben", 1_000));
    assertThat(player.apply(d.events().get(0), fresh).openGames())
        .containsExactly(Map.entry("hall-1", new Seat("ben", null, 1_000)));
  }

  @Test
  void invitationsAndResultsFromClientsAreRejected() {
    assertThat(player.handle(new Invite("ben", 1_000), fresh, atAnn).rejection())
        .isEqualTo("Invite must come from a janken-game, came from a client or timer");
    assertThat(player.handle(new Result("ann", Ending.PLAYED), fresh, atAnn.from(Lobby.TYPE_NAME, "hall"))
        .rejection()).isEqualTo("Result must come from a janken-game, came from janken-lobby/hall");
  }

  @Test
  void aPlayerInTooManyGamesDeclinesTheNextInvitation() {
    State busy = fresh;
    for (int i = 0; i < Player.OPEN_GAMES_MAX; i++) {
      busy = player.apply(new Invited("g" + i, "ben", 1_000), busy);
    }

    assertThat(player.handle(new Invite("ben", 1_000), busy, atAnn.from(Game.TYPE_NAME, "one-more")).rejection())
        .isEqualTo("ann already has 16 open games; not joining one-more");
  }

  @Test
  void aMoveIsRecordedAndPassedToTheGameAsAPlay() {
    Decision<Event> d = player.handle(new Move("hall-1", Hand.PAPER), invited, atAnn);

    assertThat(d.events()).containsExactly(new Moved("hall-1", Hand.PAPER));
    assertThat(d.messages()).containsExactly(new Envelope(Game.TYPE.ref("hall-1"), new Game.Play(Hand.PAPER)));
    assertThat(player.apply(d.events().get(0), invited).openGames().get("hall-1").hand()).isEqualTo(Hand.PAPER);
  }

  @Test
  void aMoveInAGameNotOpenTwiceOrWithoutAHandIsRejected() {
    assertThat(player.handle(new Move("hall-9", Hand.PAPER), invited, atAnn).rejection())
        .isEqualTo("ann has no open game 'hall-9'; open: [hall-1]");
    assertThat(player.handle(new Move("hall-1", null), invited, atAnn).rejection()).contains("needs a hand");
    State moved = player.apply(new Moved("hall-1", Hand.ROCK), invited);
    assertThat(player.handle(new Move("hall-1", Hand.PAPER), moved, atAnn).rejection())
        .isEqualTo("ann has already shown ROCK in game hall-1");
  }

  @Test
  void aResultClosesTheGameAndCountsAWinALossOrADraw() {
    TestContext fromGame = atAnn.from(Game.TYPE_NAME, "hall-1");
    assertThat(player.handle(new Result("ann", Ending.FORFEIT), invited, fromGame).events())
        .containsExactly(new GameEnded("hall-1", Outcome.WIN, Ending.FORFEIT));
    assertThat(player.handle(new Result("ben", Ending.PLAYED), invited, fromGame).events())
        .containsExactly(new GameEnded("hall-1", Outcome.LOSS, Ending.PLAYED));
    assertThat(player.handle(new Result("", Ending.ABANDONED), invited, fromGame).events())
        .containsExactly(new GameEnded("hall-1", Outcome.DRAW, Ending.ABANDONED));

    State won = player.apply(new GameEnded("hall-1", Outcome.WIN, Ending.FORFEIT), invited);
    assertThat(won).isEqualTo(new State(Map.of(), 1, 0, 0, "hall-1", Outcome.WIN, Ending.FORFEIT));
  }

  @Test
  void aWholeGameThroughTheLobbyEndsWithTheBetterHandWinningEverywhere() {
    MessageLoop loop = new MessageLoop(EntityTypes.of(Lobby.TYPE, Game.TYPE, Player.TYPE));
    Decision<?> started = loop.command(Lobby.TYPE.ref("hall"), new Lobby.StartGame("ann", "ben", 0));
    String gameId = ((Lobby.GameCreated) started.reply()).gameId();
    loop.deliver(100);
    loop.command(Player.TYPE.ref("ann"), new Move(gameId, Hand.SCISSORS));
    loop.command(Player.TYPE.ref("ben"), new Move(gameId, Hand.PAPER));
    loop.deliver(100);

    assertThat(loop.rejections()).isEmpty();
    assertThat(loop.pending()).isZero();
    Game.State game = loop.state(Game.TYPE.ref(gameId));
    assertThat(game.phase()).isEqualTo(Game.Phase.OVER);
    assertThat(game.winnerId()).isEqualTo("ann");
    assertThat(loop.state(Player.TYPE.ref("ann"))).isEqualTo(new State(Map.of(), 1, 0, 0, gameId, Outcome.WIN,
        Ending.PLAYED));
    assertThat(loop.state(Player.TYPE.ref("ben"))).isEqualTo(new State(Map.of(), 0, 1, 0, gameId, Outcome.LOSS,
        Ending.PLAYED));
    assertThat(loop.state(Lobby.TYPE.ref("hall")).lastFinished())
        .isEqualTo(new Lobby.GameFinished(gameId, "ann", Ending.PLAYED));
  }

  @Test
  void stateCommandsAndEventsSurviveTheCodec() {
    State moved = player.apply(new Moved("hall-1", Hand.ROCK),
        player.apply(new Invited("hall-0", "cy", 7), invited));
    Codecs.assertRoundTrips(Player.TYPE, fresh, invited, moved,
        new State(Map.of(), 1, 2, 3, "hall-1", Outcome.DRAW, Ending.ABANDONED), new Invite("ben", 1),
        new Move("hall-1", Hand.ROCK), new Result("", Ending.PLAYED), new Invited("hall-1", "ben", 1),
        new Moved("hall-1", Hand.PAPER), new GameEnded("hall-1", Outcome.LOSS, Ending.FORFEIT));
  }
}
