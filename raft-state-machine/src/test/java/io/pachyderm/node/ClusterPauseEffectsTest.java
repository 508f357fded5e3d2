package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.client.Admin;
import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.node.TestMessaging.Run;
import io.pachyderm.node.TestMessaging.Work;
import io.pachyderm.node.settings.EffectRetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code admin pause-effects / resume-effects}: a replicated setting. While paused no leader
 * dispatches at-least-once effects, through a leader change and a restart from a snapshot; resume
 * dispatches what waited. "Not dispatched" is checked once every node has applied later entries
 * (and the effects are still pending on each), never after a sleep.
 */
class ClusterPauseEffectsTest {
  private static final Duration WAIT_MAX = Duration.ofSeconds(60);
  private static final EffectRetry RETRY =
      new EffectRetry(3, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(5));

  @TempDir
  Path dir;

  /** Every handler call per job id: the node that ran it. */
  private final Map<String, List<String>> calls = new ConcurrentHashMap<>();

  @Test
  void pausedEffectsWaitThroughALeaderChangeAndARestartAndResumeDispatchesThem() {
    try (TestCluster cluster = new TestCluster(dir, 3, TestMessaging.TYPES, b -> b.effectRetry(RETRY)
        .effectHandler(TestMessaging.FLAKY_HANDLER, (Work w, EffectContext ctx) ->
            calls.computeIfAbsent(w.job(), k -> new CopyOnWriteArrayList<>()).add(ctx.nodeId())))) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      Admin admin = client.admin();

      // Effects run while not paused: the handler is wired.
      client.call(TestMessaging.JOB.ref("before-pause"), new Run(1));
      await("the effect before the pause ran", () -> calls.containsKey("before-pause"));
      await("acknowledged on every node", () -> pendingEverywhere(cluster, 0));

      assertThat(admin.pauseEffects()).isTrue();
      assertThat(admin.pauseEffects()).as("already paused").isFalse();
      client.call(TestMessaging.JOB.ref("paused-1"), new Run(1));
      client.call(TestMessaging.JOB.ref("paused-2"), new Run(1));
      client.call(TestMessaging.JOB.ref("later"), new Run(1));
      cluster.assertReplicasAgree();
      assertNotDispatched(cluster, 3, "paused-1", "paused-2", "later");
      assertThat(client.status()).allMatch(NodeView::effectsPaused);

      // A new leader keeps them waiting: the setting is in the log, not in the old leader's memory.
      int firstLeader = cluster.awaitLeader();
      cluster.stop(firstLeader);
      int secondLeader = cluster.awaitLeader();
      client.call(TestMessaging.JOB.ref("paused-3"), new Run(1));
      cluster.assertReplicasAgree();
      assertNotDispatched(cluster, 4, "paused-1", "paused-2", "later", "paused-3");

      // A node restarted from a snapshot taken while paused holds the setting from the snapshot
      // (the entry that paused is behind it and not replayed), and leading, dispatches nothing.
      int follower = cluster.followerIndex();
      String followerId = cluster.peers().get(follower).id();
      admin.snapshot(followerId);
      cluster.stop(follower);
      cluster.start(follower);
      cluster.start(firstLeader);
      await(followerId + " restarted paused", () -> cluster.node(follower).effectsPaused());
      cluster.awaitLeader(); // two restarts may have started an election
      assertThat(admin.transferLeadership(followerId).to()).isEqualTo(followerId);
      client.call(TestMessaging.JOB.ref("paused-4"), new Run(1));
      cluster.assertReplicasAgree();
      assertNotDispatched(cluster, 5, "paused-1", "paused-2", "later", "paused-3", "paused-4");
      assertThat(secondLeader).isNotEqualTo(firstLeader);

      assertThat(admin.resumeEffects()).isTrue();
      assertThat(admin.resumeEffects()).as("not paused any more").isFalse();
      for (String job : List.of("paused-1", "paused-2", "later", "paused-3", "paused-4")) {
        await("the waiting effect of " + job + " ran after resume", () -> calls.containsKey(job));
      }
      await("every effect acknowledged on every node", () -> pendingEverywhere(cluster, 0));
      assertThat(client.status()).noneMatch(NodeView::effectsPaused);
      cluster.assertReplicasAgree();
    }
  }

  private void assertNotDispatched(TestCluster cluster, long pending, String... jobs) {
    for (String job : jobs) {
      assertThat(calls.get(job)).as("effect of %s dispatched while paused", job).isNull();
    }
    for (int i = 0; i < cluster.size(); i++) {
      if (cluster.isRunning(i)) {
        assertThat(cluster.node(i).outboxStats().pendingEffects()).as("pending effects on node %d", i)
            .isEqualTo(pending);
        assertThat(cluster.node(i).outboxStats().deadLetters()).isZero();
        assertThat(cluster.node(i).effectsPaused()).isTrue();
      }
    }
  }

  private static boolean pendingEverywhere(TestCluster cluster, long pending) {
    for (int i = 0; i < cluster.size(); i++) {
      if (cluster.isRunning(i) && cluster.node(i).outboxStats().pendingEffects() != pending) {
        return false;
      }
    }
    return true;
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
