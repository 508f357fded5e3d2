package io.pachyderm.statestore;

import io.pachyderm.replica.StoreTables;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * {@link StoreTables} in the {@link RocksStateStore}: writes go into an overlay that {@link #get}
 * reads first, so a reader sees the entry being applied at once (as it sees the entity states:
 * {@code RocksStateStore.pending}). At the entry's commit they move into the unwritten rows, kept
 * in key order in the heap, which reads and scans see as committed, and which reach RocksDB with the
 * written-back entity states (the store's bound, a checkpoint, a close; see {@link
 * RocksStateStore}): the de-duplication rows, two to four per command, were the largest RocksDB
 * cost left on the apply thread when each entry wrote its own. In key order because a RocksDB
 * memtable insert next to the previous one is ~10 times cheaper than one elsewhere; a key written
 * twice before a write is written once (a row put and deleted before it: as a delete).
 */
final class RocksTables implements StoreTables {
  /** A pending or unwritten value meaning "deleted"; compared by identity. */
  private static final byte[] DELETED = new byte[0];

  /**
   * Estimated heap bytes of an unwritten row beyond its key and value: the skip list's node and
   * index, two array headers.
   */
  static final long ROW_OVERHEAD_BYTES = 96;

  private final RocksStateStore store;
  /** The entry being applied's writes; {@link #get} sees them, scans do not. */
  private final Map<Key, byte[]> pending = new ConcurrentHashMap<>();
  /**
   * Committed rows not yet in RocksDB ({@link #DELETED}: deleted), in unsigned key order. A write
   * replaces the map rather than clearing it, after the database holds its rows: a reader that took
   * the old map before opening its iterator finds every row in one or the other.
   */
  private volatile ConcurrentSkipListMap<byte[], byte[]> unwritten = newRows();
  /** Estimated heap bytes of {@link #unwritten}. Apply thread. */
  private long unwrittenBytes;

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
    if (p == null) {
      p = unwritten.get(key);
    }
    return p != null ? orNull(p) : store.readRaw(key);
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
    forEachCommitted(prefix, prefix, visitor);
  }

  @Override
  public void forEachFrom(byte[] prefix, byte[] fromKey, Visitor visitor) {
    requireTableKey(prefix);
    if (Arrays.compareUnsigned(fromKey, prefix) < 0) {
      throw new IllegalArgumentException("a table page must start at or after its prefix");
    }
    forEachCommitted(prefix, fromKey, visitor);
  }

  /** The unwritten rows merged into the database's, which they hide (a deleted one: null). */
  private void forEachCommitted(byte[] prefix, byte[] fromKey, Visitor visitor) {
    Iterator<Map.Entry<byte[], byte[]>> rows = unwritten.tailMap(fromKey, true).entrySet().iterator();
    store.forEachRaw(prefix, fromKey, new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Map.Entry<byte[], byte[]> next() {
        Map.Entry<byte[], byte[]> row = rows.next();
        return row.getValue() == DELETED ? new AbstractMap.SimpleImmutableEntry<>(row.getKey(), null) : row;
      }
    }, visitor);
  }

  /** Moves the entry's writes into the unwritten rows (apply thread, at its commit). */
  void commitPending() {
    ConcurrentSkipListMap<byte[], byte[]> rows = unwritten;
    for (Map.Entry<Key, byte[]> w : pending.entrySet()) {
      byte[] key = w.getKey().bytes();
      byte[] before = rows.put(key, w.getValue());
      unwrittenBytes += rowBytes(key, w.getValue()) - (before == null ? 0 : rowBytes(key, before));
    }
    // After the move, so a reader that misses the entry's writes here finds them there.
    pending.clear();
  }

  private static long rowBytes(byte[] key, byte[] value) {
    return key.length + value.length + ROW_OVERHEAD_BYTES;
  }

  /** Estimated heap bytes of the committed rows not yet in RocksDB. */
  long unwrittenBytes() {
    return unwrittenBytes;
  }

  /** Adds the unwritten rows to {@code batch}, in key order (a deleted row deletes its key). */
  void addTo(WriteBatch batch) throws RocksDBException {
    for (Map.Entry<byte[], byte[]> row : unwritten.entrySet()) {
      putOrDelete(batch, row.getKey(), orNull(row.getValue()));
    }
  }

  /** A pending or unwritten value as readers see it: null for {@link #DELETED}. */
  private static byte[] orNull(byte[] value) {
    return value == DELETED ? null : value;
  }

  /** The batch of {@link #addTo} is in the database: the heap stops holding its rows. */
  void written() {
    unwritten = newRows();
    unwrittenBytes = 0;
  }

  private static ConcurrentSkipListMap<byte[], byte[]> newRows() {
    return new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
  }

  /** Puts {@code rows} (key, value; a null value deletes the key) into {@code batch} in unsigned key order. */
  static void putInKeyOrder(WriteBatch batch, List<byte[][]> rows) throws RocksDBException {
    rows.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
    for (byte[][] row : rows) {
      putOrDelete(batch, row[0], row[1]);
    }
  }

  private static void putOrDelete(WriteBatch batch, byte[] key, byte[] value) throws RocksDBException {
    if (value == null) {
      batch.delete(key);
    } else {
      batch.put(key, value);
    }
  }

  /** Drops every write not in the database (the store is being destroyed or replaced). */
  void dropUnwritten() {
    pending.clear();
    written();
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
