package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.HistoryEvent;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.client.tls.TlsFiles;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.node.security.ThrowawayCa.AltName;
import io.pachyderm.node.security.ThrowawayCa;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication, election and catch-up all run over mutual TLS: a leader killed mid-stream is
 * replaced, the TLS client follows the new leader, and the old leader, restarted, catches up over
 * TLS to the same replica digest as the others. Every node presents one certificate that names all
 * three ids (TestCluster configures nodes alike); the rule is the same as with one per node.
 */
class TlsLeaderChangeTest {
  @TempDir
  Path dir;

  @Test
  void aKilledLeaderIsReplacedAndCatchesUpAfterRestartAllOverTls() {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("ca"), "ca");
    TlsFiles nodes = allNodes(ca);
    try (TestCluster cluster = new TestCluster(dir.resolve("data"), 3, TestCounter.TYPES, b -> b.tls(nodes));
         PachydermClient client = PachydermClient.builder(cluster.peers()).entityTypes(TestCounter.TYPES)
             .requestTimeout(Duration.ofSeconds(30)).tls(ca.client("app")).build()) {
      EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("tls-failover");
      int leader = cluster.awaitLeader();
      for (int i = 0; i < 5; i++) {
        client.call(ref, new TestCounter.Add(1));
      }
      cluster.stop(leader);
      int next = cluster.awaitLeader();
      assertThat(next).isNotEqualTo(leader);
      for (int i = 0; i < 5; i++) {
        client.call(ref, new TestCounter.Add(1));
      }
      cluster.start(leader);
      cluster.assertReplicasAgree();
      assertThat(client.query(ref).state().count()).isEqualTo(10);
      assertThat(client.history(ref, 1)).extracting(HistoryEvent::version)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
      for (int i = 0; i < cluster.size(); i++) {
        assertThat(cluster.node(i).refusals().total()).as("refusals on node " + i).isZero();
      }
    }
  }

  /** installSnapshot is a streaming peer call too: a follower behind the purged log gets it over TLS. */
  @Test
  void aFollowerBehindThePurgedLogCatchesUpBySnapshotInstallOverTls() throws Exception {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("ca"), "ca");
    TlsFiles nodes = allNodes(ca);
    try (TestCluster cluster = new TestCluster(dir.resolve("data"), 3, TestCounter.TYPES, b -> b.tls(nodes)
        .snapshotThresholdEntries(10)
        .logEntriesKeptForLaggingNodesMax(0)
        .limits(TestCluster.smallSegmentsLimits())
        .logSegmentBytesMax(128 << 10));
         PachydermClient client = PachydermClient.builder(cluster.peers()).entityTypes(TestCounter.TYPES)
             .requestTimeout(Duration.ofSeconds(60)).tls(ca.client("app")).build()) {
      int follower = cluster.followerIndex();
      cluster.stop(follower);
      String pad = "p".repeat(400);
      List<CompletableFuture<?>> calls = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        calls.add(client.callAsync(TestCounter.TYPE.ref("k" + (i % 13) + pad), new TestCounter.Add(1)));
      }
      CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0])).get();
      int leader = cluster.awaitLeader();
      RaftServer.Division onLeader = cluster.node(leader).raftServer()
          .getDivision(io.pachyderm.client.ClusterIdentity.groupId("pachyderm"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (onLeader.getRaftLog().getStartIndex() <= 5 && System.nanoTime() < deadline) {
        TestCluster.sleep(50); // purging runs after the snapshot, in the background
      }
      assertThat(onLeader.getRaftLog().getStartIndex()).as("the leader purged what the follower lacks").isGreaterThan(5);

      cluster.start(follower);
      cluster.assertReplicasAgree();
      RaftServer.Division onFollower = cluster.node(follower).raftServer()
          .getDivision(io.pachyderm.client.ClusterIdentity.groupId("pachyderm"));
      assertThat(onFollower.getStateMachine().getLatestSnapshot()).as("the follower holds an installed snapshot")
          .isNotNull();
      for (int i = 0; i < cluster.size(); i++) {
        assertThat(cluster.node(i).refusals().total()).as("refusals on node " + i).isZero();
      }
    }
  }

  /** One certificate for every node: TestCluster configures all nodes alike. */
  private static TlsFiles allNodes(ThrowawayCa ca) {
    return ca.issue("nodes", "nodes", List.of(
        new AltName.Uri("pachyderm:peer:n1"),
        new AltName.Uri("pachyderm:peer:n2"),
        new AltName.Uri("pachyderm:peer:n3"),
        new AltName.Ip("127.0.0.1")));
  }
}
