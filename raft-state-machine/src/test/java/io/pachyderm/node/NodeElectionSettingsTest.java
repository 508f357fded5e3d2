package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.cluster.Peer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Ratis election settings a node is built with (see PachydermNode.properties for the why). */
class NodeElectionSettingsTest {
  @TempDir
  Path dir;

  @Test
  void electionTimeoutsAreOneToTwoTimesTheMinimumForEveryRoundWithPreVoteOn() {
    List<Peer> peers = Peer.parseList("n1=127.0.0.1:" + TestCluster.freePort() + ",n2=127.0.0.1:1,n3=127.0.0.1:2");
    PachydermNode node = PachydermNode.builder("n1", peers, dir.resolve("n1"))
        .electionTimeoutMin(Duration.ofMillis(600)).build();
    try {
      RaftProperties p = io.pachyderm.node.internal.NodeInternals.raftServer(node).getProperties();
      assertThat(RaftServerConfigKeys.Rpc.timeoutMin(p).toLong(TimeUnit.MILLISECONDS)).isEqualTo(600);
      assertThat(RaftServerConfigKeys.Rpc.timeoutMax(p).toLong(TimeUnit.MILLISECONDS)).isEqualTo(1200);
      // Unset: the first election after a start uses the election timeouts above.
      assertThat(RaftServerConfigKeys.Rpc.firstElectionTimeoutMin(p).toLong(TimeUnit.MILLISECONDS)).isEqualTo(600);
      assertThat(RaftServerConfigKeys.Rpc.firstElectionTimeoutMax(p).toLong(TimeUnit.MILLISECONDS)).isEqualTo(1200);
      assertThat(RaftServerConfigKeys.LeaderElection.preVote(p)).isTrue();
    } finally {
      node.close();
    }
  }
}
