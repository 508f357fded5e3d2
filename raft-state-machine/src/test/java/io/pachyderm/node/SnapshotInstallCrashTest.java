package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.ReadMode;
import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.node.settings.StateStoreKind;
import io.pachyderm.node.status.AppliedDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a DISK follower while it installs a snapshot from the leader. Ratis 3.3.0 ends an
 * install by moving the state machine dir {@code sm} aside to {@code sm.tmp<time>}, moving the
 * received files in, then deleting the old dir; a kill between the two moves leaves no {@code sm}
 * (without {@code InstallLeftovers}: a node with no snapshot, re-seeded by a full install, and the
 * moved-aside dir left on disk for good). Whatever the kill leaves, the restarted follower must
 * load a complete snapshot (its previous one, or the new one), get the leader's snapshot again
 * where needed, and end with the leader's digest and every acknowledged write.
 */
class SnapshotInstallCrashTest {
  private static final int DOCUMENTS = 240;
  private static final int ROUNDS = 3;
  private static final int CALLS_PER_ROUND = 240;
  private static final int PAGE_CHARS = 2_500;

  @TempDir
  Path dir;

  /**
   * Exactly the directory a kill between Ratis' two renames leaves, made by hand on a stopped
   * follower: the moved-aside dir goes back into place (and so does not stay on disk).
   */
  @Test
  void aFollowerKilledBetweenRatisRenamesLoadsItsPreviousSnapshotAndCatchesUp() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestDocument.TYPES, SnapshotInstallCrashTest::tuning)) {
      PachydermClient client = cluster.client();
      List<String> acknowledged = new ArrayList<>();
      write(client, 0, CALLS_PER_ROUND, acknowledged);
      cluster.assertReplicasAgree();
      int follower = cluster.followerIndex();
      Path sm = stateMachineDir(dir.resolve(cluster.peers().get(follower).id()));
      cluster.stop(follower);
      assertThat(snapshotsIn(sm)).as("the follower took snapshots").isNotEmpty();
      Path movedAside = sm.resolveSibling(sm.getFileName() + ".tmp20261207-063000_123");
      Files.move(sm, movedAside);
      write(client, CALLS_PER_ROUND, CALLS_PER_ROUND, acknowledged);

      cluster.start(follower);

      cluster.assertReplicasAgree();
      assertThat(Files.isDirectory(sm)).isTrue();
      assertThat(movedAside).doesNotExist();
      int leader = cluster.awaitLeader();
      assertThat(cluster.node(follower).appliedDigest()).isEqualTo(cluster.node(leader).appliedDigest());
      assertAllOn(cluster.client(List.of(cluster.peers().get(follower)), Duration.ofSeconds(30)), acknowledged);
    }
  }

  /**
   * The real thing, repeated: the follower in its own JVM, killed (SIGKILL) at growing delays
   * after its install began (Ratis' receiving dir appeared), restarted each round over whatever the
   * kill left, and killed again in the next install.
   */
  @Test
  void aFollowerKilledRepeatedlyDuringSnapshotInstallsEndsWithTheLeadersState() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestDocument.TYPES, SnapshotInstallCrashTest::tuning)) {
      int childIndex = 2;
      Peer child = cluster.peers().get(childIndex);
      Path childData = dir.resolve(child.id());
      cluster.stop(childIndex);
      PachydermClient client = cluster.client();
      List<String> acknowledged = new ArrayList<>();
      int sent = 0;
      int killsDuringInstall = 0;
      List<String> rounds = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        write(client, sent, CALLS_PER_ROUND, acknowledged);
        sent += CALLS_PER_ROUND;
        awaitLeaderPurged(cluster);
        Set<Path> receivingBefore = receivingDirs(childData);
        try (ChildJvm jvm = ChildJvm.start("-Xmx256m", DiskStateNodeMain.class, child.id(), peerList(cluster),
            childData.toString(), "20")) {
          assertThat(jvm.awaitOutput("started", 180)).as("round %d: follower started:%n%s", round, jvm.output())
              .isTrue();
          boolean installing = false;
          for (int poll = 0; poll < 3_000 && !installing; poll++) {
            installing = !receivingBefore.containsAll(receivingDirs(childData));
            if (!installing) {
              Thread.sleep(10);
            }
          }
          // A fast install can come and go between two polls: then this round's kill lands after it.
          Thread.sleep(installing ? round * 40L : 0);
        }
        boolean inside = !receivingBefore.containsAll(receivingDirs(childData)) || movedAsideExists(childData);
        killsDuringInstall += inside ? 1 : 0;
        rounds.add("round " + round + ": killed " + (inside ? "inside" : "outside") + " an install");
      }
      assertThat(killsDuringInstall).as("kills that landed inside an install: %s", rounds).isPositive();

      try (ChildJvm jvm = ChildJvm.start("-Xmx256m", DiskStateNodeMain.class, child.id(), peerList(cluster),
          childData.toString(), "20");
           PachydermClient onlyChild = cluster.client(List.of(child), Duration.ofSeconds(60))) {
        assertThat(jvm.awaitOutput("started", 180)).as("follower restarted:%n%s", jvm.output()).isTrue();
        int leader = cluster.awaitLeader();
        AppliedDigest expected = cluster.node(leader).appliedDigest();
        NodeView view = awaitApplied(onlyChild, expected.appliedIndex());
        assertThat(view.appliedIndex()).as("the follower caught up; %s%n%s", rounds, jvm.output())
            .isGreaterThanOrEqualTo(expected.appliedIndex());
        AppliedDigest leaderNow = cluster.node(leader).appliedDigest();
        assertThat(view.appliedIndex()).as("no write since: compare at one index").isEqualTo(leaderNow.appliedIndex());
        assertThat(view.digest()).as("the follower's digest is the leader's").isEqualTo(leaderNow.digest());
        assertAllOn(onlyChild, acknowledged);
      }
    }
  }

  private static void tuning(PachydermNode.Builder b) {
    b.stateStore(StateStoreKind.DISK)
        .snapshotThresholdEntries(20)
        .logEntriesKeptForLaggingNodesMax(0)
        // Ratis purges whole closed segments only: small ones, so that the leader's log moves on.
        .limits(TestCluster.smallSegmentsLimits())
        .logSegmentBytesMax(128 << 10);
  }

  /** {@code count} appends of incompressible pages, {@value #DOCUMENTS} documents round robin (each under the 16 KiB record limit), 40 in flight. */
  private static void write(PachydermClient client, int from, int count, List<String> acknowledged) throws Exception {
    SplittableRandom random = new SplittableRandom(from);
    for (int wave = from; wave < from + count; wave += 40) {
      List<CompletableFuture<?>> calls = new ArrayList<>();
      List<String> pages = new ArrayList<>();
      for (int i = wave; i < Math.min(wave + 40, from + count); i++) {
        StringBuilder page = new StringBuilder("call-" + i + "-");
        while (page.length() < PAGE_CHARS) {
          page.append((char) ('a' + random.nextInt(26)));
        }
        pages.add(page.toString());
        calls.add(client.callAsync(TestDocument.TYPE.ref("doc-" + (i % DOCUMENTS)), new TestDocument.Append(page.toString())));
      }
      for (int i = 0; i < calls.size(); i++) {
        calls.get(i).get(120, TimeUnit.SECONDS);
        acknowledged.add(pages.get(i));
      }
    }
  }

  private static void assertAllOn(PachydermClient onlyFollower, List<String> acknowledged) throws Exception {
    Set<String> held = new HashSet<>();
    for (int d = 0; d < DOCUMENTS; d++) {
      List<String> pages = onlyFollower.queryAsync(TestDocument.TYPE.ref("doc-" + d), ReadMode.STALE)
          .get(60, TimeUnit.SECONDS).state().pages();
      assertThat(pages).as("doc-%d on the follower", d).doesNotHaveDuplicates();
      held.addAll(pages);
    }
    assertThat(held).as("every acknowledged write, once").hasSameSizeAs(acknowledged).containsAll(acknowledged);
  }

  private static void awaitLeaderPurged(TestCluster cluster) {
    int leader = cluster.awaitLeader();
    try {
      RaftServer.Division division = io.pachyderm.node.internal.NodeInternals.raftServer(cluster.node(leader))
          .getDivision(org.apache.ratis.protocol.RaftGroupId.valueOf(cluster.node(leader).clusterId()));
      for (int poll = 0; poll < 600 && division.getRaftLog().getStartIndex() <= 5; poll++) {
        TestCluster.sleep(50); // purging runs after the snapshot, in the background
      }
      assertThat(division.getRaftLog().getStartIndex()).as("the leader purged its log").isGreaterThan(5);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static NodeView awaitApplied(PachydermClient onlyChild, long index) throws InterruptedException {
    NodeView view = null;
    for (int poll = 0; poll < 1_200; poll++) {
      try {
        view = onlyChild.status().get(0);
      } catch (RuntimeException notServingYet) {
        view = null;
      }
      if (view != null && view.reachable() && view.appliedIndex() >= index) {
        return view;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the follower never applied index " + index + "; last status " + view);
  }

  private static String peerList(TestCluster cluster) {
    List<String> entries = new ArrayList<>();
    for (Peer p : cluster.peers()) {
      entries.add(p.id() + "=" + p.address());
    }
    return String.join(",", entries);
  }

  /** {@code <data>/raft/<group>/sm}. */
  private static Path stateMachineDir(Path data) throws Exception {
    try (Stream<Path> groups = Files.list(data.resolve("raft"))) {
      return groups.filter(Files::isDirectory).findFirst().orElseThrow().resolve("sm");
    }
  }

  private static List<Path> snapshotsIn(Path sm) throws Exception {
    try (Stream<Path> files = Files.list(sm)) {
      return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).toList();
    }
  }

  /** Ratis' receiving dirs, {@code <data>/raft/<group>/tmp/snapshot-<request id>}. */
  private static Set<Path> receivingDirs(Path data) throws Exception {
    Set<Path> found = new HashSet<>();
    Path raft = data.resolve("raft");
    if (!Files.isDirectory(raft)) {
      return found;
    }
    try (Stream<Path> files = Files.walk(raft, 3)) {
      files.filter(p -> p.getFileName().toString().startsWith("snapshot-") && p.getParent() != null
          && p.getParent().getFileName().toString().equals("tmp")).forEach(found::add);
    }
    return found;
  }

  private static boolean movedAsideExists(Path data) throws Exception {
    try (Stream<Path> files = Files.walk(data.resolve("raft"), 2)) {
      return files.anyMatch(p -> p.getFileName().toString().startsWith("sm.tmp"));
    }
  }
}
