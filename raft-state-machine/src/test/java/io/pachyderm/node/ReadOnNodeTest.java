package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.EntityState;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.api.HistoryUnavailableException;
import io.pachyderm.api.OutcomeUnknownException;
import io.pachyderm.api.ReadMode;
import io.pachyderm.client.PachydermClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReadMode#onNode}: state and history read from one named node, through a client that
 * knows every node (issue 10: checking that nodes agree needed a client per node before).
 */
class ReadOnNodeTest {
  @TempDir
  Path dir;

  @Test
  void aReadOnANamedNodeIsServedByThatNodeAlone() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestCounter.TYPES, b -> {})) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client(cluster.peers(), Duration.ofSeconds(3));
      var c = TestCounter.TYPE.ref("c");
      for (int i = 1; i <= 5; i++) {
        client.call(c, new TestCounter.Add(i));
      }
      for (var peer : cluster.peers()) {
        ReadMode mode = ReadMode.onNode(peer.id());
        await(() -> client.queryAsync(c, mode).join().version() == 5, peer.id() + " applied version 5");
        EntityState<TestCounter.State> s = client.queryAsync(c, mode).get(10, TimeUnit.SECONDS);
        assertThat(s.state().count()).isEqualTo(15);
        assertThat(client.historyAsync(c, 2, 10, mode).get(10, TimeUnit.SECONDS))
            .extracting(HistoryEvent::version).containsExactly(2L, 3L, 4L, 5L);
      }

      // A node that is down fails the read; the others still answer it. A STALE read (any node)
      // would have gone to another node instead.
      int down = cluster.followerIndex();
      String downId = cluster.peers().get(down).id();
      cluster.stop(down);
      assertThatThrownBy(() -> client.queryAsync(c, ReadMode.onNode(downId)).join())
          .isInstanceOf(CompletionException.class).hasCauseInstanceOf(OutcomeUnknownException.class)
          .hasMessageContaining("on " + downId);
      assertThat(client.queryAsync(c, ReadMode.STALE).get(10, TimeUnit.SECONDS).version()).isEqualTo(5);
      for (int i = 0; i < cluster.size(); i++) {
        if (i != down) {
          assertThat(client.queryAsync(c, ReadMode.onNode(cluster.peers().get(i).id())).get(10, TimeUnit.SECONDS)
              .version()).isEqualTo(5);
        }
      }

      assertThatThrownBy(() -> client.queryAsync(c, ReadMode.onNode("n9")).join())
          .hasCauseInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no node 'n9' among this client's peers [n1, n2, n3]");
      assertThatThrownBy(() -> client.historyAsync(c, 1, 10, ReadMode.onNode("n9")).join())
          .hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("'n9'");
    }
  }

  @Test
  void aNodeWhoseJournalStartsAtASnapshotRefusesOlderHistoryWhileAnyNodeServesIt() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestCounter.TYPES, b -> {})) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      var c = TestCounter.TYPE.ref("old");
      for (int i = 0; i < 10; i++) {
        client.call(c, new TestCounter.Add(1));
      }
      int follower = cluster.followerIndex();
      String id = cluster.peers().get(follower).id();
      await(() -> client.queryAsync(c, ReadMode.onNode(id)).join().version() == 10, id + " applied everything");
      cluster.node(follower).takeSnapshot();
      Path journalDir = cluster.node(follower).dataDir().resolve("journal");
      cluster.stop(follower);
      ClusterHistoryTest.deleteTree(journalDir); // the journal is gone; the snapshot is not
      cluster.start(follower);
      client.call(c, new TestCounter.Add(1));
      await(() -> client.historyAsync(c, 11, 10, ReadMode.onNode(id)).join().size() == 1,
          id + " journaled version 11");

      assertThatThrownBy(() -> client.historyAsync(c, 1, 10, ReadMode.onNode(id)).join())
          .hasCauseInstanceOf(HistoryUnavailableException.class);
      assertThat(client.historyAsync(c, 1, 100, ReadMode.STALE).get(10, TimeUnit.SECONDS))
          .extracting(HistoryEvent::version).hasSize(11);
      // LINEARIZABLE: every event committed before the call, capped by the limit.
      assertThat(client.historyAsync(c, 1, 100, ReadMode.LINEARIZABLE).get(10, TimeUnit.SECONDS))
          .extracting(HistoryEvent::version).hasSize(11);
      assertThat(client.historyAsync(c, 3, 4, ReadMode.LINEARIZABLE).get(10, TimeUnit.SECONDS))
          .extracting(HistoryEvent::version).containsExactly(3L, 4L, 5L, 6L);
    }
  }

  @Test
  void aNodeIdIsRequired() {
    assertThatThrownBy(() -> ReadMode.onNode(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ReadMode.onNode(null)).isInstanceOf(NullPointerException.class);
    assertThat(ReadMode.onNode("n1")).isEqualTo(ReadMode.onNode("n1")).hasToString("ON_NODE(n1)");
    assertThat(List.of(ReadMode.LINEARIZABLE, ReadMode.STALE)).doesNotContain(ReadMode.onNode("n1"));
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!holds(condition)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 60 s: " + what);
      }
      TestCluster.sleep(50);
    }
  }

  private static boolean holds(BooleanSupplier condition) {
    try {
      return condition.getAsBoolean();
    } catch (RuntimeException notYet) {
      return false; // a node that is starting refuses reads until it has applied something
    }
  }
}
