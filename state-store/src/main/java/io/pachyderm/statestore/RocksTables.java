package io.pachyderm.statestore;

import io.pachyderm.replica.StoreTables;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * {@link StoreTables} in the {@link RocksStateStore}: writes go into an overlay that {@link #get}
 * reads first, so a reader sees the entry being applied at once (as it sees the entity states:
 * {@code RocksStateStore.pending}), and at the entry's commit into the store's batch in key order
 * ({@link #addTo}); a reader never misses a key between the batch's write and the overlay's
 * clearing (the store writes first, then clears). Key order because a RocksDB memtable insert next
 * to the previous one is ~10 times cheaper than one elsewhere, and an entry's rows are runs of
 * neighbouring keys (a client's request ids, the order records' sequence numbers) that it would
 * otherwise write interleaved; a key written twice in an entry is written once.
 */
final class RocksTables implements StoreTables {
  /** An overlay value meaning "deleted in the entry being applied"; compared by identity. */
  private static final byte[] DELETED = new byte[0];

  private final RocksStateStore store;
  private final Map<Key, byte[]> pending = new ConcurrentHashMap<>();

  /** A byte-array map key compared by content. */
  private record Key(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }

  RocksTables(RocksStateStore store) {
    this.store = store;
  }

  @Override
  public byte[] get(byte[] key) {
    requireTableKey(key);
    byte[] p = pending.get(new Key(key));
    if (p != null) {
      return p == DELETED ? null : p;
    }
    return store.readRaw(key);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    requireTableKey(key);
    if (value == null) {
      throw new IllegalArgumentException("a table value cannot be null; delete the key instead");
    }
    pending.put(new Key(key.clone()), value);
  }

  @Override
  public void delete(byte[] key) {
    requireTableKey(key);
    pending.put(new Key(key.clone()), DELETED);
  }

  @Override
  public void forEach(byte[] prefix, Visitor visitor) {
    requireTableKey(prefix);
    store.forEachRaw(prefix, prefix, visitor);
  }

  @Override
  public void forEachFrom(byte[] prefix, byte[] fromKey, Visitor visitor) {
    requireTableKey(prefix);
    if (Arrays.compareUnsigned(fromKey, prefix) < 0) {
      throw new IllegalArgumentException("a table page must start at or after its prefix");
    }
    store.forEachRaw(prefix, fromKey, visitor);
  }

  /** Adds the entry's writes to {@code batch}, in key order. */
  void addTo(WriteBatch batch) throws RocksDBException {
    List<byte[][]> writes = new ArrayList<>(pending.size());
    for (Map.Entry<Key, byte[]> w : pending.entrySet()) {
      writes.add(new byte[][] {w.getKey().bytes(), w.getValue() == DELETED ? null : w.getValue()});
    }
    putInKeyOrder(batch, writes);
  }

  /** Puts {@code rows} (key, value; a null value deletes the key) into {@code batch} in unsigned key order. */
  static void putInKeyOrder(WriteBatch batch, List<byte[][]> rows) throws RocksDBException {
    rows.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
    for (byte[][] row : rows) {
      if (row[1] == null) {
        batch.delete(row[0]);
      } else {
        batch.put(row[0], row[1]);
      }
    }
  }

  /** The batch was written (or dropped): the store holds what the overlay held. */
  void committed() {
    pending.clear();
  }

  /** Writes of the entry being applied, not yet committed. */
  int pendingWrites() {
    return pending.size();
  }

  private static void requireTableKey(byte[] key) {
    if (key == null || key.length == 0 || key[0] != PREFIX) {
      throw new IllegalArgumentException("a table key must start with '" + (char) PREFIX + "' (entity and store"
          + " metadata keys use other first bytes), got " + (key == null ? "null" : key.length == 0 ? "an empty key"
          : "first byte " + key[0]));
    }
  }
}
