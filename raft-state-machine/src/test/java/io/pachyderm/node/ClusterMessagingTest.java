package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.OutcomeUnknownException;
import io.pachyderm.api.PachydermException;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.node.TestMessaging.AlarmState;
import io.pachyderm.node.TestMessaging.Arm;
import io.pachyderm.node.TestMessaging.Blast;
import io.pachyderm.node.TestMessaging.Disarm;
import io.pachyderm.node.TestMessaging.ReceiverState;
import io.pachyderm.node.TestMessaging.Run;
import io.pachyderm.node.TestMessaging.SenderState;
import io.pachyderm.node.settings.EffectRetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliable messaging on a three-node cluster under leader kills: entity-to-entity messages are
 * delivered exactly once and in order, durable timers fire once (also after a full restart), and
 * at-least-once effects are each dispatched until acknowledged, with one idempotency key. The
 * messages and effects scenarios run twice, plaintext and with mutual TLS on every connection
 * (issue 11: the cluster's scenarios pass with TLS).
 */
class ClusterMessagingTest {
  private static final List<String> RECEIVERS = List.of("r1", "r2", "r3");

  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(TestCluster.Wire.class)
  void messagesArriveExactlyOnceAndInOrderThroughLeaderKills(TestCluster.Wire wire) throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestMessaging.TYPES, wire,
        b -> b.snapshotThresholdEntries(200))) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> senders = new ArrayList<>();
      for (int s = 0; s < 4; s++) {
        String id = "s" + s;
        Thread t = new Thread(() -> {
          for (int round = 0; round < 60 && !stop.get(); round++) {
            try {
              client.call(TestMessaging.SENDER.ref(id), new Blast(RECEIVERS, 3));
            } catch (OutcomeUnknownException e) {
              // may or may not have committed; the sender's own state says what was sent
            }
          }
        });
        t.start();
        senders.add(t);
      }
      for (int kill = 0; kill < 2; kill++) {
        TestCluster.sleep(700);
        int leader = cluster.awaitLeader();
        cluster.stop(leader);
        cluster.awaitLeader();
        TestCluster.sleep(300);
        cluster.start(leader);
      }
      for (Thread t : senders) {
        t.join(120_000);
      }
      stop.set(true);

      awaitOnEveryNode(cluster, () -> allNodes(cluster, n -> n.outboxStats().pendingMessages() == 0),
          "every message delivered");
      long total = 0;
      for (int s = 0; s < 4; s++) {
        SenderState sender = client.query(TestMessaging.SENDER.ref("s" + s)).state();
        for (String r : RECEIVERS) {
          long sent = sender.sentTo().getOrDefault(r, 0L);
          ReceiverState receiver = client.query(TestMessaging.RECEIVER.ref(r)).state();
          assertThat(receiver.anomalies()).as("gaps or repeats at " + r).isEmpty();
          assertThat(receiver.lastFrom().getOrDefault("s" + s, 0L)).as("s" + s + " -> " + r).isEqualTo(sent);
          total += sent;
        }
      }
      long received = 0;
      for (String r : RECEIVERS) {
        received += client.query(TestMessaging.RECEIVER.ref(r)).state().received();
      }
      assertThat(received).as("received == sent, nothing twice").isEqualTo(total);
      assertThat(total).as("the senders got work done").isGreaterThan(100);
      cluster.assertReplicasAgree();
      cluster.assertWire();
    }
  }

  @Test
  void timersFireOnceAtOrAfterTheirTimeAndSurviveALeaderKillAndAFullRestart() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, TestMessaging.TYPES)) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      long armedAtMs = System.currentTimeMillis();
      client.call(TestMessaging.ALARM.ref("a"), new Arm("soon", 200, null));
      client.call(TestMessaging.ALARM.ref("a"), new Arm("other", 250, "b"));
      client.call(TestMessaging.ALARM.ref("a"), new Arm("cancelled", 300, null));
      client.call(TestMessaging.ALARM.ref("a"), new Disarm("cancelled"));
      client.call(TestMessaging.ALARM.ref("a"), new Arm("replaced", 100_000, null));
      client.call(TestMessaging.ALARM.ref("a"), new Arm("replaced", 350, null));
      // Due while the whole cluster is down: must fire once after recovery.
      client.call(TestMessaging.ALARM.ref("a"), new Arm("late", 1_500, null));

      client.call(TestMessaging.ALARM.ref("c"), new Arm("across-leader-kill", 1_000, null));
      int leader = cluster.awaitLeader();
      cluster.stop(leader);
      cluster.awaitLeader();

      awaitRings(client, "a", "soon", 1);
      awaitRings(client, "b", "other", 1);
      awaitRings(client, "a", "replaced", 1);
      awaitRings(client, "c", "across-leader-kill", 1);
      cluster.start(leader);
      assertThat(System.currentTimeMillis() - armedAtMs).as("not before its time").isGreaterThanOrEqualTo(200);
      for (int i = 0; i < 3; i++) {
        cluster.stop(i);
      }
      TestCluster.sleep(2_000);
      for (int i = 0; i < 3; i++) {
        cluster.start(i);
      }
      cluster.awaitLeader();
      awaitRings(client, "a", "late", 1);
      awaitOnEveryNode(cluster, () -> allNodes(cluster, n -> n.outboxStats().timers() == 0), "no timer left");

      Map<String, Long> a = client.query(TestMessaging.ALARM.ref("a")).state().rings();
      assertThat(a).containsExactlyInAnyOrderEntriesOf(Map.of("soon", 1L, "replaced", 1L, "late", 1L));
      assertThat(client.query(TestMessaging.ALARM.ref("b")).state().rings()).containsExactlyEntriesOf(Map.of("other", 1L));
      assertThat(client.query(TestMessaging.ALARM.ref("c")).state().rings())
          .containsExactlyEntriesOf(Map.of("across-leader-kill", 1L));
      cluster.assertReplicasAgree();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TestCluster.Wire.class)
  void atLeastOnceEffectsAreRetriedUntilAcknowledgedWithOneKeyThroughLeaderKills(TestCluster.Wire wire)
      throws Exception {
    Map<String, List<String>> attemptsByKey = new ConcurrentHashMap<>();
    Set<String> succeeded = ConcurrentHashMap.newKeySet();
    List<String> nodes = new CopyOnWriteArrayList<>();
    EffectRetry retry = new EffectRetry(20, Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(5));
    try (TestCluster cluster = new TestCluster(dir, 3, TestMessaging.TYPES, wire, b -> b.effectRetry(retry)
        .effectHandler(TestMessaging.FLAKY_HANDLER, (TestMessaging.Work w, EffectContext ctx) -> {
          List<String> attempts = attemptsByKey.computeIfAbsent(w.job() + ":" + w.n(), k -> new CopyOnWriteArrayList<>());
          attempts.add(ctx.idempotencyKey());
          nodes.add(ctx.nodeId());
          if (attempts.size() == 1) {
            throw new IllegalStateException("first attempt of " + ctx.idempotencyKey() + " fails");
          }
          succeeded.add(w.job() + ":" + w.n());
        }))) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      List<String> acknowledged = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        if (i == 20 || i == 40) {
          int leader = cluster.awaitLeader();
          cluster.stop(leader);
          cluster.awaitLeader();
          cluster.start(leader);
        }
        String job = "j" + (i % 6);
        try {
          client.call(TestMessaging.JOB.ref(job), new Run(i));
          acknowledged.add(job + ":" + i);
        } catch (OutcomeUnknownException e) {
          // not counted: it may or may not have committed
        }
      }
      awaitOnEveryNode(cluster, () -> allNodes(cluster, n -> n.outboxStats().pendingEffects() == 0),
          "every effect acknowledged");

      assertThat(succeeded).as("no acknowledged command's effect lost").containsAll(acknowledged);
      for (Map.Entry<String, List<String>> e : attemptsByKey.entrySet()) {
        assertThat(e.getValue()).as("attempts of " + e.getKey()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(Set.copyOf(e.getValue())).as("one idempotency key for " + e.getKey()).hasSize(1);
      }
      assertThat(attemptsByKey.values().stream().map(l -> l.get(0)).distinct().count())
          .as("keys differ between effects").isEqualTo(attemptsByKey.size());
      assertThat(allNodes(cluster, n -> n.outboxStats().deadLetters() == 0)).isTrue();
      cluster.assertReplicasAgree();
      cluster.assertWire();
    }
  }

  private static void awaitRings(PachydermClient client, String alarm, String name, long n) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        AlarmState s = client.query(TestMessaging.ALARM.ref(alarm)).state();
        if (s.rings().getOrDefault(name, 0L) >= n) {
          return;
        }
      } catch (PachydermException e) {
        // cluster still electing
      }
      TestCluster.sleep(20);
    }
    throw new AssertionError("timer " + name + " of " + alarm + " did not fire within 60 s");
  }

  private static boolean allNodes(TestCluster cluster, java.util.function.Predicate<PachydermNode> p) {
    for (int i = 0; i < cluster.size(); i++) {
      if (cluster.isRunning(i) && !p.test(cluster.node(i))) {
        return false;
      }
    }
    return true;
  }

  private static void awaitOnEveryNode(TestCluster cluster, BooleanSupplier done, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not reached within 60 s");
      }
      TestCluster.sleep(20);
    }
  }
}
