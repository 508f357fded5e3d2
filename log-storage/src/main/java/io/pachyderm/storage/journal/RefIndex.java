package io.pachyderm.storage.journal;

import io.pachyderm.protocol.Ref;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Ref -> Chronicle excerpt indexes of that entity's valid records, in journal order. Versions of
 * one ref are contiguous in the journal (checked on append and on open), so the record of version
 * v sits at position {@code v - firstVersion}: history needs no search. Cost: one {@code long} per
 * record plus ~150 bytes per ref. Not thread-safe: {@link EventJournal} guards it with its lock.
 */
final class RefIndex {
  record Key(String ecosystem, String type, String id) {
    static Key of(Ref ref) {
      return new Key(ref.getEcosystem(), ref.getType(), ref.getId());
    }
  }

  /** Excerpts of one ref. Appends write past {@code size} only, so readers may use a captured prefix. */
  static final class Entries {
    long[] excerpts = new long[4];
    int size;
    long firstVersion;

    long lastVersion() {
      return firstVersion + size - 1;
    }
  }

  private final Map<Key, Entries> byRef = new HashMap<>();
  private long records;

  Entries get(Ref ref) {
    return byRef.get(Key.of(ref));
  }

  long records() {
    return records;
  }

  int refs() {
    return byRef.size();
  }

  /** The version {@code ref} must have next, or 0 when the ref has no record (any version >= 1). */
  long nextVersion(Ref ref) {
    Entries e = byRef.get(Key.of(ref));
    return e == null ? 0 : e.lastVersion() + 1;
  }

  void add(Ref ref, long version, long excerpt) {
    Key key = Key.of(ref);
    Entries e = byRef.get(key);
    if (e == null) {
      e = new Entries();
      e.firstVersion = version;
      byRef.put(key, e);
    }
    if (e.size == e.excerpts.length) {
      e.excerpts = Arrays.copyOf(e.excerpts, e.size * 2);
    }
    e.excerpts[e.size++] = excerpt;
    records++;
  }

  /** Removes the last record of {@code ref}, which must be {@code excerpt} (truncation runs backward). */
  void removeLast(Ref ref, long excerpt) {
    Key key = Key.of(ref);
    Entries e = byRef.get(key);
    if (e == null || e.size == 0 || e.excerpts[e.size - 1] != excerpt) {
      throw new IllegalStateException("truncation out of order: excerpt " + Long.toHexString(excerpt)
          + " is not the last indexed record of " + key);
    }
    records--;
    if (e.size == 1) {
      byRef.remove(key);
      return;
    }
    // A new array, so a reader holding the old one with its old size never sees a reused slot.
    e.excerpts = Arrays.copyOf(e.excerpts, e.excerpts.length);
    e.size--;
  }

  /** Drops every record whose excerpt index is below {@code firstExcerpt} (retention). */
  void dropBefore(long firstExcerpt) {
    var it = byRef.values().iterator();
    while (it.hasNext()) {
      Entries e = it.next();
      int keep = 0;
      while (keep < e.size && e.excerpts[keep] < firstExcerpt) {
        keep++;
      }
      if (keep == 0) {
        continue;
      }
      records -= keep;
      if (keep == e.size) {
        it.remove();
        continue;
      }
      // A new array: a reader holding the old one (with the old firstVersion) stays consistent.
      long[] rest = new long[Math.max(4, e.size - keep)];
      System.arraycopy(e.excerpts, keep, rest, 0, e.size - keep);
      e.excerpts = rest;
      e.size -= keep;
      e.firstVersion += keep;
    }
  }
}
