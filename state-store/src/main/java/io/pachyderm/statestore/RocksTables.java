package io.pachyderm.statestore;

import io.pachyderm.replica.StoreTables;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link StoreTables} in the {@link RocksStateStore}: writes go into the store's per-entry batch and,
 * until its commit, into an overlay that {@link #get} reads first, so a reader sees the entry being
 * applied at once (as it sees the entity states: {@code RocksStateStore.pending}) and never a key
 * missing between the batch's write and the overlay's clearing (the store writes first, then clears).
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
    store.batchPut(key, value);
    pending.put(new Key(key.clone()), value);
  }

  @Override
  public void delete(byte[] key) {
    requireTableKey(key);
    store.batchDelete(key);
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
