package io.pachyderm.statestore;

import io.pachyderm.replica.Versioned;
import io.pachyderm.runtime.EntityKey;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hot entities' decoded states, least recently used first out, bounded in bytes. Holds applied
 * values only (the store puts a state here once its entry's batch is written; speculation never
 * reaches a store). An entity that leaves is read back from RocksDB on its next get: passivation
 * with nothing else changing for the caller.
 *
 * <p>A value's size is an estimate: its encoded bytes plus its key's characters plus a fixed
 * overhead for the map entry, the key and the {@link Versioned}; the decoded object is usually of
 * the same order as its encoding. Thread-safe: one lock, because a get reorders the map.
 *
 * <p>Read race (why {@link #insertIfUnchanged}): a reader that missed here reads RocksDB, then
 * caches what it read. 1. reader reads v1 from RocksDB; 2. the apply thread writes v2 and caches it;
 * 3. v2 is evicted; 4. the reader caches v1, now stale. So every apply-thread update bumps a
 * generation under the lock, and a reader caches only if the generation is the one it saw before
 * its read; if it is, no write happened in between and what it read is current.
 */
final class HotCache {
  /** Per cached entity beyond its encoded state and key: map entry, key record, Versioned, sizes. */
  static final int ENTRY_OVERHEAD_BYTES = 160;

  private record Entry(Versioned value, long bytes) {}

  private final long bytesMax;
  private final LinkedHashMap<EntityKey, Entry> entries = new LinkedHashMap<>(1024, 0.75f, true);
  private long bytes;
  private long generation;

  HotCache(long bytesMax) {
    if (bytesMax < 0) {
      throw new IllegalArgumentException("stateCacheBytesMax must be >= 0 (0 caches nothing), was " + bytesMax);
    }
    this.bytesMax = bytesMax;
  }

  static long sizeOf(EntityKey key, int encodedBytes) {
    return ENTRY_OVERHEAD_BYTES + encodedBytes
        + 2L * (key.ecosystem().length() + key.type().length() + key.id().length());
  }

  synchronized Versioned get(EntityKey key) {
    Entry e = entries.get(key);
    return e == null ? null : e.value();
  }

  /** The generation a reader notes before it reads RocksDB. */
  synchronized long generation() {
    return generation;
  }

  /** Apply thread: {@code value} is now {@code key}'s applied state. */
  synchronized void update(EntityKey key, Versioned value, long valueBytes) {
    generation++;
    insert(key, value, valueBytes);
  }

  /** Any thread: caches what a read of RocksDB returned, unless the store was written since {@code seen}. */
  synchronized void insertIfUnchanged(long seen, EntityKey key, Versioned value, long valueBytes) {
    if (generation == seen && !entries.containsKey(key)) {
      insert(key, value, valueBytes);
    }
  }

  synchronized void clear() {
    generation++;
    entries.clear();
    bytes = 0;
  }

  synchronized int entries() {
    return entries.size();
  }

  synchronized long bytes() {
    return bytes;
  }

  long bytesMax() {
    return bytesMax;
  }

  private void insert(EntityKey key, Versioned value, long valueBytes) {
    Entry old = entries.remove(key);
    if (old != null) {
      bytes -= old.bytes();
    }
    if (valueBytes > bytesMax) {
      return; // larger than the whole cache: read from RocksDB every time
    }
    entries.put(key, new Entry(value, valueBytes));
    bytes += valueBytes;
    Iterator<Map.Entry<EntityKey, Entry>> eldest = entries.entrySet().iterator();
    while (bytes > bytesMax && eldest.hasNext()) {
      bytes -= eldest.next().getValue().bytes();
      eldest.remove();
    }
  }
}
