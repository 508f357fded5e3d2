package io.pachyderm.bench.versus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

class FanOutTest {
  /** An in-memory "system": each publish is delivered to every follower at once, except those told to drop. */
  private static final class Memory implements Driver {
    final List<LongConsumer> followers = new CopyOnWriteArrayList<>();
    long version;
    /** Followers at these indexes drop every event after the first {@link #dropAfter} markers. */
    int droppingFollower = -1;
    long dropAfter = Long.MAX_VALUE;

    @Override
    public int update(int caller, int key) {
      return 0;
    }

    @Override
    public synchronized long publish(int key) {
      long v = ++version;
      for (int f = 0; f < followers.size(); f++) {
        if (f != droppingFollower || v <= dropAfter) {
          followers.get(f).accept(v);
        }
      }
      return v;
    }

    @Override
    public AutoCloseable follow(int key, LongConsumer onEvent) {
      followers.add(onEvent);
      return () -> followers.remove(onEvent);
    }

    @Override
    public void close() {
    }
  }

  @Test
  void every_follower_receives_every_publish_and_a_delivery_counts_once_per_follower() throws Exception {
    Memory m = new Memory();
    ClosedLoop.Measured r = FanOut.run(m, 4, 0, 100, Duration.ofSeconds(30));
    assertThat(r.ops()).isEqualTo(400);
    assertThat(r.errors()).isZero();
    assertThat(r.latencyUs().getTotalCount()).isEqualTo(400);
    assertThat(m.followers).as("followers are closed at the end").isEmpty();
  }

  @Test
  void a_follower_that_misses_events_is_reported_as_errors() throws Exception {
    Memory m = new Memory();
    m.droppingFollower = 2;
    // The probe (version 1) reaches everyone; then follower 2 hears only up to version 11.
    m.dropAfter = 11;
    ClosedLoop.Measured r = FanOut.run(m, 3, 0, 50, Duration.ofSeconds(30), Duration.ofMillis(300));
    assertThat(r.ops()).isEqualTo(50 * 3 - 40);
    assertThat(r.errors()).isEqualTo(40);
    assertThat(r.firstError()).contains("40 deliveries missing");
  }
}
