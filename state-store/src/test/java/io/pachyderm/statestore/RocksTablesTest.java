package io.pachyderm.statestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.codec.Encoded;
import io.pachyderm.replica.StoreTables;
import io.pachyderm.replica.Versioned;
import io.pachyderm.runtime.EntityKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replicated tables beside the entities: in the entry's batch, in checkpoints, never mixed with entity keys. */
class RocksTablesTest {
  @TempDir
  Path dir;

  private static byte[] key(String s) {
    return ("T" + s).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] value(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aTableWriteIsReadableAtOnceCommittedWithTheEntryAndADeleteHidesItAtOnce() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir.resolve("s"), Counter.TYPES, 1 << 20)) {
      StoreTables tables = store.tables();
      tables.put(key("a1"), value("one"));
      assertThat(tables.get(key("a1"))).isEqualTo(value("one"));
      List<String> committed = new ArrayList<>();
      tables.forEach(key("a"), (k, v) -> committed.add(new String(v, StandardCharsets.UTF_8)));
      assertThat(committed).as("forEach reads committed keys only").isEmpty();
      store.commit(1);
      tables.delete(key("a1"));
      assertThat(tables.get(key("a1"))).as("deleted in the entry being applied").isNull();
      store.commit(2);
      assertThat(tables.get(key("a1"))).isNull();
    }
  }

  @Test
  void tablesAreInTheCheckpointBesideTheEntitiesAndInKeyOrderButNotAmongThem() throws Exception {
    Path checkpoint = dir.resolve("checkpoint");
    try (RocksStateStore store = RocksStateStore.open(dir.resolve("s"), Counter.TYPES, 1 << 20)) {
      store.put(new EntityKey("default", "counter", "c1"), new Versioned(new Counter.Count(1, "n"), 1, 7));
      store.tables().put(key("b2"), value("two"));
      store.tables().put(key("b1"), value("one"));
      store.tables().put(key("c1"), value("other table"));
      store.commit(5);
      store.checkpoint(checkpoint);
    }
    try (RocksStateStore copy = RocksStateStore.open(dir.resolve("copy"), Counter.TYPES, 0)) {
      copy.replaceWith(checkpoint);
      List<String> seen = new ArrayList<>();
      copy.tables().forEach(key("b"), (k, v) -> seen.add(new String(v, StandardCharsets.UTF_8)));
      assertThat(seen).containsExactly("one", "two");
      assertThat(copy.keysInOrder()).containsExactly(new EntityKey("default", "counter", "c1"));
      assertThat(copy.size()).isEqualTo(1);
    }
  }

  @Test
  void aCheckpointWithATableWriteNotCommittedIsRefused() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir.resolve("s"), Counter.TYPES, 1 << 20)) {
      store.tables().put(key("x"), value("x"));
      assertThatThrownBy(() -> store.checkpoint(dir.resolve("c"))).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("entry boundary");
    }
  }

  @Test
  void aKeyOutsideTheTablesIsRefusedNamingItsFirstByte() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir.resolve("s"), Counter.TYPES, 1 << 20)) {
      assertThatThrownBy(() -> store.tables().put(new byte[] {'E', 1}, value("x")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must start with 'T'")
          .hasMessageContaining("first byte 69");
      assertThatThrownBy(() -> store.tables().get(new byte[0])).hasMessageContaining("an empty key");
    }
  }

  @Test
  void aPutGivenTheReplicasEncodingWritesThoseBytesWithoutEncodingTheStateAgain() throws Exception {
    EntityKey key = new EntityKey("default", "counter", "c1");
    // Bytes that encoding the state would not give: only a store that writes what it is given stores them.
    Encoded given = Counter.TYPE.codec().encode(new Counter.Count(4, "given"));
    try (RocksStateStore store = RocksStateStore.open(dir.resolve("s"), Counter.TYPES, 0, 0)) {
      store.put(key, new Versioned(new Counter.Count(3, "n"), 1, 9), given);
      store.put(new EntityKey("default", "counter", "c2"), new Versioned(new Counter.Count(5, "n"), 1, 9));
      store.commit(1);
      assertThat(StoredState.decode(store.readRaw(EntityKeyBytes.encode(key)), key).state().data())
          .isEqualTo(given.data());
      assertThat(store.get(new EntityKey("default", "counter", "c2")).state()).as("no encoding given: encoded here")
          .isEqualTo(new Counter.Count(5, "n"));
    }
  }

  @Test
  void aPageStartsAtItsFromKeyStaysInsideItsPrefixAndMayNotStartBeforeIt() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir.resolve("s"), Counter.TYPES, 1 << 20)) {
      for (String k : List.of("a0", "b1", "b2", "b3", "c1")) {
        store.tables().put(key(k), value(k));
      }
      store.commit(1);
      List<String> seen = new ArrayList<>();
      store.tables().forEachFrom(key("b"), key("b2"), (k, v) -> seen.add(new String(v, StandardCharsets.UTF_8)));
      assertThat(seen).containsExactly("b2", "b3");
      assertThatThrownBy(() -> store.tables().forEachFrom(key("b"), key("a9"), (k, v) -> true))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at or after its prefix");
    }
  }

  private static List<String> scan(StoreTables tables, String prefix, String from, int max) {
    List<String> seen = new ArrayList<>();
    tables.forEachFrom(key(prefix), key(from), (k, v) -> {
      seen.add(new String(k, StandardCharsets.UTF_8).substring(1) + "=" + new String(v, StandardCharsets.UTF_8));
      return seen.size() < max;
    });
    return seen;
  }

  /**
   * Committed rows are written back with the states: readable and scanned at once, in RocksDB only
   * once the store writes (here at the checkpoint), and a scan merges them into the database's:
   * an unwritten value replaces a written one, an unwritten delete hides it, the prefix, the page's
   * start and the visitor's stop hold across both.
   */
  @Test
  void committedRowsWaitInTheHeapAndAScanMergesThemIntoTheDatabasesRows() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir.resolve("s"), Counter.TYPES, 1 << 20)) {
      StoreTables tables = store.tables();
      for (String k : List.of("a0", "b1", "b3", "b5", "c0")) {
        tables.put(key(k), value("old"));
      }
      store.commit(1);
      assertThat(store.readRaw(key("b1"))).as("committed, not yet written").isNull();
      assertThat(tables.get(key("b1"))).isEqualTo(value("old"));
      assertThat(scan(tables, "b", "b", 10)).containsExactly("b1=old", "b3=old", "b5=old");
      store.checkpoint(dir.resolve("checkpoint-1"));
      assertThat(store.readRaw(key("b1"))).as("written with the checkpoint").isEqualTo(value("old"));
      assertThat(store.dirtyBytes()).isZero();

      tables.put(key("b3"), value("new"));
      tables.delete(key("b5"));
      tables.put(key("b2"), value("new"));
      tables.put(key("b6"), value("new"));
      tables.put(key("b0"), value("gone"));
      tables.delete(key("b0"));
      tables.put(key("a9"), value("other"));
      store.commit(2);
      assertThat(store.readRaw(key("b3"))).isEqualTo(value("old"));
      assertThat(store.dirtyBytes()).isPositive();
      assertThat(scan(tables, "b", "b", 10)).containsExactly("b1=old", "b2=new", "b3=new", "b6=new");
      assertThat(scan(tables, "b", "b3", 10)).containsExactly("b3=new", "b6=new");
      assertThat(scan(tables, "b", "b", 2)).containsExactly("b1=old", "b2=new");
      assertThat(tables.get(key("b5"))).isNull();
      assertThat(tables.get(key("b0"))).isNull();

      store.checkpoint(dir.resolve("checkpoint-2"));
      assertThat(store.readRaw(key("b3"))).isEqualTo(value("new"));
      assertThat(store.readRaw(key("b5"))).as("the delete reached the database").isNull();
      assertThat(scan(tables, "b", "b", 10)).containsExactly("b1=old", "b2=new", "b3=new", "b6=new");
    }
  }

  /** Rows count toward the store's write-back bound: the commit that passes it writes them all. */
  @Test
  void theCommitThatTakesTheRowsPastTheBoundWritesThemAll() throws Exception {
    try (RocksStateStore store = RocksStateStore.open(dir.resolve("s"), Counter.TYPES, 1 << 20, 2_000)) {
      int written = -1;
      for (int i = 0; i < 100 && written < 0; i++) {
        store.tables().put(key(String.format("r%03d", i)), value("row " + i));
        store.commit(i + 1);
        if (store.dirtyBytes() == 0) {
          written = i;
        }
      }
      assertThat(written).as("a commit wrote the rows").isPositive();
      for (int i = 0; i <= written; i++) {
        assertThat(store.readRaw(key(String.format("r%03d", i)))).isEqualTo(value("row " + i));
      }
    }
  }
}
