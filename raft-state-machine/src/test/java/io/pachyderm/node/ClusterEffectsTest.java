package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.client.PachydermClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Effects are dispatched after commit, only by the leader that appended the entry, at most once. */
class ClusterEffectsTest {
  @TempDir
  Path dir;

  @Test
  void onlyTheCommittingLeaderDispatchesAndNeverTwice() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, TestCounter.TYPES)) {
      int firstLeader = cluster.awaitLeader();
      String firstLeaderId = cluster.peers().get(firstLeader).id();
      PachydermClient client = cluster.client();
      crossThresholdOf(client, "a", 20);
      awaitDispatches(cluster, 20);
      assertThat(cluster.dispatches.keySet()).containsExactly(firstLeaderId);

      cluster.stop(firstLeader);
      int secondLeader = cluster.awaitLeader();
      String secondLeaderId = cluster.peers().get(secondLeader).id();
      crossThresholdOf(client, "b", 20);
      awaitDispatches(cluster, 40);
      cluster.start(firstLeader);
      // Let the restarted node replay the whole log: it must not dispatch anything.
      crossThresholdOf(client, "c", 1);
      awaitDispatches(cluster, 41);
      TestCluster.sleep(500);

      Map<String, List<String>> byNode = cluster.dispatches;
      assertThat(byNode.get(firstLeaderId)).hasSize(20).allMatch(k -> k.contains("/a"));
      List<String> second = byNode.get(secondLeaderId);
      assertThat(second).filteredOn(k -> k.contains("/b")).hasSize(20);
      List<String> all = new ArrayList<>();
      byNode.values().forEach(all::addAll);
      Set<String> distinct = new HashSet<>(all);
      assertThat(all).hasSize(41);
      assertThat(distinct).as("no effect dispatched twice").hasSize(41);
      assertThat(cluster.dispatchCount.get()).isEqualTo(41);
    }
  }

  private static void crossThresholdOf(PachydermClient client, String prefix, int entities) throws Exception {
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (int i = 0; i < entities; i++) {
      calls.add(client.callAsync(TestCounter.TYPE.ref(prefix + i), new TestCounter.Add(9)));
    }
    CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).get();
    // The next call takes each counter from 9 to 10 and so carries the effect.
    calls.clear();
    for (int i = 0; i < entities; i++) {
      calls.add(client.callAsync(TestCounter.TYPE.ref(prefix + i), new TestCounter.Add(1)));
    }
    CompletableFuture.allOf(calls.toArray(new CompletableFuture[0])).get();
  }

  private static void awaitDispatches(TestCluster cluster, long n) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (cluster.dispatchCount.get() < n && System.nanoTime() < deadline) {
      TestCluster.sleep(10);
    }
    assertThat(cluster.dispatchCount.get()).isEqualTo(n);
  }
}
