package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.ReadMode;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.node.internal.StateStores;
import io.pachyderm.node.settings.FatalErrorPolicy;
import io.pachyderm.node.settings.StateStoreKind;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ratis.util.FileUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged table file in a DISK follower's latest checkpoint: the follower refuses to start,
 * naming the file, and the operator's way out (README, "Re-seeding a node") works: delete the
 * node's state machine dir, its Raft log segments and its live store, keep its Raft metadata (term
 * and vote) and cluster id, start it; it fetches a snapshot from the leader and converges.
 */
class CorruptCheckpointReseedTest {
  private static final int DOCUMENTS = 30;

  @TempDir
  Path dir;

  @Test
  void aFollowerWithADamagedCheckpointRefusesToStartAndIsReseededFromTheLeaderOnceItsStateIsWiped()
      throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestDocument.TYPES, CorruptCheckpointReseedTest::tuning)) {
      PachydermClient client = cluster.client();
      List<String> acknowledged = new ArrayList<>();
      write(client, 0, 200, acknowledged);
      cluster.assertReplicasAgree();
      int follower = cluster.followerIndex();
      Peer peer = cluster.peers().get(follower);
      Path data = dir.resolve(peer.id());
      cluster.stop(follower);
      Path table = aTableFileOfTheLatestCheckpoint(data);
      byte[] bytes = Files.readAllBytes(table);
      bytes[bytes.length / 2] ^= 0x5A;
      Files.write(table, bytes);

      PachydermNode damaged = builder(cluster.peers(), peer, data).build();
      try {
        assertThatThrownBy(damaged::start).isInstanceOf(UncheckedIOException.class)
            .hasMessageContaining(table.toString());
      } finally {
        damaged.close();
      }
      write(client, 200, 100, acknowledged);

      wipeStateKeepingTermAndVote(data);
      cluster.start(follower);

      cluster.assertReplicasAgree();
      int leader = cluster.awaitLeader();
      assertThat(cluster.node(follower).appliedDigest()).isEqualTo(cluster.node(leader).appliedDigest());
      PachydermClient onlyFollower = cluster.client(List.of(peer), Duration.ofSeconds(30));
      List<String> held = new ArrayList<>();
      for (int d = 0; d < DOCUMENTS; d++) {
        held.addAll(onlyFollower.queryAsync(TestDocument.TYPE.ref("doc-" + d), ReadMode.STALE)
            .get(60, TimeUnit.SECONDS).state().pages());
      }
      assertThat(held).as("every acknowledged write, once, on the re-seeded follower")
          .hasSameSizeAs(acknowledged).containsAll(acknowledged);
    }
  }

  /**
   * README's procedure, as code: {@code rm -rf <data>/raft/<group>/sm <data>/raft/<group>/current/log_*
   * <data>/state; mkdir <data>/raft/<group>/sm}. The log goes too: a node with no snapshot over a log that no longer starts at
   * index 1 would wait forever for entries the leader has purged; with an empty log the leader
   * sends its snapshot.
   */
  private static void wipeStateKeepingTermAndVote(Path data) throws Exception {
    Path group = groupDir(data);
    FileUtils.deleteFully(group.resolve("sm"));
    // Empty, not missing: Ratis lists it for the latest snapshot before it accepts an install.
    Files.createDirectory(group.resolve("sm"));
    try (Stream<Path> files = Files.list(group.resolve("current"))) {
      for (Path segment : files.filter(p -> p.getFileName().toString().startsWith("log_")).toList()) {
        Files.delete(segment);
      }
    }
    FileUtils.deleteFully(StateStores.directory(data));
    assertThat(group.resolve("current").resolve("raft-meta")).as("the term and vote stay").exists();
  }

  /** The follower as {@link TestCluster} builds it, but not started: this start is expected to fail. */
  private static PachydermNode.Builder builder(List<Peer> peers, Peer self, Path data) {
    PachydermNode.Builder b = PachydermNode.builder(self.id(), peers, data)
        .entityTypes(TestDocument.TYPES).electionTimeoutMin(Duration.ofMillis(400))
        .onFatalError(FatalErrorPolicy.STOP_NODE);
    tuning(b);
    return b;
  }

  private static void tuning(PachydermNode.Builder b) {
    b.stateStore(StateStoreKind.DISK)
        .snapshotThresholdEntries(20)
        .logEntriesKeptForLaggingNodesMax(0)
        // Ratis purges whole closed segments only: small ones, so that the leader's log moves on.
        .limits(TestCluster.smallSegmentsLimits())
        .logSegmentBytesMax(128 << 10);
  }

  private static void write(PachydermClient client, int from, int count, List<String> acknowledged)
      throws Exception {
    List<CompletableFuture<?>> calls = new ArrayList<>();
    List<String> pages = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      String page = "page-" + i;
      pages.add(page);
      calls.add(client.callAsync(TestDocument.TYPE.ref("doc-" + (i % DOCUMENTS)), new TestDocument.Append(page)));
      if (calls.size() == 40 || i == from + count - 1) {
        for (int c = 0; c < calls.size(); c++) {
          calls.get(c).get(120, TimeUnit.SECONDS);
          acknowledged.add(pages.get(c));
        }
        calls.clear();
        pages.clear();
      }
    }
  }

  private static Path groupDir(Path data) throws Exception {
    try (Stream<Path> groups = Files.list(data.resolve("raft"))) {
      return groups.filter(Files::isDirectory).findFirst().orElseThrow();
    }
  }

  /** A {@code .sst} of the newest {@code checkpoint.<term>_<index>} dir. */
  private static Path aTableFileOfTheLatestCheckpoint(Path data) throws Exception {
    Path checkpoint;
    try (Stream<Path> dirs = Files.list(groupDir(data).resolve("sm"))) {
      checkpoint = dirs.filter(p -> p.getFileName().toString().matches("checkpoint\\.\\d+_\\d+"))
          .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().replaceAll(".*_", ""))))
          .orElseThrow(() -> new AssertionError("the follower took no checkpoint"));
    }
    try (Stream<Path> files = Files.list(checkpoint)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".sst")).sorted().findFirst()
          .orElseThrow(() -> new AssertionError("no table file in " + checkpoint));
    }
  }
}
