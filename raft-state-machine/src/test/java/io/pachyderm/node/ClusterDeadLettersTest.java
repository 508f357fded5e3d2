package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.DeadLetter;
import io.pachyderm.api.DeadLetters;
import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.node.TestMessaging.Run;
import io.pachyderm.node.TestMessaging.Work;
import io.pachyderm.node.settings.EffectRetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead letters through the client: at-least-once effects that fail {@code attemptsMax} times are
 * listed with their attempts and error, and can be redriven (dispatched again, same idempotency
 * key) or discarded. One three-node cluster for the class; every test uses its own job ids.
 */
class ClusterDeadLettersTest {
  private static final int ATTEMPTS_MAX = 3;
  private static final EffectRetry RETRY =
      new EffectRetry(ATTEMPTS_MAX, Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(5));
  /** Bounds every wait; a failure names what did not happen, never a time. */
  private static final Duration WAIT_MAX = Duration.ofSeconds(60);

  @TempDir
  static Path dir;

  private static TestCluster cluster;
  private static PachydermClient client;
  /** Jobs (by id) whose effect handler throws; a test removes its job to let the handler succeed. */
  private static final Set<String> failing = ConcurrentHashMap.newKeySet();
  /** Every handler call per job: its idempotency key, and whether the call succeeded. */
  private static final Map<String, List<String>> calls = new ConcurrentHashMap<>();

  @BeforeAll
  static void startCluster() {
    cluster = new TestCluster(dir, 3, TestMessaging.TYPES, b -> b.effectRetry(RETRY)
        .effectHandler(TestMessaging.FLAKY_HANDLER, (Work w, EffectContext ctx) -> {
          boolean fail = failing.contains(w.job());
          calls.computeIfAbsent(w.job(), k -> new CopyOnWriteArrayList<>())
              .add(ctx.idempotencyKey() + (fail ? " failed" : " ok"));
          if (fail) {
            throw new IllegalStateException("mail server refused job " + w.job() + " run " + w.n());
          }
        }));
    cluster.awaitLeader();
    client = cluster.client();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Test
  void anEffectThatAlwaysFailsIsListedAndRedriveDispatchesItAgainWithTheSameKey() {
    failing.add("redrive-1");
    client.call(TestMessaging.JOB.ref("redrive-1"), new Run(7));

    DeadLetter dead = awaitDeadLetter("redrive-1");
    assertThat(dead.ecosystem()).isEqualTo("default");
    assertThat(dead.source()).isEqualTo(EntityRef.of(TestMessaging.JOB.name(), "redrive-1"));
    assertThat(dead.id()).startsWith("default/test-job/redrive-1#");
    assertThat(dead.handler()).isEqualTo(TestMessaging.FLAKY_HANDLER);
    assertThat(dead.attempts()).isEqualTo(ATTEMPTS_MAX);
    assertThat(dead.lastError()).contains("mail server refused job redrive-1 run 7");
    assertThat(dead.version()).isEqualTo(1);
    assertThat(dead.payload().type()).isEqualTo("Work");
    assertThat(dead.decoded()).as("the client knows test-job, so it decodes").isEqualTo(new Work("redrive-1", 7));
    List<String> failedCalls = List.copyOf(calls.get("redrive-1"));
    assertThat(failedCalls).hasSizeGreaterThanOrEqualTo(ATTEMPTS_MAX).allMatch(c -> c.endsWith(" failed"));
    String key = failedCalls.get(0).substring(0, failedCalls.get(0).length() - " failed".length());
    assertThat(failedCalls).as("one idempotency key on every attempt").containsOnly(key + " failed");

    failing.remove("redrive-1");
    assertThat(client.deadLetters().redrive(dead.id())).isTrue();
    assertThat(ids(client.deadLetters().list(100))).as("linearizable: the redrive is seen at once")
        .doesNotContain(dead.id());
    assertThat(client.deadLetters().redrive(dead.id())).as("already redriven").isFalse();

    await("the redriven effect succeeded", () -> calls.get("redrive-1").contains(key + " ok"));
    assertThat(calls.get("redrive-1")).as("no key but the original one").allMatch(c -> c.startsWith(key + " "));
    await("the effect acknowledged on every node", () -> allNodes(n -> n.outboxStats().pendingEffects() == 0));
    assertThat(ids(client.deadLetters().list(100))).doesNotContain(dead.id());
  }

  @Test
  void discardRemovesOneDeadLetterAndKeepsTheOthers() {
    failing.add("discard-a");
    failing.add("discard-b");
    client.ecosystem("tenant-x").call(TestMessaging.JOB.ref("discard-a"), new Run(1));
    client.call(TestMessaging.JOB.ref("discard-b"), new Run(2));
    DeadLetter a = awaitDeadLetter("discard-a");
    DeadLetter b = awaitDeadLetter("discard-b");
    assertThat(a.id()).startsWith("tenant-x/test-job/discard-a#");

    assertThat(client.deadLetters().discard(a.id())).isTrue();

    List<String> left = ids(client.deadLetters().list(100));
    assertThat(left).contains(b.id()).doesNotContain(a.id());
    assertThat(client.deadLetters().discard(a.id())).as("already discarded").isFalse();
    assertThat(client.deadLetters().redrive(a.id())).as("a discarded letter cannot be redriven").isFalse();
    assertThat(client.deadLetters().discard(b.id())).isTrue();
    assertThat(ids(client.deadLetters().list(100))).doesNotContain(a.id(), b.id());
  }

  @Test
  void unknownIdsAnswerFalseAndMalformedOnesAreRefused() {
    DeadLetters letters = client.deadLetters();
    assertThat(letters.redrive("default/test-job/never-dead#1")).isFalse();
    assertThat(letters.discard("default/test-job/never-dead#1")).isFalse();
    assertThat(letters.redrive("no-such-eco/no-such-type/x#99")).isFalse();
    assertThatThrownBy(() -> letters.redrive("default/test-job/no-seq"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ecosystem/type/id#seq");
    assertThatThrownBy(() -> letters.list(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(">= 1");
  }

  @Test
  void listHonoursTheLimitInIdOrder() {
    for (String job : List.of("limit-c", "limit-a", "limit-b")) {
      failing.add(job);
      client.call(TestMessaging.JOB.ref(job), new Run(1));
    }
    for (String job : List.of("limit-a", "limit-b", "limit-c")) {
      awaitDeadLetter(job);
    }

    List<String> all = ids(client.deadLetters().list(1_000));
    assertThat(all).as("id order").isSortedAccordingTo(String::compareTo);
    List<String> first = ids(client.deadLetters().list(2));
    assertThat(first).hasSize(2).containsExactlyElementsOf(all.subList(0, 2));
  }

  @Test
  void statusCountsDeadLettersOnEveryNode() {
    failing.add("status-1");
    client.call(TestMessaging.JOB.ref("status-1"), new Run(1));
    DeadLetter dead = awaitDeadLetter("status-1");
    long expected = client.deadLetters().list(1_000).size();

    // Followers apply the dead-lettering entry in their own time; each must catch up.
    await("every node reports " + expected + " dead letters", () -> {
      List<NodeView> views = client.status();
      return views.stream().allMatch(v -> v.reachable() && v.deadLetters() == expected);
    });
    List<NodeView> views = client.status();
    assertThat(views).filteredOn(v -> "LEADER".equals(v.role())).singleElement()
        .satisfies(v -> assertThat(v.leaderReady()).isTrue());
    assertThat(views).allSatisfy(v -> {
      assertThat(v.pendingMessages()).isGreaterThanOrEqualTo(0);
      assertThat(v.timers()).isGreaterThanOrEqualTo(0);
    });
    assertThat(client.deadLetters().discard(dead.id())).isTrue();
  }

  private static DeadLetter awaitDeadLetter(String job) {
    DeadLetter[] found = new DeadLetter[1];
    await("a dead letter from job " + job, () -> {
      for (DeadLetter d : client.deadLetters().list(1_000)) {
        if (d.source().id().equals(job)) {
          found[0] = d;
          return true;
        }
      }
      return false;
    });
    return found[0];
  }

  private static List<String> ids(List<DeadLetter> letters) {
    return letters.stream().map(DeadLetter::id).toList();
  }

  private static boolean allNodes(java.util.function.Predicate<PachydermNode> p) {
    for (int i = 0; i < cluster.size(); i++) {
      if (cluster.isRunning(i) && !p.test(cluster.node(i))) {
        return false;
      }
    }
    return true;
  }

  private static void await(String what, Supplier<Boolean> done) {
    long deadline = System.nanoTime() + WAIT_MAX.toNanos();
    while (!done.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never saw " + what);
      }
      TestCluster.sleep(20);
    }
  }
}
