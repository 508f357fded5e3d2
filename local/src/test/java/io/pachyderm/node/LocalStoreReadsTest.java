package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.DeadLetter;
import io.pachyderm.api.Futures;
import io.pachyderm.api.QueryResult;
import io.pachyderm.api.ReadMode;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.local.LocalPachyderm;
import io.pachyderm.node.TestMessaging.Run;
import io.pachyderm.node.TestMessaging.Work;
import io.pachyderm.node.settings.EffectRetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local store serves what the cluster tests of the node module check on three nodes (named
 * queries, reads on a named node, dead letters), with the same test entities. Here because the
 * local store is its own module on top of the node (issue 13), which the node's tests cannot see.
 */
class LocalStoreReadsTest {
  /** Bounds every wait; a failure names what did not happen, never a time. */
  private static final Duration WAIT_MAX = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  private final EntityRef<TestDocument.State, TestDocument.Command> doc = TestDocument.TYPE.ref("big");

  @Test
  void theLocalStoreRunsTheSameQueries() {
    try (LocalPachyderm local = LocalPachyderm.builder(dir.resolve("queries")).entityTypes(TestDocument.TYPES).open()) {
      local.send(doc, new TestDocument.Append("a"));
      local.send(doc, new TestDocument.Append("bb"));
      assertThat(local.query(doc, TestDocument.PAGES)).isEqualTo(2);
      assertThat(local.query(doc, TestDocument.PAGE_LENGTH, new TestDocument.Page(1))).isEqualTo(2);
      assertThat(Futures.join(local.queryAsync(doc, TestDocument.FIRST_PAGE, null, ReadMode.STALE)))
          .isEqualTo(new QueryResult<>("a", 2));
      assertThatThrownBy(() -> local.query(doc, TestDocument.PAGE_LENGTH, new TestDocument.Page(2)))
          .isInstanceOfSatisfying(CommandRejectedException.class,
              e -> assertThat(e.kind()).isEqualTo(RejectionKind.HANDLER_FAILED));
      assertThat(local.query(doc, TestDocument.PAGES)).isEqualTo(2);
    }
  }

  @Test
  void theLocalStoreHasOneNodeNamedLocal() throws Exception {
    try (LocalPachyderm local = LocalPachyderm.builder(dir.resolve("local")).entityTypes(TestCounter.TYPES).open()) {
      var c = TestCounter.TYPE.ref("c");
      local.call(c, new TestCounter.Add(7));
      assertThat(local.queryAsync(c, ReadMode.onNode(LocalPachyderm.NODE_ID)).get(10, TimeUnit.SECONDS).state().count())
          .isEqualTo(7);
      assertThat(local.historyAsync(c, 1, 10, ReadMode.onNode("local")).get(10, TimeUnit.SECONDS)).hasSize(1);
      assertThatThrownBy(() -> local.queryAsync(c, ReadMode.onNode("n1")).join())
          .hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("[local]");
    }
  }

  @Test
  void theLocalStoreServesTheSameDeadLetters(@TempDir Path localDir) {
    Set<String> keys = ConcurrentHashMap.newKeySet();
    try (LocalPachyderm local = LocalPachyderm.builder(localDir).entityTypes(TestMessaging.TYPES)
        .effectRetry(new EffectRetry(1, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(5)))
        .effectHandler(TestMessaging.FLAKY_HANDLER, (Work w, EffectContext ctx) -> {
          keys.add(ctx.idempotencyKey());
          throw new IllegalStateException("always down");
        })
        .open()) {
      local.call(TestMessaging.JOB.ref("local-1"), new Run(1));
      await("a local dead letter", () -> !local.deadLetters().list(10).isEmpty());

      DeadLetter dead = local.deadLetters().list(10).get(0);
      assertThat(dead.source().id()).isEqualTo("local-1");
      assertThat(dead.attempts()).isEqualTo(1);
      assertThat(dead.lastError()).contains("always down");
      assertThat(keys).hasSize(1);
      assertThat(local.deadLetters().discard(dead.id())).isTrue();
      assertThat(local.deadLetters().list(10)).isEmpty();
    }
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
