package io.pachyderm.node;

import io.pachyderm.node.settings.StateStoreKind;
import io.pachyderm.node.status.AppliedDigest;
import io.pachyderm.node.settings.FatalErrorPolicy;
import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.ReadMode;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.internal.LoopbackPorts;
import io.pachyderm.node.internal.StateStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node with the DISK state store: migration from the heap store, damaged store files, snapshot install. */
class DiskStateStoreNodeTest {
  @TempDir
  Path dir;

  private static PachydermNode single(List<Peer> peers, Path data, StateStoreKind kind) throws Exception {
    PachydermNode node = PachydermNode.builder("n1", peers, data).entityTypes(TestDocument.TYPES)
        .stateStore(kind).snapshotThresholdEntries(10).onFatalError(FatalErrorPolicy.STOP_NODE)
        .electionTimeoutMin(Duration.ofMillis(400)).diskReserveBytes(0).build().start();
    for (int poll = 0; poll < 600 && !node.isReadyLeader(); poll++) {
      Thread.sleep(50);
    }
    assertThat(node.isReadyLeader()).as("the single node leads").isTrue();
    return node;
  }

  private static PachydermClient client(List<Peer> peers) {
    return PachydermClient.builder(peers).entityTypes(TestDocument.TYPES).requestTimeout(Duration.ofSeconds(30))
        .build();
  }

  /** Issue 14's migration: today's snapshot (every entity in one file) opens into the disk store. */
  @Test
  void aDataDirectoryWrittenWithTheHeapStoreOpensIntoTheDiskStoreAndGoesOn() throws Exception {
    List<Peer> peers = List.of(new Peer("n1", "127.0.0.1:" + LoopbackPorts.free()));
    Path data = dir.resolve("n1");
    AppliedDigest heap;
    try (PachydermNode node = single(peers, data, StateStoreKind.HEAP); PachydermClient client = client(peers)) {
      for (int i = 0; i < 30; i++) {
        client.call(TestDocument.TYPE.ref("doc-" + (i % 7)), new TestDocument.Append("page-" + i));
      }
      heap = node.appliedDigest();
    }
    assertThat(Files.exists(StateStores.directory(data))).as("the heap store wrote nothing under state/").isFalse();
    Path refIndex = data.resolve("journal").resolve("ref-index");
    assertThat(Files.exists(refIndex)).as("the heap store's node keeps the journal's ref index in the heap").isFalse();
    try (PachydermNode node = single(peers, data, StateStoreKind.DISK); PachydermClient client = client(peers)) {
      assertThat(Files.isDirectory(StateStores.directory(data))).isTrue();
      assertThat(Files.isDirectory(refIndex)).as("the disk store's node keeps the journal's ref index on disk").isTrue();
      // doc-0 got pages 0, 7, 14, 21, 28: its history comes from the disk ref index (built by one scan).
      assertThat(client.history(TestDocument.TYPE.ref("doc-0"), 1)).hasSize(5);
      for (int d = 0; d < 7; d++) {
        assertThat(client.query(TestDocument.TYPE.ref("doc-" + d)).state().pages()).as("doc-%d", d)
            .hasSize(d < 2 ? 5 : 4);
      }
      // The digest is a function of the state alone: the new leader's own Ratis entries change nothing.
      assertThat(node.appliedDigest().digest()).isEqualTo(heap.digest());
      client.call(TestDocument.TYPE.ref("doc-0"), new TestDocument.Append("after"));
    }
    // And back: the snapshot the disk store's node wrote opens on the heap store.
    try (PachydermNode node = single(peers, data, StateStoreKind.HEAP); PachydermClient client = client(peers)) {
      assertThat(client.query(TestDocument.TYPE.ref("doc-0")).state().pages()).hasSize(6).endsWith("after");
    }
  }

  /**
   * The live store is never trusted at start (its WAL is off): a damaged file of its own, as a
   * crash or a bad disk leaves, is deleted unread with the rest, and the node serves what snapshot
   * and log hold. Opening it would fail (RocksDB reads MANIFEST and CURRENT at open). Its table
   * files that are hard links to the latest checkpoint's are that checkpoint's files: damage to
   * those is {@link DiskCheckpointTest}'s case (the start stops, naming the file).
   */
  @Test
  void aCorruptedFileInTheLiveStoreIsThrownAwayAtStartAndNeverServed() throws Exception {
    List<Peer> peers = List.of(new Peer("n1", "127.0.0.1:" + LoopbackPorts.free()));
    Path data = dir.resolve("n1");
    try (PachydermNode node = single(peers, data, StateStoreKind.DISK); PachydermClient client = client(peers)) {
      for (int i = 0; i < 25; i++) {
        client.call(TestDocument.TYPE.ref("doc"), new TestDocument.Append("page-" + i));
      }
    }
    List<Path> own = new ArrayList<>();
    try (Stream<Path> files = Files.list(StateStores.directory(data))) {
      for (Path p : files.toList()) {
        if (Files.isRegularFile(p) && (Integer) Files.getAttribute(p, "unix:nlink") == 1) {
          own.add(p);
        }
      }
    }
    assertThat(own).as("the live store's own files (not linked from a checkpoint)")
        .anyMatch(p -> p.getFileName().toString().startsWith("MANIFEST"));
    for (Path file : own) {
      byte[] bytes = Files.readAllBytes(file);
      for (int i = 0; i < bytes.length; i += 7) {
        bytes[i] = (byte) 0x5A;
      }
      Files.write(file, bytes);
    }
    try (PachydermNode node = single(peers, data, StateStoreKind.DISK); PachydermClient client = client(peers)) {
      List<String> pages = client.query(TestDocument.TYPE.ref("doc")).state().pages();
      assertThat(pages).hasSize(25).startsWith("page-0").endsWith("page-24");
      client.call(TestDocument.TYPE.ref("doc"), new TestDocument.Append("page-25"));
      assertThat(client.query(TestDocument.TYPE.ref("doc")).state().pages()).hasSize(26);
    }
  }

  /** The install test of ClusterDurabilityTest with many entities, every node on the DISK store. */
  @Test
  void aFollowerInstallsASnapshotOfThousandsOfEntitiesIntoItsDiskStore() throws Exception {
    int entities = 3_000;
    try (TestCluster cluster = new TestCluster(dir, 3, TestCounter.TYPES, b -> b
        .stateStore(StateStoreKind.DISK)
        .snapshotThresholdEntries(20)
        .logEntriesKeptForLaggingNodesMax(0)
        // Ratis purges whole closed segments only: small ones, so that the leader's log moves on.
        .limits(TestCluster.smallSegmentsLimits())
        .logSegmentBytesMax(128 << 10))) {
      int follower = cluster.followerIndex();
      cluster.stop(follower);
      PachydermClient client = cluster.client();
      for (int from = 0; from < entities; from += 50) {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (int i = from; i < from + 50; i++) {
          calls.add(client.callAsync(TestCounter.TYPE.ref("c" + i), new TestCounter.Add(i % 5 + 1)));
        }
        CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).get();
      }
      int leader = cluster.awaitLeader();
      RaftServer.Division division = io.pachyderm.node.internal.NodeInternals.raftServer(cluster.node(leader))
          .getDivision(org.apache.ratis.protocol.RaftGroupId.valueOf(cluster.node(leader).clusterId()));
      for (int poll = 0; poll < 600 && division.getRaftLog().getStartIndex() <= 5; poll++) {
        TestCluster.sleep(50); // purging runs after the snapshot, in the background
      }
      assertThat(division.getRaftLog().getStartIndex()).as("the leader purged its log").isGreaterThan(5);
      cluster.start(follower);
      cluster.assertReplicasAgree();
      assertThat(cluster.node(follower).appliedDigest()).isEqualTo(cluster.node(leader).appliedDigest());
      PachydermClient onlyFollower = cluster.client(List.of(cluster.peers().get(follower)), Duration.ofSeconds(30));
      for (int i = 0; i < entities; i += 97) {
        assertThat(onlyFollower.queryAsync(TestCounter.TYPE.ref("c" + i), ReadMode.STALE).get().state().count())
            .as("c%d on the follower", i).isEqualTo(i % 5 + 1);
      }
    }
  }
}
