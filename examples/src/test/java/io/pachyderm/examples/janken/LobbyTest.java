package io.pachyderm.examples.janken;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Envelope;
import io.pachyderm.examples.janken.Lobby.Event;
import io.pachyderm.examples.janken.Lobby.GameCreated;
import io.pachyderm.examples.janken.Lobby.GameFinished;
import io.pachyderm.examples.janken.Lobby.GameOver;
import io.pachyderm.examples.janken.Lobby.GameStarted;
import io.pachyderm.examples.janken.Lobby.StartGame;
import io.pachyderm.examples.janken.Lobby.State;
import io.pachyderm.examples.testkit.Codecs;
import io.pachyderm.examples.testkit.TestContext;
import org.junit.jupiter.api.Test;

class LobbyTest {
  private final Lobby lobby = new Lobby();
  private final State fresh = lobby.initial("hall");

  @Test
  void startingAGameNumbersItRepliesWithItsIdAndSetsTheGameUp() {
    Decision<Event> d = lobby.handle(new StartGame("ann", "ben", 5_000), fresh, TestContext.client("hall"));

    assertThat(d.events()).containsExactly(new GameStarted("hall-1", "ann", "ben", 5_000));
    assertThat(d.reply()).isEqualTo(new GameCreated("hall-1"));
    assertThat(d.messages()).containsExactly(new Envelope(Game.TYPE.ref("hall-1"), new Game.Setup("ann", "ben", 5_000)));
    State after = lobby.apply(d.events().get(0), fresh);
    assertThat(after.gamesStarted()).isEqualTo(1);

    Decision<Event> next = lobby.handle(new StartGame("ann", "ben", 5_000), after, TestContext.client("hall"));
    assertThat(next.reply()).isEqualTo(new GameCreated("hall-2"));
  }

  @Test
  void aTimeoutOfZeroMeansTheDefault() {
    Decision<Event> d = lobby.handle(new StartGame("ann", "ben", 0), fresh, TestContext.client("hall"));

    long defaultMs = Lobby.MOVE_TIMEOUT_DEFAULT.toMillis();
    assertThat(d.events()).containsExactly(new GameStarted("hall-1", "ann", "ben", defaultMs));
    assertThat(d.messages().get(0).command()).isEqualTo(new Game.Setup("ann", "ben", defaultMs));
  }

  @Test
  void aGameNeedsTwoDifferentPlayersAndATimeoutInRange() {
    TestContext ctx = TestContext.client("hall");
    assertThat(lobby.handle(new StartGame("ann", "ann", 0), fresh, ctx).rejection())
        .isEqualTo("a game needs two different players, got ann twice");
    assertThat(lobby.handle(new StartGame("ann", "", 0), fresh, ctx).rejection()).contains("two player ids");
    assertThat(lobby.handle(new StartGame(null, "ben", 0), fresh, ctx).rejection()).contains("two player ids");
    assertThat(lobby.handle(new StartGame("ann", "ben", -1), fresh, ctx).rejection()).contains("move timeout");
    assertThat(lobby.handle(new StartGame("ann", "ben", Lobby.MOVE_TIMEOUT_MAX.toMillis() + 1), fresh, ctx)
        .rejection()).contains("move timeout");
  }

  @Test
  void aGameOfThisLobbyReportsItsEnd() {
    Decision<Event> d = lobby.handle(new GameOver("ann", Ending.FORFEIT), fresh,
        TestContext.client("hall").from(Game.TYPE_NAME, "hall-1"));

    assertThat(d.events()).containsExactly(new GameFinished("hall-1", "ann", Ending.FORFEIT));
    State after = lobby.apply(d.events().get(0), fresh);
    assertThat(after.gamesFinished()).isEqualTo(1);
    assertThat(after.lastFinished()).isEqualTo(new GameFinished("hall-1", "ann", Ending.FORFEIT));
  }

  @Test
  void gameOverFromAClientOrAnotherLobbysGameIsRejected() {
    GameOver over = new GameOver("ann", Ending.PLAYED);
    TestContext ctx = TestContext.client("hall");
    assertThat(lobby.handle(over, fresh, ctx).rejection())
        .isEqualTo("GameOver must come from a game of lobby hall, came from a client or timer");
    assertThat(lobby.handle(over, fresh, ctx.from(Game.TYPE_NAME, "other-1")).isRejected()).isTrue();
    assertThat(lobby.handle(over, fresh, ctx.from(Player.TYPE_NAME, "hall-1")).isRejected()).isTrue();
  }

  @Test
  void stateCommandsEventsAndRepliesSurviveTheCodec() {
    Codecs.assertRoundTrips(Lobby.TYPE, fresh, new State(2, 1, new GameFinished("hall-1", "", Ending.ABANDONED)),
        new StartGame("ann", "ben", 0), new GameOver("", Ending.PLAYED), new GameStarted("hall-1", "ann", "ben", 1),
        new GameFinished("hall-1", "ann", Ending.FORFEIT), new GameCreated("hall-1"));
  }
}
