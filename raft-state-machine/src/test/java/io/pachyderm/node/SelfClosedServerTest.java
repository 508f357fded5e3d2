package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.internal.LoopbackPorts;
import io.pachyderm.node.settings.FatalErrorPolicy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ratis closes the Raft server on its own when its updater catches a Throwable outside
 * {@code applyTransaction} (a chaos storage run saw a late {@code InternalError} from a faulting
 * mapped write surface inside Ratis' retry cache): the JVM stayed up, serving nothing, and the
 * harness found the node "up". A close the node did not ask for is now a fatal error.
 */
class SelfClosedServerTest {
  @TempDir
  Path dir;

  @Test
  void aRaftServerThatClosesItselfIsAFailStop() throws Exception {
    List<Peer> peers = List.of(new Peer("n1", "127.0.0.1:" + LoopbackPorts.free()));
    try (PachydermNode node = PachydermNode.builder("n1", peers, dir).entityTypes(TestCounter.TYPES)
        .onFatalError(FatalErrorPolicy.STOP_NODE).build().start()) {
      assertThat(node.fatalError()).isEmpty();
      // What Ratis' StateMachineUpdater does after it catches a Throwable: close the division.
      io.pachyderm.node.internal.NodeInternals.raftServer(node).getDivision(io.pachyderm.node.internal.NodeInternals.raftServer(node).getGroupIds().iterator().next()).close();

      assertThat(node.fatalError()).hasValueSatisfying(why -> assertThat(why)
          .contains("Ratis closed the Raft server on its own"));
      assertThat(node.health().live()).isFalse();
    }
  }

  @Test
  void closingTheNodeIsNoFailure() throws Exception {
    List<Peer> peers = List.of(new Peer("n1", "127.0.0.1:" + LoopbackPorts.free()));
    PachydermNode node = PachydermNode.builder("n1", peers, dir).entityTypes(TestCounter.TYPES)
        .onFatalError(FatalErrorPolicy.STOP_NODE).build().start();
    node.close();
    assertThat(node.fatalError()).isEmpty();
  }
}
