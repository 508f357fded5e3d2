package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.client.Admin;
import io.pachyderm.client.AdminRefusedException;
import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.storage.journal.JournalOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's actions through {@link PachydermClient#admin()} on an in-process cluster:
 * snapshots, leadership transfer and step-down, journal compaction, and their refusals. (Pausing
 * effects: {@link ClusterPauseEffectsTest}.) Waits are bounded; failures name what did not happen.
 */
class ClusterAdminTest {
  private static final Duration WAIT_MAX = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  @Test
  void snapshotOnEachNodeReturnsItsIndexAndWritesTheSnapshotFile() {
    try (TestCluster cluster = TestCluster.start(dir, TestCounter.TYPES)) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      for (int i = 0; i < 5; i++) {
        client.call(TestCounter.TYPE.ref("snap-" + i), new TestCounter.Add(1));
      }
      cluster.assertReplicasAgree();
      for (int i = 0; i < cluster.size(); i++) {
        String id = cluster.peers().get(i).id();
        long applied = cluster.node(i).appliedIndex();
        Admin.SnapshotTaken taken = client.admin().snapshot(id);
        assertThat(taken.nodeId()).isEqualTo(id);
        assertThat(taken.index()).as("snapshot of %s", id).isGreaterThanOrEqualTo(applied);
        assertThat(snapshotFiles(cluster.node(i).dataDir(), taken.index())).as("snapshot file of %s at %d", id,
            taken.index()).isNotEmpty();
        NodeView view = client.status().get(i);
        assertThat(view.snapshotIndex()).isEqualTo(taken.index());
      }
      assertThatThrownBy(() -> client.admin().snapshot("n9"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unknown node 'n9'").hasMessageContaining("n1, n2, n3");
    }
  }

  @Test
  void transferLeadershipMovesLeadershipToTheNamedNodeAndStepDownEndsTheTerm() throws IOException {
    try (TestCluster cluster = TestCluster.start(dir, TestCounter.TYPES)) {
      int leader = cluster.awaitLeader();
      int target = (leader + 1) % cluster.size();
      String targetId = cluster.peers().get(target).id();
      PachydermClient client = cluster.client();
      client.call(TestCounter.TYPE.ref("before-transfer"), new TestCounter.Add(1));

      Admin.LeaderChange moved = client.admin().transferLeadership(targetId);
      assertThat(moved.from()).isEqualTo(cluster.peers().get(leader).id());
      assertThat(moved.to()).isEqualTo(targetId);
      assertThat(moved.toTerm()).isGreaterThan(moved.fromTerm());
      await("node " + targetId + " leads", () -> cluster.node(target).isLeader());
      assertThat(client.call(TestCounter.TYPE.ref("after-transfer"), new TestCounter.Add(1)).version()).isEqualTo(1);

      Admin.LeaderChange same = client.admin().transferLeadership(targetId);
      assertThat(same.from()).as("already the leader: nothing to do").isEqualTo(targetId);
      assertThat(same.to()).isEqualTo(targetId);

      assertThatThrownBy(() -> client.admin().transferLeadership("n7"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unknown node 'n7'").hasMessageContaining("n1, n2, n3");
      assertThat(cluster.node(target).isLeader()).as("a refused transfer moves nothing").isTrue();

      cluster.awaitLeader();
      long termBefore = currentTerm(cluster.node(target));
      Admin.LeaderChange stepped = client.admin().stepDown();
      assertThat(stepped.from()).isEqualTo(targetId);
      assertThat(stepped.toTerm()).isGreaterThan(stepped.fromTerm());
      assertThat(currentTerm(cluster.node(target))).as("the old leader's term ended").isGreaterThan(termBefore);
      int newLeader = cluster.awaitLeader();
      assertThat(currentTerm(cluster.node(newLeader))).isGreaterThan(termBefore);
      assertThat(client.call(TestCounter.TYPE.ref("after-step-down"), new TestCounter.Add(1)).version()).isEqualTo(1);
      cluster.assertReplicasAgree();
    }
  }

  @Test
  void stepDownAndTransferWithoutAReachableLeaderAreRefused() {
    List<Peer> nobody = List.of(new Peer("n1", "127.0.0.1:" + TestCluster.freePort()),
        new Peer("n2", "127.0.0.1:" + TestCluster.freePort()));
    try (PachydermClient client = PachydermClient.builder(nobody).requestTimeout(Duration.ofSeconds(3)).build()) {
      assertThatThrownBy(() -> client.admin().stepDown())
          .isInstanceOf(AdminRefusedException.class)
          .hasMessageContaining("no node reports itself leader");
      assertThatThrownBy(() -> client.admin().transferLeadership("n2"))
          .isInstanceOf(AdminRefusedException.class)
          .hasMessageContaining("no node reports itself leader");
    }
  }

  @Test
  void compactJournalRemovesFilesOlderThanRetentionOnEveryNode() {
    AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);
    long cycleMs = Duration.ofMinutes(5).toMillis();
    JournalOptions shortRetention = JournalOptions.builder().rollCycle(JournalOptions.RollCycle.FIVE_MINUTELY)
        .retainedCyclesMax(2).clockMs(clockMs::get).build();
    try (TestCluster cluster = new TestCluster(dir, 3, TestCounter.TYPES, b -> b.journal(shortRetention))) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      EntityRef<TestCounter.State, TestCounter.Command> old = TestCounter.TYPE.ref("old");
      client.call(old, new TestCounter.Add(1));
      cluster.assertReplicasAgree();
      clockMs.addAndGet(cycleMs);
      client.call(TestCounter.TYPE.ref("new"), new TestCounter.Add(1));
      cluster.assertReplicasAgree();
      for (int i = 0; i < cluster.size(); i++) {
        assertThat(journalFiles(cluster.node(i))).as("two cycles: within retention").hasSize(2);
      }

      // Idle for a cycle: the oldest file is now out of the retained two, but no roll removes it.
      clockMs.addAndGet(cycleMs);
      for (int i = 0; i < cluster.size(); i++) {
        String id = cluster.peers().get(i).id();
        List<String> before = journalFiles(cluster.node(i));
        Admin.JournalCompacted done = client.admin().compactJournal(id);
        assertThat(done.nodeId()).isEqualTo(id);
        assertThat(done.deletedFiles()).as("compaction on %s", id).containsExactly(before.get(0));
        assertThat(done.deletedBytes()).isPositive();
        assertThat(done.keptFiles()).isEqualTo(1);
        assertThat(done.retainedCyclesMax()).isEqualTo(2);
        assertThat(done.rollCycle()).isEqualTo("FIVE_MINUTELY");
        assertThat(journalFiles(cluster.node(i))).containsExactly(before.get(1));
      }
      assertThat(client.admin().compactJournal("n1").deletedFiles()).as("nothing left to delete").isEmpty();
      // The cluster goes on, and the entity's state is untouched: only history files went.
      assertThat(client.call(old, new TestCounter.Add(1)).version()).isEqualTo(2);
      cluster.assertReplicasAgree();
    }
  }

  @Test
  void compactJournalUnderKeepForeverIsRefusedAndDeletesNothing() {
    try (TestCluster cluster = TestCluster.start(dir, TestCounter.TYPES)) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      client.call(TestCounter.TYPE.ref("kept"), new TestCounter.Add(1));
      cluster.assertReplicasAgree();
      List<String> before = journalFiles(cluster.node(0));
      assertThatThrownBy(() -> client.admin().compactJournal("n1"))
          .isInstanceOf(AdminRefusedException.class)
          .hasMessageContaining("keeps every file forever")
          .hasMessageContaining("--journal-retain N");
      assertThat(journalFiles(cluster.node(0))).isEqualTo(before).isNotEmpty();
      assertThatThrownBy(() -> client.admin().compactJournal("n4"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unknown node 'n4'");
    }
  }

  private static long currentTerm(PachydermNode node) throws IOException {
    return io.pachyderm.node.internal.NodeInternals.raftServer(node).getDivision(org.apache.ratis.protocol.RaftGroupId.valueOf(node.clusterId())).getInfo().getCurrentTerm();
  }

  /** Ratis' SimpleStateMachineStorage names a snapshot file snapshot.TERM_INDEX. */
  private static List<Path> snapshotFiles(Path dataDir, long index) {
    try (Stream<Path> files = Files.walk(dataDir)) {
      return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_" + index)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> journalFiles(PachydermNode node) {
    try (Stream<Path> files = Files.list(node.dataDir().resolve("journal"))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT_MAX.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never happened: " + what);
      }
      TestCluster.sleep(20);
    }
  }
}
