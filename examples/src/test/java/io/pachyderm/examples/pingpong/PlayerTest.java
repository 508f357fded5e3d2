package io.pachyderm.examples.pingpong;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.entity.Decision;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.entity.Envelope;
import io.pachyderm.examples.pingpong.Player.Event;
import io.pachyderm.examples.pingpong.Player.Ping;
import io.pachyderm.examples.pingpong.Player.PingReceived;
import io.pachyderm.examples.pingpong.Player.Pong;
import io.pachyderm.examples.pingpong.Player.PongReceived;
import io.pachyderm.examples.pingpong.Player.Serve;
import io.pachyderm.examples.pingpong.Player.Served;
import io.pachyderm.examples.pingpong.Player.State;
import io.pachyderm.examples.testkit.Codecs;
import io.pachyderm.examples.testkit.MessageLoop;
import io.pachyderm.examples.testkit.TestContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlayerTest {
  private final Player player = new Player();
  private final State fresh = player.initial("alice");

  @Test
  void serveRemembersTheRallyAndSendsPingOneToTheOpponent() {
    Decision<Event> d = player.handle(new Serve("bob", 3), fresh, TestContext.client("alice"));

    assertThat(d.isRejected()).isFalse();
    assertThat(d.events()).containsExactly(new Served("bob", 3));
    assertThat(d.messages()).containsExactly(new Envelope(Player.TYPE.ref("bob"), new Ping(1)));
    State after = player.apply(d.events().get(0), fresh);
    assertThat(after.opponentId()).isEqualTo("bob");
    assertThat(after.rounds()).isEqualTo(3);
    assertThat(after.rallyInProgress()).isTrue();
  }

  @Test
  void serveIsRejectedWithoutAnOpponentToItselfForRoundsOutOfRangeAndDuringARally() {
    TestContext ctx = TestContext.client("alice");
    assertThat(player.handle(new Serve("", 3), fresh, ctx).rejection()).contains("opponent");
    assertThat(player.handle(new Serve(null, 3), fresh, ctx).rejection()).contains("opponent");
    assertThat(player.handle(new Serve("alice", 3), fresh, ctx).rejection()).contains("itself");
    assertThat(player.handle(new Serve("bob", 0), fresh, ctx).rejection()).contains("rounds must be 1..");
    assertThat(player.handle(new Serve("bob", Player.ROUNDS_MAX + 1), fresh, ctx).rejection())
        .contains("rounds must be 1..");

    State rallying = new State("bob", 3, 0, 1, 0, 1);
    assertThat(player.handle(new Serve("carol", 2), rallying, ctx).rejection())
        .isEqualTo("alice is still in a rally with bob (pong 1 of 3)");
    State finished = new State("bob", 3, 0, 3, 0, 3);
    assertThat(player.handle(new Serve("carol", 2), finished, ctx).isRejected()).isFalse();
  }

  @Test
  void aPingIsCountedAndAnsweredWithAPongOfTheSameNumberToItsSender() {
    Decision<Event> d = player.handle(new Ping(7), fresh, TestContext.client("bob").from("player", "alice"));

    assertThat(d.events()).containsExactly(new PingReceived("alice", 7));
    assertThat(d.messages()).containsExactly(new Envelope(Player.TYPE.ref("alice"), new Pong(7)));
    State after = player.apply(d.events().get(0), fresh);
    assertThat(after.pingsReceived()).isEqualTo(1);
    assertThat(after.lastPing()).isEqualTo(7);
  }

  @Test
  void aPongBelowTheRoundsSendsTheNextPingAndTheLastPongEndsTheRally() {
    State rallying = new State("bob", 3, 0, 1, 0, 1);
    TestContext fromBob = TestContext.client("alice").from("player", "bob");

    Decision<Event> second = player.handle(new Pong(2), rallying, fromBob);
    assertThat(second.events()).containsExactly(new PongReceived("bob", 2));
    assertThat(second.messages()).containsExactly(new Envelope(Player.TYPE.ref("bob"), new Ping(3)));

    State atTwo = player.apply(second.events().get(0), rallying);
    Decision<Event> last = player.handle(new Pong(3), atTwo, fromBob);
    assertThat(last.events()).containsExactly(new PongReceived("bob", 3));
    assertThat(last.messages()).isEmpty();
    State done = player.apply(last.events().get(0), atTwo);
    assertThat(done.rallyInProgress()).isFalse();
    assertThat(done.pongsReceived()).isEqualTo(3);
    assertThat(done.lastPong()).isEqualTo(3);
  }

  @Test
  void aPongFromSomeoneElseIsCountedButNeitherContinuesNorEndsTheRally() {
    State rallying = new State("bob", 3, 0, 1, 0, 1);

    Decision<Event> d = player.handle(new Pong(3), rallying, TestContext.client("alice").from("player", "carol"));

    assertThat(d.messages()).isEmpty();
    State after = player.apply(d.events().get(0), rallying);
    assertThat(after.pongsReceived()).isEqualTo(2);
    assertThat(after.lastPong()).isEqualTo(1);
    assertThat(after.rallyInProgress()).isTrue();
  }

  @Test
  void pingsAndPongsFromClientsOrFromOtherEntityTypesAreRejected() {
    TestContext client = TestContext.client("bob");
    assertThat(player.handle(new Ping(1), fresh, client).rejection())
        .isEqualTo("Ping must come from another player, not from a client or timer");
    assertThat(player.handle(new Pong(1), fresh, client).isRejected()).isTrue();
    assertThat(player.handle(new Ping(1), fresh, client.from("counter", "c1")).rejection())
        .isEqualTo("Ping must come from another player, not from counter/c1");
  }

  @Test
  void aRallyOfTenRoundsDeliversEachPingAndPongOnceInOrder() {
    MessageLoop loop = new MessageLoop(EntityTypes.of(Player.TYPE));
    loop.command(Player.TYPE.ref("alice"), new Serve("bob", 10));

    int delivered = loop.deliver(1_000);

    assertThat(delivered).isEqualTo(20);
    assertThat(loop.rejections()).isEmpty();
    State alice = loop.state(Player.TYPE.ref("alice"));
    State bob = loop.state(Player.TYPE.ref("bob"));
    assertThat(List.of(alice.pongsReceived(), alice.lastPong(), alice.pingsReceived())).containsExactly(10L, 10L, 0L);
    assertThat(List.of(bob.pingsReceived(), bob.lastPing(), bob.pongsReceived())).containsExactly(10L, 10L, 0L);
    assertThat(alice.rallyInProgress()).isFalse();
  }

  @Test
  void stateCommandsAndEventsSurviveTheCodec() {
    Codecs.assertRoundTrips(Player.TYPE, fresh, new State("bob", 3, 4, 5, 6, 2), new Serve("bob", 3), new Ping(1),
        new Pong(2), new Served("bob", 3), new PingReceived("alice", 1), new PongReceived("bob", 2));
  }
}
