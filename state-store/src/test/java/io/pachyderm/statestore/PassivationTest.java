package io.pachyderm.statestore;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.replica.Versioned;
import io.pachyderm.runtime.EntityKey;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On the store's real (monotonic) clock: an idle entity leaves the heap and comes back from RocksDB unchanged. */
class PassivationTest {
  @TempDir
  Path dir;

  @Test
  void anEntityIdleForThePassivationTimeLeavesTheCacheAndIsReadBackWithTheSameStateAndVersion() throws Exception {
    // Dirty bound 0: the commit writes the state, so a passivated entity is read back from RocksDB (a
    // written-back state waits in the heap until a checkpoint or the bound writes it).
    EntityKey key = new EntityKey("default", "counter", "c1");
    Versioned written = new Versioned(new Counter.Count(42, "kept"), 7, 99);
    try (RocksStateStore store = RocksStateStore.unopened(dir, Counter.TYPES, new CacheLimits(1 << 20, 50), 0)) {
      store.openEmpty();
      assertThat(store.cachePassivateAfterMs()).isEqualTo(50);
      store.put(key, written);
      store.commit(1);
      assertThat(store.cachedEntities()).as("applied states are cached").isEqualTo(1);
      // Bounded: 50 ms of idle time needs a few polls; 400 x 10 ms is far more than enough on a loaded machine.
      for (int poll = 0; poll < 400 && store.cachedEntities() > 0; poll++) {
        Thread.sleep(10);
        store.passivateIdle();
      }
      assertThat(store.cachedEntities()).as("passivated").isZero();
      assertThat(store.cachedBytes()).isZero();
      assertThat(store.passivatedEntities()).isEqualTo(1);
      assertThat(store.get(key)).as("read back from RocksDB").isEqualTo(written);
      assertThat(store.cachedEntities()).as("cached again by the read").isEqualTo(1);
    }
  }
}
