package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.ReadMode;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.RequestId;
import io.pachyderm.runtime.EntityKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retries, restarts, snapshots and snapshot installation on a three-node cluster. */
class ClusterDurabilityTest {
  @TempDir
  Path dir;

  private static Command add(RequestId id, String entity, long by) {
    return Command.newBuilder()
        .setRequestId(id)
        .setRef(Protos.ref(new EntityKey("default", TestCounter.TYPE.name(), entity)))
        .setPayload(Protos.payload(TestCounter.TYPE.codec().encode(new TestCounter.Add(by))))
        .setReplyWanted(true)
        .build();
  }

  @Test
  void aRetriedRequestIdTakesEffectOnceAcrossLeaderChangeAndFullRestart() throws Exception {
    RequestId id = RequestId.newBuilder().setClientHi(7).setClientLo(9).setSequence(1).build();
    EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("dedup");
    try (TestCluster cluster = new TestCluster(dir, 3, TestCounter.TYPES, b -> b.snapshotThresholdEntries(5))) {
      cluster.awaitLeader();
      Outcome first;
      try (RawClient raw = new RawClient(cluster.peers())) {
        first = raw.send(add(id, "dedup", 5)).getOutcomes(0);
        assertThat(first.getApplied().getVersion()).isEqualTo(1);
        // Same id again, also inside one batch twice: still one effect, same answer.
        BatchReply again = raw.send(add(id, "dedup", 5), add(id, "dedup", 5));
        assertThat(again.getOutcomesList()).containsOnly(first);
      }
      int leader = cluster.awaitLeader();
      cluster.stop(leader);
      try (RawClient raw = new RawClient(cluster.peers())) {
        assertThat(raw.send(add(id, "dedup", 5)).getOutcomes(0)).isEqualTo(first);
      }
      cluster.start(leader);
      PachydermClient client = cluster.client();
      for (int i = 0; i < 20; i++) {
        client.call(TestCounter.TYPE.ref("filler"), new TestCounter.Add(1)); // pushes the id into a snapshot
      }
      for (int i = 0; i < cluster.size(); i++) {
        cluster.stop(i);
      }
      for (int i = 0; i < cluster.size(); i++) {
        cluster.start(i);
      }
      cluster.awaitLeader();
      try (RawClient raw = new RawClient(cluster.peers())) {
        assertThat(raw.send(add(id, "dedup", 5)).getOutcomes(0)).isEqualTo(first);
      }
      assertThat(cluster.client().query(ref).state().count()).isEqualTo(5);
    }
  }

  @Test
  void restartingEveryNodeRecoversFromSnapshotPlusLogTail() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestCounter.TYPES, b -> b.snapshotThresholdEntries(20))) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      for (int i = 0; i < 100; i++) {
        client.call(TestCounter.TYPE.ref("e" + (i % 7)), new TestCounter.Add(i));
      }
      for (int i = 0; i < cluster.size(); i++) {
        cluster.stop(i);
      }
      for (int i = 0; i < cluster.size(); i++) {
        assertThat(snapshotFiles(dir.resolve("n" + (i + 1)))).as("snapshots of n%d", i + 1).isNotEmpty();
      }
      for (int i = 0; i < cluster.size(); i++) {
        cluster.start(i);
      }
      cluster.awaitLeader();
      PachydermClient after = cluster.client();
      long total = 0;
      for (int e = 0; e < 7; e++) {
        total += after.query(TestCounter.TYPE.ref("e" + e)).state().count();
      }
      assertThat(total).isEqualTo(99L * 100 / 2);
      // Every node, read locally, has the same state.
      for (int i = 0; i < cluster.size(); i++) {
        PachydermClient only = cluster.client(List.of(cluster.peers().get(i)), java.time.Duration.ofSeconds(30));
        long sum = 0;
        for (int e = 0; e < 7; e++) {
          sum += awaitStale(only, "e" + e, -1);
        }
        assertThat(sum).isEqualTo(99L * 100 / 2);
      }
      cluster.assertReplicasAgree();
    }
  }

  @Test
  void aFollowerThatMissedPurgedLogCatchesUpBySnapshotInstall() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestCounter.TYPES, b -> b
        .snapshotThresholdEntries(10)
        .logEntriesKeptForLaggingNodesMax(0)
        .limits(TestCluster.smallSegmentsLimits())
        .logSegmentBytesMax(128 << 10))) {
      int follower = cluster.followerIndex();
      cluster.stop(follower);
      PachydermClient client = cluster.client();
      String pad = "p".repeat(2000);
      List<CompletableFuture<?>> calls = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        calls.add(client.callAsync(TestCounter.TYPE.ref("k" + (i % 13) + pad.substring(0, 400)), new TestCounter.Add(1)));
      }
      CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).get();
      int leader = cluster.awaitLeader();
      RaftServer.Division division = io.pachyderm.node.internal.NodeInternals.raftServer(cluster.node(leader))
          .getDivision(org.apache.ratis.protocol.RaftGroupId.valueOf(cluster.node(leader).clusterId()));
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (division.getRaftLog().getStartIndex() <= 5 && System.nanoTime() < deadline) {
        TestCluster.sleep(50); // purging runs after the snapshot, in the background
      }
      assertThat(division.getRaftLog().getStartIndex())
          .as("the leader purged its log past what the stopped follower has")
          .isGreaterThan(5);
      cluster.start(follower);
      PachydermClient onlyFollower = cluster.client(List.of(cluster.peers().get(follower)), java.time.Duration.ofSeconds(30));
      long sum = 0;
      for (int k = 0; k < 13; k++) {
        sum += awaitStale(onlyFollower, "k" + k + pad.substring(0, 400), k < 11 ? 154 : 153);
      }
      assertThat(sum).isEqualTo(2000);
      assertThat(snapshotFiles(dir.resolve(cluster.peers().get(follower).id()))).isNotEmpty();
      // Its journal starts at the installed snapshot: history readers are sent to the nodes that hold it all.
      EntityRef<TestCounter.State, TestCounter.Command> k0 = TestCounter.TYPE.ref("k0" + pad.substring(0, 400));
      assertThatThrownBy(() -> onlyFollower.history(k0, 1))
          .isInstanceOf(io.pachyderm.api.HistoryUnavailableException.class);
      List<io.pachyderm.api.HistoryEvent> history = client.history(k0, 1);
      assertThat(history).hasSize(154);
      for (int v = 0; v < history.size(); v++) {
        assertThat(history.get(v).version()).isEqualTo(v + 1);
      }
      // The follower holds the leader's snapshot plus the log after it; the others replayed the log.
      cluster.assertReplicasAgree();
    }
  }

  @Test
  void aFollowerThatWasDownBrieflyReplaysTheLogAndKeepsItsWholeJournal() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestCounter.TYPES, b -> b.snapshotThresholdEntries(10))) {
      int follower = cluster.followerIndex();
      cluster.stop(follower);
      PachydermClient client = cluster.client();
      EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("while-down");
      for (int i = 0; i < 300; i++) {
        client.call(ref, new TestCounter.Add(1)); // ~30 snapshots on the others meanwhile
      }
      cluster.start(follower);
      Peer peer = cluster.peers().get(follower);
      PachydermClient onlyFollower = cluster.client(List.of(peer), java.time.Duration.ofSeconds(30));
      assertThat(awaitStale(onlyFollower, "while-down", 300)).isEqualTo(300);
      var page = onlyFollower.encodedOperations()
          .readHistoryPage(peer.id(), io.pachyderm.protocol.HistoryQuery.newBuilder()
          .setRef(io.pachyderm.protocol.Ref.newBuilder().setEcosystem("default").setType(TestCounter.TYPE.name())
              .setId("while-down")).setFromVersion(1).setLimit(1_000).build());
      assertThat(page.getFirstVersion()).as("no snapshot was installed: the journal starts at v1").isEqualTo(1);
      assertThat(page.getRecordsCount()).isEqualTo(300);
      assertThat(onlyFollower.history(ref, 1)).hasSize(300);
    }
  }

  @Test
  void theClientRecoversAfterRatisGaveUpOnAWholeClusterOutage() {
    try (TestCluster cluster = TestCluster.start(dir, TestCounter.TYPES)) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client(cluster.peers(), java.time.Duration.ofSeconds(6));
      EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("outage");
      client.call(ref, new TestCounter.Add(1));
      for (int i = 0; i < cluster.size(); i++) {
        cluster.stop(i);
      }
      // Long enough for Ratis' own retries to run out, which closes its ordered-request window.
      // Every node refuses the connection, so the client knows the command reached none.
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.call(ref, new TestCounter.Add(1)))
          .isInstanceOf(io.pachyderm.api.NotSentException.class);
      for (int i = 0; i < cluster.size(); i++) {
        cluster.start(i);
      }
      cluster.awaitLeader();
      long count = -1;
      for (int attempt = 0; attempt < 10 && count < 0; attempt++) {
        try {
          count = client.call(ref, new TestCounter.Add(1)).state().count();
        } catch (io.pachyderm.api.OutcomeUnknownException | io.pachyderm.api.NotSentException e) {
          // an election may still be settling; the same client must get through
        }
      }
      assertThat(count).as("the in-doubt call applied once or never, then this one").isBetween(2L, 3L);
    }
  }

  /** Stale-reads {@code id} from the client's only node until it shows {@code expected} (or any value if -1). */
  private static long awaitStale(PachydermClient client, String id, long expected) {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      long count;
      try {
        count = client.queryAsync(TestCounter.TYPE.ref(id), ReadMode.STALE).get().state().count();
      } catch (Exception e) {
        count = Long.MIN_VALUE;
      }
      if ((expected < 0 && count != Long.MIN_VALUE) || count == expected || System.nanoTime() > deadline) {
        return count;
      }
      TestCluster.sleep(50);
    }
  }

  private static List<Path> snapshotFiles(Path nodeDir) throws Exception {
    try (Stream<Path> files = Files.walk(nodeDir)) {
      return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).toList();
    }
  }
}
