package io.pachyderm.statestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.replica.StateStore;
import io.pachyderm.replica.Versioned;
import io.pachyderm.runtime.EntityKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.TableProperties;

class RocksStateStoreTest {
  @TempDir
  Path dir;

  private static EntityKey key(int i) {
    return new EntityKey("default", "counter", "c" + i);
  }

  private static Versioned state(long total, long version) {
    return new Versioned(new Counter.Count(total, "n"), version, total * 31 + version);
  }

  @Test
  void everyTableFileTheStoreWritesCarriesABloomFilterSoThatAMissReadsNoBlock() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir, Counter.TYPES, 1 << 20)) {
      for (int i = 0; i < 1_000; i++) {
        store.put(key(i), state(i, 1));
      }
      store.commit(1);
    }
    try (Options options = new Options(); RocksDB db = RocksDB.openReadOnly(options, dir.toString())) {
      Map<String, TableProperties> tables = db.getPropertiesOfAllTables();
      assertThat(tables).as("table files after close's flush").isNotEmpty();
      for (Map.Entry<String, TableProperties> t : tables.entrySet()) {
        assertThat(t.getValue().getFilterPolicyName()).as("filter of %s", t.getKey()).containsIgnoringCase("bloom");
      }
    }
  }

  @Test
  void anEntrysPutsAreReadableAtOnceAndKeptWithTheIndexAcrossAReopen() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir, Counter.TYPES, 1 << 20)) {
      assertThat(store.put(key(1), state(5, 1))).isNull();
      assertThat(store.get(key(1))).isEqualTo(state(5, 1));
      assertThat(store.put(key(1), state(7, 2))).isEqualTo(state(5, 1));
      assertThat(store.size()).isEqualTo(1);
      store.commit(42);
      assertThat(store.get(key(1))).isEqualTo(state(7, 2));
      assertThat(store.appliedIndex()).isEqualTo(42);
    }
    try (RocksStateStore store = RocksStateStore.open(dir, Counter.TYPES, 1 << 20)) {
      assertThat(store.get(key(1))).isEqualTo(state(7, 2));
      assertThat(store.get(key(2))).isNull();
      assertThat(store.appliedIndex()).isEqualTo(42);
      assertThat(store.size()).isEqualTo(1);
    }
  }

  @Test
  void clearEmptiesTheDatabaseAndTheCache() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir, Counter.TYPES, 1 << 20)) {
      store.put(key(1), state(1, 1));
      store.commit(1);
      store.clear();
      assertThat(store.get(key(1))).isNull();
      assertThat(store.size()).isZero();
      assertThat(store.keysInOrder()).isEmpty();
      assertThat(store.cachedEntities()).isZero();
      store.put(key(2), state(2, 1));
      store.commit(2);
    }
    try (RocksStateStore store = RocksStateStore.open(dir, Counter.TYPES, 1 << 20)) {
      assertThat(store.keysInOrder()).containsExactly(key(2));
    }
  }

  /** Issue 14: a tiny cache, many entities, each read back from RocksDB with its own version. */
  @Test
  void tenThousandEntitiesInATinyCacheAreEachReadableAndTheCacheStaysWithinItsBytes() throws Exception {
    long cacheBytesMax = 16 * 1024;
    int entities = 10_000;
    // Dirty bound 0: every commit writes its states, so the reads below come from RocksDB.
    try (RocksStateStore store = RocksStateStore.open(dir, Counter.TYPES, cacheBytesMax, 0)) {
      int cachedAtHalf = 0;
      for (int i = 0; i < entities; i++) {
        store.put(key(i), state(i, i % 7 + 1));
        if (i % 10 == 9) {
          store.commit(i / 10 + 1);
        }
        if (i == entities / 2) {
          cachedAtHalf = store.cachedEntities();
        }
      }
      store.commit(entities);
      assertThat(store.size()).isEqualTo(entities);
      assertThat(store.cachedBytes()).isLessThanOrEqualTo(cacheBytesMax);
      // The cache does not grow with the entity count: as full at 10,000 as at 5,000.
      assertThat(store.cachedEntities()).isPositive().isLessThanOrEqualTo(cachedAtHalf + 1)
          .isLessThan(entities / 50);
      for (int i = 0; i < entities; i++) {
        assertThat(store.get(key(i))).as("entity %d", i).isEqualTo(state(i, i % 7 + 1));
      }
      assertThat(store.cachedBytes()).isLessThanOrEqualTo(cacheBytesMax);
      assertThat(store.cachedEntities()).isLessThan(entities / 50);
    }
  }

  /**
   * Write-back: a committed state waits in the heap (readable there) until a checkpoint writes it,
   * and a state written many times between two checkpoints reaches RocksDB once, as its last value.
   */
  @Test
  void committedStatesWaitInTheHeapUntilACheckpointWritesTheLastOfEach() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir.resolve("live"), Counter.TYPES, 0)) {
      for (int v = 1; v <= 100; v++) {
        store.put(key(1), state(v, v));
        store.put(key(v + 1), state(v, 1));
        store.commit(v);
      }
      assertThat(store.dirtyBytes()).isPositive();
      assertThat(store.readRaw(EntityKeyBytes.encode(key(1)))).as("not written before a checkpoint").isNull();
      assertThat(store.get(key(1))).isEqualTo(state(100, 100));
      assertThat(store.get(key(50))).isEqualTo(state(49, 1));
      assertThat(store.keysInOrder()).hasSize(101).contains(key(1), key(101));
      assertThat(store.size()).isEqualTo(101);

      assertThat(store.checkpoint(dir.resolve("cp"))).isEqualTo(100);
      assertThat(store.dirtyBytes()).isZero();
      assertThat(StoredState.decode(store.readRaw(EntityKeyBytes.encode(key(1))), key(1)).version()).isEqualTo(100);
      assertThat(store.get(key(1))).isEqualTo(state(100, 100));
    }
    try (RocksStateStore copy = RocksStateStore.open(dir.resolve("cp"), Counter.TYPES, 0)) {
      assertThat(copy.appliedIndex()).isEqualTo(100);
      assertThat(copy.get(key(1))).isEqualTo(state(100, 100));
      assertThat(copy.get(key(101))).isEqualTo(state(100, 1));
      assertThat(copy.size()).isEqualTo(101);
    }
  }

  /** The dirty bound: the commit that passes it writes every waiting state in its own batch. */
  @Test
  void theCommitThatPassesTheDirtyBoundWritesEveryWaitingState() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir, Counter.TYPES, 1 << 20, 2_000)) {
      int v = 0;
      while (store.dirtyBytes() <= 2_000) {
        v++;
        long before = store.dirtyBytes();
        store.put(key(v), state(v, 1));
        store.commit(v);
        if (store.dirtyBytes() == 0) {
          assertThat(before).as("written only past the bound").isPositive();
          break;
        }
      }
      assertThat(store.dirtyBytes()).isZero();
      for (int i = 1; i <= v; i++) {
        assertThat(store.readRaw(EntityKeyBytes.encode(key(i)))).as("entity %d written", i).isNotNull();
      }
      assertThat(v).as("several entries waited before the write").isGreaterThan(3);
      assertThat(store.cachedEntities()).as("the write put every state it wrote into the cache").isEqualTo(v);
      store.put(key(v + 1), state(v + 1, 1));
      store.commit(v + 1);
      assertThat(store.cachedEntities()).as("a dirty state is read from the dirty map, cached when written")
          .isEqualTo(v);
      assertThat(store.get(key(v + 1))).isEqualTo(state(v + 1, 1));
    }
  }

  @Test
  void aCacheOfZeroBytesCachesNothingAndStillServesEveryState() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir, Counter.TYPES, 0)) {
      store.put(key(1), state(3, 1));
      store.commit(1);
      assertThat(store.get(key(1))).isEqualTo(state(3, 1));
      assertThat(store.cachedEntities()).isZero();
    }
  }

  @Test
  void entitiesAreVisitedInEntityKeyOrder() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir, Counter.TYPES, 1 << 20)) {
      List<EntityKey> put = List.of(new EntityKey("b", "counter", "x"), new EntityKey("a", "counter", "zz"),
          new EntityKey("a", "counter", "z"), new EntityKey("a", "counter", "\uffff"), new EntityKey("a", "counter", ""));
      long v = 1;
      for (EntityKey k : put) {
        store.put(k, state(1, v++));
      }
      store.commit(1);
      List<EntityKey> visited = new ArrayList<>();
      store.forEachInOrder((k, value) -> visited.add(k));
      List<EntityKey> sorted = new ArrayList<>(put);
      sorted.sort(null);
      assertThat(visited).isEqualTo(sorted);
      assertThat(store.keysInOrder()).isEqualTo(sorted);
    }
  }

  @Test
  void anEntityTypeTheNodeDoesNotHaveIsNamed() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir, Counter.TYPES, 1 << 20)) {
      assertThatThrownBy(() -> store.put(new EntityKey("default", "ghost", "1"), state(1, 1)))
          .hasMessageContaining("'ghost'").hasMessageContaining("counter");
    }
  }

  @Test
  void aClosedStoreSaysSoInsteadOfCrashingTheJvm() throws Exception {
    RocksStateStore store = RocksStateStore.open(dir, Counter.TYPES, 0);
    store.close();
    assertThatThrownBy(() -> store.get(key(1))).hasMessageContaining("closed");
    StateStore asStore = store;
    assertThatThrownBy(() -> asStore.commit(1)).hasMessageContaining("closed");
  }

  @Test
  void openEmptyDeletesAStoreWhoseTableFilesAreDamagedInsteadOfOpeningIt() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir, Counter.TYPES, 0)) {
      for (int i = 0; i < 100; i++) {
        store.put(key(i), state(i, 1));
      }
      store.commit(1);
    }
    List<Path> tables;
    try (var files = java.nio.file.Files.list(dir)) {
      tables = files.filter(p -> p.getFileName().toString().endsWith(".sst")).toList();
    }
    assertThat(tables).as("close flushed the memtable (no WAL)").isNotEmpty();
    for (Path table : tables) {
      java.nio.file.Files.write(table, new byte[] {1, 2, 3});
    }
    assertThatThrownBy(() -> RocksStateStore.open(dir, Counter.TYPES, 0)).hasMessageContaining(dir.toString())
        .hasMessageContaining("move " + dir + " aside");
    try (RocksStateStore store = RocksStateStore.unopened(dir, Counter.TYPES, 0)) {
      assertThatThrownBy(() -> store.get(key(1))).hasMessageContaining("not open yet");
      store.openEmpty();
      assertThat(store.size()).isZero();
      assertThat(store.get(key(1))).isNull();
      assertThat(store.appliedIndex()).isZero();
    }
  }

  @Test
  void aNegativeCacheBoundIsRefusedByName() {
    assertThatThrownBy(() -> RocksStateStore.open(dir, Counter.TYPES, -1)).hasMessageContaining("stateCacheBytesMax");
  }
}
