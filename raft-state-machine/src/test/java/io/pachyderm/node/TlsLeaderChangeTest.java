package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.client.PachydermClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catch-up by snapshot installation over mutual TLS. Replication, election and catch-up from the
 * log over TLS, with leader kills and restarts, are the parameterised scenarios of
 * {@link ClusterMessagingTest} and {@link ClusterHistoryTest} on {@link TestCluster.Wire#MUTUAL_TLS}.
 */
class TlsLeaderChangeTest {
  @TempDir
  Path dir;

  /** installSnapshot is a streaming peer call too: a follower behind the purged log gets it over TLS. */
  @Test
  void aFollowerBehindThePurgedLogCatchesUpBySnapshotInstallOverTls() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestCounter.TYPES, TestCluster.Wire.MUTUAL_TLS,
        b -> b.snapshotThresholdEntries(10)
            .logEntriesKeptForLaggingNodesMax(0)
            .limits(TestCluster.smallSegmentsLimits())
            .logSegmentBytesMax(128 << 10))) {
      PachydermClient client = cluster.client(cluster.peers(), Duration.ofSeconds(60));
      int follower = cluster.followerIndex();
      cluster.stop(follower);
      String pad = "p".repeat(400);
      List<CompletableFuture<?>> calls = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        calls.add(client.callAsync(TestCounter.TYPE.ref("k" + (i % 13) + pad), new TestCounter.Add(1)));
      }
      CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0])).get();
      int leader = cluster.awaitLeader();
      RaftServer.Division onLeader = io.pachyderm.node.internal.NodeInternals.raftServer(cluster.node(leader))
          .getDivision(org.apache.ratis.protocol.RaftGroupId.valueOf(cluster.node(leader).clusterId()));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (onLeader.getRaftLog().getStartIndex() <= 5 && System.nanoTime() < deadline) {
        TestCluster.sleep(50); // purging runs after the snapshot, in the background
      }
      assertThat(onLeader.getRaftLog().getStartIndex()).as("the leader purged what the follower lacks").isGreaterThan(5);

      cluster.start(follower);
      cluster.assertReplicasAgree();
      RaftServer.Division onFollower = io.pachyderm.node.internal.NodeInternals.raftServer(cluster.node(follower))
          .getDivision(org.apache.ratis.protocol.RaftGroupId.valueOf(cluster.node(follower).clusterId()));
      assertThat(onFollower.getStateMachine().getLatestSnapshot()).as("the follower holds an installed snapshot")
          .isNotNull();
      cluster.assertWire();
    }
  }
}
