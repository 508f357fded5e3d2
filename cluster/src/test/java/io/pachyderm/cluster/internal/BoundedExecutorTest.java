package io.pachyderm.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.OverloadedException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pool behind the node's proposer and the client's history reads: a full queue is refused by name. */
class BoundedExecutorTest {
  @Test
  void aTaskBeyondTheQueueLimitIsRefusedNamingTheLimit() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    ThreadPoolExecutor pool = BoundedExecutor.fixed("test-bounded", 1, 2, "widgetsQueuedMax", "widget");
    try {
      pool.execute(() -> {
        started.countDown();
        await(release);
      });
      assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
      pool.execute(() -> await(release));
      pool.execute(() -> await(release));

      assertThatThrownBy(() -> pool.execute(() -> { }))
          .isInstanceOfSatisfying(OverloadedException.class, e -> {
            assertThat(e.limitName()).isEqualTo("widgetsQueuedMax");
            assertThat(e.limit()).isEqualTo(2);
          })
          .hasMessage("widget refused: widgetsQueuedMax (2) reached; nothing was done, retry later");
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
    assertThatThrownBy(() -> pool.execute(() -> { })).isNotInstanceOf(OverloadedException.class)
        .hasMessageContaining("closed");
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
