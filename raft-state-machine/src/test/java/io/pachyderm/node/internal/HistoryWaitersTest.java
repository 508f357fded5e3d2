package io.pachyderm.node.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.runtime.EntityKey;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Parked history reads: a wake answers every read parked on the entity, and reads parked at the
 * same place share one computation of their page within that wake (one journal read for N
 * followers), while reads elsewhere, other places and later wakes compute their own.
 */
class HistoryWaitersTest {
  private static final EntityKey HOT = new EntityKey("default", "counter", "hot");

  @Test
  void readsParkedAtTheSamePlaceShareOnePageReadPerWake() throws Exception {
    try (HistoryWaiters waiters = new HistoryWaiters("n1", 1_000)) {
      AtomicInteger pageReads = new AtomicInteger();
      List<String> answers = new CopyOnWriteArrayList<>();
      CountDownLatch answered = new CountDownLatch(12);
      for (int i = 0; i < 12; i++) {
        String place = i < 10 ? "v5" : "v9"; // ten followers at version 5, two at version 9
        assertThat(waiters.park(HOT, 60_000, () -> {
          answers.add(waiters.shared(place, () -> place + "#" + pageReads.incrementAndGet()));
          answered.countDown();
        })).isTrue();
      }
      assertThat(waiters.parkedCount()).isEqualTo(12);
      waiters.wake(HOT);
      assertThat(answered.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(pageReads).as("one read per place, not per follower").hasValue(2);
      assertThat(answers).hasSize(12).filteredOn(a -> a.startsWith("v5")).hasSize(10).containsOnly(answers.get(0));
      assertThat(waiters.parkedCount()).isZero();

      // The next wake reads again (the journal moved on), and outside a wake nothing is shared.
      CountDownLatch again = new CountDownLatch(1);
      waiters.park(HOT, 60_000, () -> {
        waiters.shared("v5", pageReads::incrementAndGet);
        again.countDown();
      });
      waiters.wake(HOT);
      assertThat(again.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(pageReads).hasValue(3);
      waiters.shared("v5", pageReads::incrementAndGet);
      waiters.shared("v5", pageReads::incrementAndGet);
      assertThat(pageReads).hasValue(5);
    }
  }
}
