package io.pachyderm.node.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One lane per handler name: own threads, own bounded queue, a full queue refused by name. */
class EffectLanesTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final EffectLanes lanes = new EffectLanes("test-lanes", Set.of("slow", "fast"), 1, 2);

  @AfterEach
  void close() {
    release.countDown();
    lanes.close();
  }

  @Test
  void aFullLaneRefusesNamingTheLimitWhileAnotherLaneRuns() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    lanes.submit("slow", () -> {
      started.countDown();
      release.await();
    }, 0);
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
    lanes.submit("slow", release::await, 0);
    lanes.submit("slow", release::await, 0);

    CompletableFuture<Void> refused = lanes.submit("slow", () -> { }, 0);
    assertThat(refused).isCompletedExceptionally();
    try {
      refused.get();
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(EffectLanes.LaneFullException.class)
          .hasMessageContaining("'slow'").hasMessageContaining("effectsQueuedPerHandlerMax (2)");
    }
    lanes.submit("fast", () -> { }, 0).get(30, TimeUnit.SECONDS);
    assertThat(lanes.activeThreads("slow")).isEqualTo(1);
  }

  @Test
  void unregisteredNamesShareOneLaneAndDoNotTakeARegisteredOnes() throws Exception {
    lanes.submit("typo-1", release::await, 0);
    lanes.submit("typo-2", release::await, 0);
    lanes.submit("typo-3", release::await, 0);
    assertThat(lanes.submit("typo-4", () -> { }, 0)).isCompletedExceptionally();
    lanes.submit("fast", () -> { }, 0).get(30, TimeUnit.SECONDS);
  }
}
