package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.client.PachydermClient;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.node.TestMessaging.Arm;
import io.pachyderm.node.TestMessaging.Run;
import io.pachyderm.node.settings.EffectRetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox is replicated state: it lives in snapshots, so timers and unacknowledged effects
 * that were pending when the snapshot was taken survive a full restart that replays only the
 * tail; and effect handlers run off the apply path, so a stuck handler never stalls commits.
 */
class ClusterOutboxDurabilityTest {
  @TempDir
  Path dir;

  @Test
  void pendingTimersAndEffectsSurviveASnapshotAndAFullRestart() throws Exception {
    AtomicBoolean healthy = new AtomicBoolean(false);
    List<String> keys = new CopyOnWriteArrayList<>();
    EffectRetry retry = new EffectRetry(1_000, Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofSeconds(5));
    try (TestCluster cluster = new TestCluster(dir, 3, TestMessaging.TYPES, b -> b.effectRetry(retry)
        .effectHandler(TestMessaging.FLAKY_HANDLER, (TestMessaging.Work w, EffectContext ctx) -> {
          keys.add(ctx.idempotencyKey());
          if (!healthy.get()) {
            throw new IllegalStateException("downstream unavailable");
          }
        }))) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      // Due well after the snapshots below (each waits for a node's apply thread and checkpoint; seconds
      // on a loaded machine), so that it is still pending in all three; the wait after the restart allows 60 s.
      client.call(TestMessaging.ALARM.ref("a"), new Arm("after-restart", 20_000, null));
      client.call(TestMessaging.JOB.ref("j"), new Run(1));
      await(() -> keys.size() >= 2, "the effect was attempted and failed");
      for (int i = 0; i < 3; i++) {
        cluster.node(i).takeSnapshot();
      }
      for (int i = 0; i < 3; i++) {
        assertThat(cluster.node(i).outboxStats().timers()).isEqualTo(1);
        assertThat(cluster.node(i).outboxStats().pendingEffects()).isEqualTo(1);
        cluster.stop(i);
      }
      healthy.set(true);
      for (int i = 0; i < 3; i++) {
        cluster.start(i);
      }
      cluster.awaitLeader();

      await(() -> client.query(TestMessaging.ALARM.ref("a")).state().rings().getOrDefault("after-restart", 0L) == 1,
          "the timer fired after the restart");
      await(() -> allNodes(cluster, n -> n.outboxStats().pendingEffects() == 0 && n.outboxStats().timers() == 0),
          "effect acknowledged and timer gone on every node");
      assertThat(List.copyOf(keys)).as("one key on every attempt, before and after the restart")
          .allMatch(k -> k.equals(keys.get(0)));
      assertThat(client.query(TestMessaging.ALARM.ref("a")).state().rings()).containsEntry("after-restart", 1L);
    }
  }

  @Test
  void aStuckEffectHandlerDoesNotStallCommitsOrOtherEntities() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean done = new AtomicBoolean();
    try (TestCluster cluster = new TestCluster(dir, 3, TestMessaging.TYPES, b -> b
        .effectHandler(TestMessaging.FLAKY_HANDLER, (TestMessaging.Work w, EffectContext ctx) -> {
          if (!release.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("never released");
          }
          done.set(true);
        }))) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      client.call(TestMessaging.JOB.ref("slow"), new Run(0));
      // The handler is blocked: commits, deliveries and timers carry on regardless.
      for (int i = 1; i <= 50; i++) {
        assertThat(client.call(TestMessaging.JOB.ref("slow"), new Run(i)).version()).isEqualTo(i + 1);
      }
      client.call(TestMessaging.ALARM.ref("x"), new Arm("now", 0, null));
      await(() -> client.query(TestMessaging.ALARM.ref("x")).state().rings().getOrDefault("now", 0L) == 1,
          "a timer fired while the handler was stuck");
      assertThat(done).isFalse();
      release.countDown();
      await(() -> allNodes(cluster, n -> n.outboxStats().pendingEffects() == 0), "every effect acknowledged");
      assertThat(done).isTrue();
    }
  }

  private static boolean allNodes(TestCluster cluster, java.util.function.Predicate<PachydermNode> p) {
    for (int i = 0; i < cluster.size(); i++) {
      if (cluster.isRunning(i) && !p.test(cluster.node(i))) {
        return false;
      }
    }
    return true;
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        // the cluster is electing; try again
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within 60 s");
      }
      TestCluster.sleep(20);
    }
  }
}
