package io.pachyderm.statestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.replica.Versioned;
import io.pachyderm.runtime.EntityKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint holds the store at an entry boundary, and a store replaced by one holds exactly that. */
class RocksCheckpointTest {
  @TempDir
  Path dir;

  private static EntityKey key(int i) {
    return new EntityKey("default", "counter", "c" + i);
  }

  private static Versioned state(long total, long version) {
    return new Versioned(new Counter.Count(total, "n"), version, total * 31 + version);
  }

  @Test
  void aStoreReplacedByACheckpointHoldsTheStateAtItsIndexNotWhatCameAfter() throws Exception {
    Path checkpoint = dir.resolve("checkpoint.1_3");
    try (RocksStateStore store = RocksStateStore.open(dir.resolve("live"), Counter.TYPES, 1 << 20)) {
      for (int i = 0; i < 3; i++) {
        store.put(key(i), state(i, 1));
        store.commit(i + 1);
      }
      // Not flushed yet (WAL off): the checkpoint must hold these anyway.
      assertThat(store.checkpoint(checkpoint)).isEqualTo(3);
      store.put(key(0), state(100, 2));
      store.put(key(9), state(9, 1));
      store.commit(4);

      store.replaceWith(checkpoint);

      assertThat(store.appliedIndex()).isEqualTo(3);
      assertThat(store.size()).isEqualTo(3);
      assertThat(store.get(key(0))).as("the cache was emptied too").isEqualTo(state(0, 1));
      assertThat(store.get(key(9))).isNull();
      // The live store goes on writing; the checkpoint stays as it was.
      store.put(key(5), state(5, 1));
      store.commit(4);
    }
    try (RocksStateStore copy = RocksStateStore.open(dir.resolve("copy"), Counter.TYPES, 0)) {
      copy.replaceWith(checkpoint);
      assertThat(copy.keysInOrder()).containsExactly(key(0), key(1), key(2));
    }
  }

  @Test
  void aCursorReadsEveryEntityInKeyOrderOnce() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir, Counter.TYPES, 0)) {
      for (int i = 20; i > 0; i--) {
        store.put(key(i), state(i, 1));
      }
      store.commit(1);
      List<EntityKey> read = new ArrayList<>();
      try (RocksStateStore.EntityCursor cursor = store.cursor()) {
        for (RocksStateStore.Entity e = cursor.next(); e != null; e = cursor.next()) {
          assertThat(e.value()).isEqualTo(store.get(e.key()));
          read.add(e.key());
        }
        assertThat(cursor.next()).isNull();
      }
      assertThat(read).isEqualTo(store.keysInOrder()).hasSize(20);
    }
  }

  @Test
  void aCheckpointIsRefusedWhileAnEntryIsHalfWrittenAndIntoADirectoryThatExists() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir.resolve("live"), Counter.TYPES, 0)) {
      store.put(key(1), state(1, 1));
      assertThatThrownBy(() -> store.checkpoint(dir.resolve("c1")))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("entry boundary");
      store.commit(1);
      Files.createDirectories(dir.resolve("c2"));
      assertThatThrownBy(() -> store.checkpoint(dir.resolve("c2"))).hasMessageContaining("c2");
    }
  }
}
