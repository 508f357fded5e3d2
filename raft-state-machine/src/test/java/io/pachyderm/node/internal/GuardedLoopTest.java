package io.pachyderm.node.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GuardedLoopTest {
  private final LinkedBlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
  private final GuardedLoop loop = new GuardedLoop("guarded-test", errors::add);

  @AfterEach
  void close() {
    loop.shutdownNow();
  }

  @Test
  void aTaskThatThrowsIsReportedWhetherExecutedOrScheduled() throws Exception {
    loop.execute(() -> {
      throw new IllegalStateException("executed");
    });
    loop.schedule(() -> {
      throw new OutOfMemoryError("scheduled");
    }, 1, TimeUnit.MILLISECONDS);

    assertThat(errors.poll(10, TimeUnit.SECONDS)).hasMessage("executed");
    assertThat(errors.poll(10, TimeUnit.SECONDS)).isInstanceOf(OutOfMemoryError.class).hasMessage("scheduled");
  }

  @Test
  void aGuardedCompletionThatThrowsIsReported() throws Exception {
    CompletableFuture<String> source = new CompletableFuture<>();
    source.whenCompleteAsync(loop.guarded((value, failure) -> {
      throw new IllegalArgumentException("in the completion of " + value);
    }), loop);
    source.complete("x");

    assertThat(errors.poll(10, TimeUnit.SECONDS)).hasMessage("in the completion of x");
  }

  @Test
  void aCancelledTimerAndATaskThatReturnsAreNotErrors() throws Exception {
    ScheduledFuture<?> wake = loop.schedule(() -> { }, 1, TimeUnit.HOURS);
    wake.cancel(false);
    CompletableFuture<Void> ran = new CompletableFuture<>();
    loop.execute(() -> ran.complete(null));
    ran.get(10, TimeUnit.SECONDS);
    loop.submit(() -> { }).get(10, TimeUnit.SECONDS);

    assertThat(errors.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }
}
