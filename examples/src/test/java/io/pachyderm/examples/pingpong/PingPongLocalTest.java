package io.pachyderm.examples.pingpong;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.entity.EntityRef;
import io.pachyderm.examples.testkit.Await;
import io.pachyderm.examples.testkit.Locals;
import io.pachyderm.examples.testkit.Messaging;
import io.pachyderm.local.LocalPachyderm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rallies on the embedded store: every ping and pong is a message delivered exactly once. */
class PingPongLocalTest {
  private static final long ROUNDS = 25;
  private static final int PAIRS = 4;

  @TempDir
  Path dir;

  @Test
  void rallyingPairsCountExactlyTheirRoundsOfPingsAndPongs() {
    try (LocalPachyderm local = Locals.open(dir)) {
      List<EntityRef<Player.State, Player.Command>> servers = new ArrayList<>();
      for (int p = 0; p < PAIRS; p++) {
        EntityRef<Player.State, Player.Command> server = Player.TYPE.ref("server-" + p);
        local.call(server, new Player.Serve("receiver-" + p, ROUNDS));
        servers.add(server);
      }

      for (EntityRef<Player.State, Player.Command> server : servers) {
        Await.until(server + " receives its last pong", () -> !local.query(server).state().rallyInProgress(),
            () -> local.query(server));
      }
      Messaging.awaitNoPendingMessages(local);

      for (int p = 0; p < PAIRS; p++) {
        Player.State server = local.query(Player.TYPE.ref("server-" + p)).state();
        Player.State receiver = local.query(Player.TYPE.ref("receiver-" + p)).state();
        assertThat(server).as("server-%d", p).isEqualTo(new Player.State("receiver-" + p, ROUNDS, 0, ROUNDS, 0, ROUNDS));
        assertThat(receiver).as("receiver-%d", p).isEqualTo(new Player.State("", 0, ROUNDS, 0, ROUNDS, 0));
      }
      // Versions count events: one Served plus one per pong, one per ping; a duplicate would add one.
      assertThat(local.query(Player.TYPE.ref("server-0")).version()).isEqualTo(1 + ROUNDS);
      assertThat(local.query(Player.TYPE.ref("receiver-0")).version()).isEqualTo(ROUNDS);
    }
  }
}
