package io.pachyderm.statestore;

import io.pachyderm.replica.Versioned;
import io.pachyderm.runtime.EntityKey;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The hot entities' decoded states, least recently used first out, bounded in bytes and in idle
 * time ({@link CacheLimits}). Holds applied values only (the store puts a state here once its
 * entry is committed; speculation never reaches a store). An entity that leaves is read back
 * from RocksDB on its next get: passivation with nothing else changing for the caller.
 *
 * <p>A value's size is an estimate: its encoded bytes plus its key's characters plus a fixed
 * overhead for the map entry, the key and the {@link Versioned}; the decoded object is usually of
 * the same order as its encoding. Thread-safe: one lock, because a get reorders the map.
 *
 * <p>Passivation: the map is in access order, so its eldest entries are the longest idle ones.
 * Every operation first drops the eldest entries idle for {@code passivateAfterMs} or more (it stops
 * at the first younger one, so a sweep costs only what it removes), and {@link #passivateIdle} does
 * the same for a caller with no entity to read. The clock is local and monotonic; it decides only
 * what stays in the heap, never what a read returns, so nothing replicated depends on it.
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

  /** Mutable under the cache's lock: an update replaces the value in place (one map look-up, not two). */
  private static final class Entry {
    Versioned value;
    long bytes;
    long lastAccessMs;

    Entry(Versioned value, long bytes, long lastAccessMs) {
      this.value = value;
      this.bytes = bytes;
      this.lastAccessMs = lastAccessMs;
    }
  }

  private final long bytesMax;
  private final long passivateAfterMs;
  private final LongSupplier nowMs;
  private final LinkedHashMap<EntityKey, Entry> entries = new LinkedHashMap<>(1024, 0.75f, true);
  private long bytes;
  private long generation;
  private long passivated;

  /** A cache on the JVM's monotonic clock. */
  HotCache(CacheLimits limits) {
    this(limits, () -> System.nanoTime() / 1_000_000);
  }

  /** @param nowMs a monotonic clock in milliseconds (tests pass their own) */
  HotCache(CacheLimits limits, LongSupplier nowMs) {
    this.bytesMax = limits.bytesMax();
    this.passivateAfterMs = limits.passivateAfterMs();
    this.nowMs = nowMs;
  }

  static long sizeOf(EntityKey key, int encodedBytes) {
    return ENTRY_OVERHEAD_BYTES + encodedBytes
        + 2L * (key.ecosystem().length() + key.type().length() + key.id().length());
  }

  synchronized Versioned get(EntityKey key) {
    long now = nowMs.getAsLong();
    dropIdle(now);
    Entry e = entries.get(key);
    if (e == null) {
      return null;
    }
    e.lastAccessMs = now;
    return e.value;
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

  /** Drops every entity idle for {@code passivateAfterMs} or more; returns how many it dropped. */
  synchronized int passivateIdle() {
    return dropIdle(nowMs.getAsLong());
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

  /** Entities dropped for being idle since this cache was created (not those dropped for room). */
  synchronized long passivated() {
    return passivated;
  }

  long bytesMax() {
    return bytesMax;
  }

  long passivateAfterMs() {
    return passivateAfterMs;
  }

  private void insert(EntityKey key, Versioned value, long valueBytes) {
    long now = nowMs.getAsLong();
    dropIdle(now);
    if (valueBytes > bytesMax) {
      Entry old = entries.remove(key); // larger than the whole cache: read from RocksDB every time
      if (old != null) {
        bytes -= old.bytes;
      }
      return;
    }
    // A hot entity is updated at nearly every entry: the look-up (access order) makes it the
    // youngest, and its entry takes the new value where it is.
    Entry e = entries.get(key);
    if (e == null) {
      entries.put(key, new Entry(value, valueBytes, now));
      bytes += valueBytes;
    } else {
      bytes += valueBytes - e.bytes;
      e.value = value;
      e.bytes = valueBytes;
      e.lastAccessMs = now;
    }
    Iterator<Map.Entry<EntityKey, Entry>> eldest = entries.entrySet().iterator();
    while (bytes > bytesMax && eldest.hasNext()) {
      bytes -= eldest.next().getValue().bytes;
      eldest.remove();
    }
  }

  /** Access order puts the longest idle first, so the sweep stops at the first entry still in use. */
  private int dropIdle(long now) {
    int dropped = 0;
    Iterator<Map.Entry<EntityKey, Entry>> eldest = entries.entrySet().iterator();
    while (eldest.hasNext()) {
      Entry e = eldest.next().getValue();
      if (now - e.lastAccessMs < passivateAfterMs) {
        break;
      }
      bytes -= e.bytes;
      eldest.remove();
      dropped++;
    }
    passivated += dropped;
    return dropped;
  }
}
