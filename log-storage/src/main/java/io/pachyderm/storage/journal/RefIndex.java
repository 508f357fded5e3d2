package io.pachyderm.storage.journal;

import io.pachyderm.protocol.Ref;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The heap kind of {@link RefRuns} ({@link JournalOptions.IndexKind#HEAP}): ref -> Chronicle excerpt indexes of that entity's valid records, in journal order. Versions of
 * one ref are contiguous in the journal (checked on append and on open), so the record of version
 * v sits at position {@code v - firstVersion}: history needs no search. The one exception, a
 * version that jumps forward after a gap marker, restarts the ref's run at that version (the older
 * records stay in the queue but leave the index). Cost: one {@code long} per record plus ~150
 * bytes per ref. Not thread-safe: {@link JournalIndex} guards it with its lock.
 */
final class RefIndex implements RefRuns {
  record Key(String ecosystem, String type, String id) {
    static Key of(Ref ref) {
      return new Key(ref.getEcosystem(), ref.getType(), ref.getId());
    }
  }

  /** Excerpts of one ref. Appends write past {@code size} only, so readers may use a captured prefix. */
  static final class Entries implements RefRuns.Tail {
    long[] excerpts = new long[4];
    int size;
    long firstVersion;

    @Override
    public long firstVersion() {
      return firstVersion;
    }

    @Override
    public long lastVersion() {
      return firstVersion + size - 1;
    }

    @Override
    public long lastExcerpt() {
      return excerpts[size - 1];
    }
  }

  private final Map<Key, Entries> byRef = new HashMap<>();
  private long records;

  Entries get(Ref ref) {
    return byRef.get(Key.of(ref));
  }

  Entries get(Key key) {
    return byRef.get(key);
  }

  @Override
  public Tail tail(Key key) {
    return byRef.get(key);
  }

  @Override
  public long records() {
    return records;
  }

  @Override
  public int refs() {
    return byRef.size();
  }

  /** The estimate the class comment gives: ~150 bytes per ref plus one long (and slack) per record. */
  @Override
  public long heapBytesEstimate() {
    return byRef.size() * 150L + records * 10L;
  }

  @Override
  public Page page(Key key, long fromVersion, int limit) {
    Entries e = byRef.get(key);
    if (e == null) {
      return null;
    }
    long first = Math.max(fromVersion, e.firstVersion);
    int start = (int) Math.min(e.size, first - e.firstVersion);
    int end = (int) Math.min(e.size, (long) start + limit);
    return new Page(e.firstVersion + start, Arrays.copyOfRange(e.excerpts, start, end), end - start);
  }

  /**
   * Appends {@code excerpt} as {@code version} of {@code ref}. A version other than the next one
   * (the caller allowed it: a jump after a gap) restarts the ref's run at {@code version}.
   */
  void add(Ref ref, long version, long excerpt) {
    Key key = Key.of(ref);
    add(key, byRef.get(key), version, excerpt);
  }

  /**
   * {@link #add(Ref, long, long)} when the caller already looked the ref up: {@code e} is what
   * {@link #get} returned for {@code key} (null if none), and nothing changed the index since.
   * One hash lookup per appended record instead of two (the apply path runs this per event).
   */
  @Override
  public void add(Key key, Tail tail, long version, long excerpt) {
    Entries e = (Entries) tail;
    if (e != null && version != e.lastVersion() + 1) {
      // A new Entries object, so a reader holding the old run stays consistent.
      records -= e.size;
      e = null;
    }
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
  @Override
  public void removeLast(Ref ref, long excerpt) {
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

  /** Every ref and its entries; callers copy what they keep (the entries are live). */
  Map<Key, Entries> entries() {
    return byRef;
  }

  /** Installs a run loaded from an index file; {@code excerpts} becomes owned by this index. */
  void put(Key key, long[] excerpts, int size, long firstVersion) {
    Entries e = new Entries();
    e.excerpts = excerpts;
    e.size = size;
    e.firstVersion = firstVersion;
    Entries previous = byRef.put(key, e);
    if (previous != null) {
      throw new IllegalStateException("ref " + key + " loaded twice");
    }
    records += size;
  }

  @Override
  public void clear() {
    byRef.clear();
    records = 0;
  }

  /** Drops every record whose excerpt index is below {@code firstExcerpt} (retention). */
  @Override
  public void dropBefore(long firstExcerpt) {
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
