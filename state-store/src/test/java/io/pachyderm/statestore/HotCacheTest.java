package io.pachyderm.statestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.replica.Versioned;
import io.pachyderm.runtime.EntityKey;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The cache's two bounds, on a clock the test drives: bytes (least recently used out) and idle time (passivation). */
class HotCacheTest {
  private final AtomicLong nowMs = new AtomicLong(1_000);

  private static EntityKey key(String id) {
    return new EntityKey("default", "counter", id);
  }

  private static Versioned value(long total) {
    return new Versioned(new Counter.Count(total, ""), total, total);
  }

  @Test
  void anEntityUntouchedForTheIdleTimeLeavesWhileOneInUseStays() {
    HotCache cache = new HotCache(new CacheLimits(1 << 20, 100), nowMs::get);
    cache.update(key("idle"), value(1), 200);
    cache.update(key("busy"), value(2), 200);
    for (int step = 0; step < 3; step++) {
      nowMs.addAndGet(40);
      assertThat(cache.get(key("busy"))).isEqualTo(value(2));
    }
    // 120 ms after its write: "idle" goes with the next operation; "busy" was read 0 ms ago.
    assertThat(cache.get(key("idle"))).as("passivated").isNull();
    assertThat(cache.entries()).isEqualTo(1);
    assertThat(cache.bytes()).isEqualTo(200);
    assertThat(cache.passivated()).isEqualTo(1);
    assertThat(cache.get(key("busy"))).isEqualTo(value(2));
  }

  @Test
  void theSweepEmptiesAQuietCacheWithoutAnyReadOrWrite() {
    HotCache cache = new HotCache(new CacheLimits(1 << 20, 100), nowMs::get);
    for (int i = 0; i < 5; i++) {
      cache.update(key("c" + i), value(i), 300);
      nowMs.addAndGet(10);
    }
    nowMs.addAndGet(60); // idle: c0 110 ms, c1 100 ms (both out), c2 90 ms, c3 80 ms, c4 70 ms
    assertThat(cache.passivateIdle()).isEqualTo(2);
    assertThat(cache.entries()).isEqualTo(3);
    nowMs.addAndGet(1_000);
    assertThat(cache.passivateIdle()).isEqualTo(3);
    assertThat(cache.entries()).isZero();
    assertThat(cache.bytes()).isZero();
  }

  @Test
  void aReadKeepsAnEntityInTheHeapAndTheBytesBoundStillEvictsTheLeastRecentlyUsed() {
    HotCache cache = new HotCache(new CacheLimits(1_000, 100), nowMs::get);
    cache.update(key("a"), value(1), 400);
    cache.update(key("b"), value(2), 400);
    nowMs.addAndGet(90);
    cache.get(key("a"));
    nowMs.addAndGet(20); // b is 110 ms idle, a 20 ms
    cache.update(key("c"), value(3), 400);
    assertThat(cache.get(key("b"))).as("idle past the limit").isNull();
    cache.update(key("d"), value(4), 400); // 1,200 bytes: a, the least recently used, goes for room
    assertThat(cache.get(key("a"))).isNull();
    assertThat(cache.get(key("c"))).isEqualTo(value(3));
    assertThat(cache.get(key("d"))).isEqualTo(value(4));
    assertThat(cache.passivated()).as("only b left for being idle").isEqualTo(1);
  }

  @Test
  void badLimitsAreRefusedNamingTheSetting() {
    assertThatThrownBy(() -> new CacheLimits(-1, 100)).hasMessageContaining("stateCacheBytesMax must be >= 0");
    assertThatThrownBy(() -> new CacheLimits(1, 0)).hasMessageContaining("passivateAfter must be at least 1 ms");
  }
}
