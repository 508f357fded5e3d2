package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.ReadMode;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.node.settings.StateStoreKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes of one cluster may differ in state store kind: a HEAP follower installs a DISK leader's
 * checkpoint (every file of it is shipped), and a DISK follower a HEAP leader's one-file snapshot.
 */
class MixedStateStoreInstallTest {
  @TempDir
  Path dir;

  @Test
  void aHeapFollowerInstallsADiskLeadersCheckpointAndADiskFollowerAHeapLeadersFile() throws Exception {
    Map<String, StateStoreKind> kinds = new ConcurrentHashMap<>();
    try (TestCluster cluster = new TestCluster(dir, 3, TestCounter.TYPES, false, (id, b) -> b
        .stateStore(kinds.getOrDefault(id, StateStoreKind.DISK))
        .snapshotThresholdEntries(20)
        .logEntriesKeptForLaggingNodesMax(0)
        .limits(TestCluster.smallSegmentsLimits())
        .logSegmentBytesMax(128 << 10))) {
      int heapFollower = cluster.followerIndex();
      String heapId = cluster.peers().get(heapFollower).id();
      cluster.stop(heapFollower);
      kinds.put(heapId, StateStoreKind.HEAP);
      int rounds = writeUntilPurged(cluster);
      cluster.start(heapFollower);
      cluster.assertReplicasAgree();
      assertCountsOn(cluster, heapFollower, rounds);

      // Now the HEAP node leads, and a DISK follower falls behind its one-file snapshots.
      cluster.client().admin().transferLeadership(heapId);
      int diskFollower = cluster.followerIndex();
      assertThat(cluster.peers().get(diskFollower).id()).isNotEqualTo(heapId);
      cluster.stop(diskFollower);
      rounds += writeUntilPurged(cluster);
      cluster.start(diskFollower);
      cluster.assertReplicasAgree();
      assertCountsOn(cluster, diskFollower, rounds);
    }
  }

  /**
   * Adds 1 to each of counters c0..c999 per round, until the leader's log starts past where it
   * started before (so the stopped follower must install a snapshot); returns the rounds run.
   */
  private static int writeUntilPurged(TestCluster cluster) throws Exception {
    PachydermClient client = cluster.client();
    int leader = cluster.awaitLeader();
    RaftServer.Division division = io.pachyderm.node.internal.NodeInternals.raftServer(cluster.node(leader))
        .getDivision(RaftGroupId.valueOf(cluster.node(leader).clusterId()));
    long logStart = division.getRaftLog().getStartIndex();
    long logEnd = division.getRaftLog().getLastCommittedIndex();
    for (int round = 1; round <= 5; round++) {
      for (int from = 0; from < 1_000; from += 50) {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (int i = from; i < from + 50; i++) {
          calls.add(client.callAsync(TestCounter.TYPE.ref("c" + i), new TestCounter.Add(1)));
        }
        CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).get();
      }
      for (int poll = 0; poll < 200 && division.getRaftLog().getStartIndex() <= logEnd; poll++) {
        TestCluster.sleep(50); // purging runs after the snapshot, in the background
      }
      if (division.getRaftLog().getStartIndex() > logEnd) {
        return round;
      }
    }
    throw new AssertionError("the leader never purged its log past " + logEnd + " (it started at " + logStart + ")");
  }

  private static void assertCountsOn(TestCluster cluster, int node, int count) throws Exception {
    assertThat(cluster.node(node).appliedDigest()).isEqualTo(cluster.node(cluster.awaitLeader()).appliedDigest());
    PachydermClient only = cluster.client(List.of(cluster.peers().get(node)), Duration.ofSeconds(30));
    for (int i = 0; i < 1_000; i += 97) {
      assertThat(only.queryAsync(TestCounter.TYPE.ref("c" + i), ReadMode.STALE).get().state().count())
          .as("c%d on node %d", i, node).isEqualTo(count);
    }
  }
}
