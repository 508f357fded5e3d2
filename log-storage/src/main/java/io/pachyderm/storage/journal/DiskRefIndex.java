package io.pachyderm.storage.journal;

import static io.pachyderm.storage.journal.DiskIndexRows.CHECKPOINT;
import static io.pachyderm.storage.journal.DiskIndexRows.MARKER;
import static io.pachyderm.storage.journal.DiskIndexRows.META;
import static io.pachyderm.storage.journal.DiskIndexRows.ROW;
import static io.pachyderm.storage.journal.DiskIndexRows.SAVE_POINT;
import static io.pachyderm.storage.journal.DiskIndexRows.longAt;
import static io.pachyderm.storage.journal.DiskIndexRows.longBytes;
import static io.pachyderm.storage.journal.DiskIndexRows.prefixKey;
import static io.pachyderm.storage.journal.DiskIndexRows.refBytes;
import static io.pachyderm.storage.journal.DiskIndexRows.rowKey;
import static io.pachyderm.storage.journal.DiskIndexRows.tailKey;
import static io.pachyderm.storage.journal.DiskIndexRows.tailValue;

import io.pachyderm.protocol.Ref;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rocksdb.RocksIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk kind of {@link RefRuns} ({@link JournalOptions.IndexKind#DISK}): the ref index in RocksDB
 * under {@code <journal>/ref-index}, so that the heap holds only a cache of the hottest refs' runs,
 * bounded in bytes, whatever the number of refs.
 *
 * <p>Rows (one column family; integers 8 bytes big-endian, so key order is numeric order; a ref is
 * ecosystem, type and id, each as a varint length and UTF-8, so no ref's bytes prefix another's):
 * <pre>
 * 'r' ref version  -> excerpt                    one per indexed record: a ref's history is a prefix scan
 * 't' ref          -> first, last version, last excerpt   the run's ends: one point read per append
 * 'c' excerpt      -> log index                  the checkpoints of {@link JournalIndex}
 * 'k' excerpt      -> after_log_index            the truncation markers
 * 'm'              -> format, the {@link RefRuns.IndexEnd}, records, refs, lowest excerpt bound
 * 's'              -> excerpt, CRC32 of its bytes   written by each save: proves the queue is this index's
 * </pre>
 *
 * <p>Each committed change of the index (one log entry's records, {@link EventJournal#appendEntry};
 * one marker; one trim) is one RocksDB batch, with one 't' row per run it changed, that ends with
 * the 'm' row, written with the WAL off. RocksDB persists batches in order and whole
 * (one column family: a batch lands in one memtable), so after a crash the database holds the index
 * exactly as it was after some change, and its 'm' row says which excerpt that was: open re-indexes
 * only the excerpts after it. What a crash loses is the unflushed tail, which that scan rebuilds;
 * {@link #flush()} (the journal's {@code saveIndex}) bounds it, in time proportional to the rows
 * written since the last flush, not to the number of refs.
 *
 * <p>Retention ({@link #dropBefore}) reads every 'r' row once, as the heap kind visits every ref: it
 * runs when a cycle file is deleted (a roll, a compaction), not on the snapshot path.
 *
 * <p>The database itself, the batch and their failures are {@link DiskIndexDb}'s. Not thread-safe:
 * {@link JournalIndex} calls every method under its lock, close included, so no call ever reaches
 * a closed database (a JNI use-after-close would crash the JVM).
 */
final class DiskRefIndex implements RefRuns {
  static final String DIRECTORY = "ref-index";

  private static final Logger LOG = LoggerFactory.getLogger(EventJournal.class); // see JournalQueue
  /** A trim writes its deletions in batches of about this many rows, cut between refs. */
  private static final int TRIM_BATCH_ROWS = 10_000;
  /** Estimated heap bytes of one cached run beyond its key's characters: map entry, key, strings, tail. */
  private static final long CACHED_RUN_BYTES = 224;

  /** A run as stored in a 't' row. */
  record DiskTail(long firstVersion, long lastVersion, long lastExcerpt) implements RefRuns.Tail {}

  /** What the database held at its last change, for {@link JournalIndex#installSaved}. */
  record Saved(IndexEnd end, long[] cpLogIndex, long[] cpExcerpt, int checkpoints, TreeMap<Long, Long> markers,
      SavePoint savePoint) {}

  /** The excerpt the index ended at when it was last saved, and the CRC32 of that excerpt's bytes; null before a save. */
  record SavePoint(long excerpt, long crc) {}

  private final Path dir;
  private final long cacheBytesMax;
  private final DiskIndexDb db;
  /** The hottest runs, least recently used first; bounded by {@link #cacheBytesMax}. */
  private final LinkedHashMap<RefIndex.Key, DiskTail> cache = new LinkedHashMap<>(1024, 0.75f, true);
  private long cacheBytes;
  /** Runs changed by the batch being built (null: removed); readers of the batch see them first. */
  private final LinkedHashMap<RefIndex.Key, DiskTail> pending = new LinkedHashMap<>();
  /**
   * The 'r' rows {@link #add} put in the batch being built, the 'c' and 'm' rows of checkpoints
   * and markers, and the 't' rows {@link #write} adds (a null value deletes), put into it in key
   * order (a stable sort: writes of one key stay in order) before any other row: a batch spans
   * entries ({@link JournalIndex#commitDeferred}), so its rows are runs of neighbouring keys (a ref's
   * consecutive versions), and RocksDB inserts a key next to the previous one far faster than one
   * elsewhere in its memtable.
   */
  private final List<byte[][]> rowPuts = new ArrayList<>();
  private long records;
  private long refs;
  /**
   * No 'r' row has an excerpt below this (MAX_VALUE: no rows): lowered by each append, raised by a
   * trim. A trim at or below it has no row to drop and skips the pass over the rows, so the trim
   * that every open applies after re-indexing costs nothing unless cycle files were deleted.
   */
  private long excerptsFrom = Long.MAX_VALUE;
  private IndexEnd end = new IndexEnd(Position.EMPTY, -1, 0, -1, 0);

  private DiskRefIndex(DiskIndexDb db, long cacheBytesMax) {
    this.dir = db.directory();
    this.db = db;
    this.cacheBytesMax = cacheBytesMax;
  }

  /**
   * Opens the index in {@code dir}, creating it if missing. A database RocksDB cannot open (damaged
   * files) is deleted, logged as a WARN naming it, and created empty: open's full scan rebuilds it.
   *
   * @param cacheBytesMax the hot runs' cache bound, in estimated heap bytes (0 caches nothing)
   * @throws IOException naming {@code dir} when even an empty database cannot be created there
   */
  static DiskRefIndex open(Path dir, long cacheBytesMax) throws IOException {
    return new DiskRefIndex(DiskIndexDb.open(dir), cacheBytesMax);
  }

  Path directory() {
    return dir;
  }

  /** Rows in the memtables that the last {@link #flush()} wrote (RocksDB's count), for tests and figures. */
  long rowsFlushedLast() {
    return db.rowsFlushedLast();
  }

  /** Batches written to the database since open (one per committed change), for tests and figures. */
  long batchesWritten() {
    return db.batchesWritten();
  }

  /**
   * What the database held at its last change, or null when it holds nothing (a new database, or
   * an 'm' row of another format: the caller rebuilds by a full scan).
   */
  Saved loadSaved() {
    checkOpen();
    byte[] meta = get(META);
    if (meta == null) {
      return null;
    }
    DiskIndexRows.Meta m = DiskIndexRows.readMeta(meta);
    if (m == null) {
      LOG.warn("journal ref index {}: its state row is of another format ({} bytes); rebuilding by a full scan",
          dir, meta.length);
      return null;
    }
    end = m.end();
    records = m.records();
    refs = m.refs();
    excerptsFrom = m.excerptsFrom();
    long[] cpLogIndex = new long[64];
    long[] cpExcerpt = new long[64];
    int checkpoints = 0;
    TreeMap<Long, Long> markers = new TreeMap<>();
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(new byte[] {CHECKPOINT}); it.isValid() && it.key()[0] == CHECKPOINT; it.next()) {
        if (checkpoints == cpExcerpt.length) {
          cpLogIndex = Arrays.copyOf(cpLogIndex, checkpoints * 2);
          cpExcerpt = Arrays.copyOf(cpExcerpt, checkpoints * 2);
        }
        cpExcerpt[checkpoints] = longAt(it.key(), 1);
        cpLogIndex[checkpoints] = longAt(it.value(), 0);
        checkpoints++;
      }
      for (it.seek(new byte[] {MARKER}); it.isValid() && it.key()[0] == MARKER; it.next()) {
        markers.put(longAt(it.key(), 1), longAt(it.value(), 0));
      }
    }
    byte[] save = get(SAVE_POINT);
    SavePoint savePoint = save == null ? null : new SavePoint(longAt(save, 0), longAt(save, 8));
    return new Saved(end, cpLogIndex, cpExcerpt, checkpoints, markers, savePoint);
  }

  @Override
  public Tail tail(RefIndex.Key key) {
    return diskTail(key);
  }

  @Override
  public void add(RefIndex.Key key, Tail tail, long version, long excerpt) {
    checkOpen();
    DiskTail t = (DiskTail) tail;
    byte[] ref = refBytes(key);
    long first = version;
    if (t == null) {
      refs++;
    } else if (version != t.lastVersion() + 1) {
      // A restart (a jump after a gap): the old run leaves the index, as the heap kind drops it.
      deleteRange(rowKey(ref, t.firstVersion()), rowKey(ref, t.lastVersion() + 1));
      records -= t.lastVersion() - t.firstVersion() + 1;
    } else {
      first = t.firstVersion();
    }
    putRow(rowKey(ref, version), longBytes(excerpt));
    // The 't' row is written by write(), once per ref and batch: an entry of 256 records on one ref
    // (one hot entity) then costs one 't' row, not 256.
    records++;
    excerptsFrom = Math.min(excerptsFrom, excerpt);
    pending.put(key, new DiskTail(first, version, excerpt));
  }

  @Override
  public void removeLast(Ref r, long excerpt) {
    checkOpen();
    RefIndex.Key key = RefIndex.Key.of(r);
    DiskTail t = diskTail(key);
    if (t == null || t.lastExcerpt() != excerpt) {
      throw new IllegalStateException("truncation out of order: excerpt " + Long.toHexString(excerpt)
          + " is not the last indexed record of " + key);
    }
    byte[] ref = refBytes(key);
    delete(rowKey(ref, t.lastVersion()));
    records--;
    if (t.firstVersion() == t.lastVersion()) {
      refs--;
      pending.put(key, null);
      return;
    }
    // Truncation removes a ref's records from the last one backward, so the row before is not yet
    // deleted in this batch: the database still has it.
    byte[] previous = get(rowKey(ref, t.lastVersion() - 1));
    if (previous == null) {
      throw new IllegalStateException("journal ref index " + dir + " is damaged: " + key + " version "
          + (t.lastVersion() - 1) + " is missing inside its run " + t.firstVersion() + ".." + t.lastVersion()
          + "; delete the directory (the journal rebuilds it) and reopen");
    }
    pending.put(key, new DiskTail(t.firstVersion(), t.lastVersion() - 1, longAt(previous, 0)));
  }

  @Override
  public Page page(RefIndex.Key key, long fromVersion, int limit) {
    DiskTail t = diskTail(key);
    if (t == null) {
      return null;
    }
    long start = Math.max(fromVersion, t.firstVersion());
    int size = (int) Math.max(0, Math.min(limit, t.lastVersion() - start + 1));
    long[] excerpts = new long[size];
    byte[] ref = refBytes(key);
    try (RocksIterator it = db.newIterator()) {
      it.seek(rowKey(ref, start));
      for (int i = 0; i < size; i++) {
        byte[] expected = rowKey(ref, start + i);
        if (!it.isValid() || !Arrays.equals(it.key(), expected)) {
          throw new IllegalStateException("journal ref index " + dir + " is damaged: " + key + " version "
              + (start + i) + " is missing inside its run " + t.firstVersion() + ".." + t.lastVersion()
              + "; delete the directory (the journal rebuilds it) and reopen");
        }
        excerpts[i] = longAt(it.value(), 0);
        it.next();
      }
    }
    return new Page(start, excerpts, size);
  }

  /**
   * Deletes every 'r' row below {@code firstExcerpt} and fixes the 't' rows of the refs it touched,
   * reading the 'r' rows in key order (a ref's rows together); written in batches cut between refs,
   * each consistent on its own, so a crash in the middle leaves an index that the next trim finishes.
   */
  @Override
  public void dropBefore(long firstExcerpt) {
    checkOpen();
    checkCommitted("a trim");
    deleteRange(new byte[] {CHECKPOINT}, prefixKey(CHECKPOINT, firstExcerpt));
    deleteRange(new byte[] {MARKER}, prefixKey(MARKER, firstExcerpt));
    if (firstExcerpt <= excerptsFrom) {
      write();
      return;
    }
    try (RocksIterator it = db.newIterator()) {
      byte[] ref = null;
      long dropped = 0;
      long lastDroppedVersion = 0;
      long lastVersion = 0;
      long lastExcerpt = 0;
      int batchRows = 0;
      for (it.seek(new byte[] {ROW}); ; it.next()) {
        boolean valid = it.isValid() && it.key()[0] == ROW;
        byte[] key = valid ? it.key() : null;
        byte[] rowRef = valid ? Arrays.copyOfRange(key, 1, key.length - 8) : null;
        if (ref != null && (rowRef == null || !Arrays.equals(ref, rowRef))) {
          if (dropped > 0) {
            boolean emptied = lastVersion == lastDroppedVersion;
            if (emptied) {
              delete(tailKey(ref));
              refs--;
            } else {
              put(tailKey(ref), tailValue(lastDroppedVersion + 1, lastVersion, lastExcerpt));
            }
            batchRows += dropped;
          }
          if (batchRows >= TRIM_BATCH_ROWS) {
            write(); // between refs: every 't' row matches its 'r' rows
            batchRows = 0;
          }
          dropped = 0;
        }
        if (!valid) {
          break;
        }
        ref = rowRef;
        lastVersion = longAt(key, key.length - 8);
        lastExcerpt = longAt(it.value(), 0);
        if (lastExcerpt < firstExcerpt) {
          delete(key);
          records--;
          dropped++;
          lastDroppedVersion = lastVersion;
        }
      }
    }
    excerptsFrom = firstExcerpt; // every row left is at or above it; appends only lower it again
    cache.clear();
    cacheBytes = 0;
    write();
  }

  @Override
  public void clear() {
    checkOpen();
    db.clearBatch();
    rowPuts.clear();
    pending.clear();
    cache.clear();
    cacheBytes = 0;
    deleteRange(new byte[] {0}, new byte[] {(byte) 0xFF});
    records = 0;
    refs = 0;
    excerptsFrom = Long.MAX_VALUE;
    end = new IndexEnd(Position.EMPTY, -1, 0, -1, 0);
    write();
  }

  @Override
  public long records() {
    return records;
  }

  @Override
  public int refs() {
    return (int) Math.min(Integer.MAX_VALUE, refs);
  }

  @Override
  public long heapBytesEstimate() {
    return cacheBytes + pending.size() * CACHED_RUN_BYTES;
  }

  @Override
  public void putCheckpoint(long excerpt, long logIndex) {
    // Buffered with the version rows (an entry adds one, and a direct put would put the buffer
    // into the batch at every entry, sorting a handful of rows each time); every write, delete and
    // range delete puts the buffer first, so an operation on the same key stays in order.
    putRow(prefixKey(CHECKPOINT, excerpt), longBytes(logIndex));
  }

  @Override
  public void dropCheckpointsAfter(long excerpt) {
    deleteRange(prefixKey(CHECKPOINT, Math.max(0, excerpt + 1)), new byte[] {CHECKPOINT + 1});
  }

  @Override
  public void putMarker(long excerpt, long afterLogIndex) {
    putRow(prefixKey(MARKER, excerpt), longBytes(afterLogIndex));
  }

  @Override
  public void commit(IndexEnd newEnd) {
    end = newEnd;
    write();
  }

  /**
   * Records {@code savePoint} (the excerpt the index ends at, with its CRC32) and flushes, so that the
   * next open can tell this queue from another one with the same positions.
   */
  void save(SavePoint savePoint) {
    checkOpen();
    checkCommitted("a save");
    put(SAVE_POINT, ByteBuffer.allocate(16).putLong(savePoint.excerpt()).putLong(savePoint.crc()).array());
    write();
    flush();
  }

  /** Writes the memtables to disk and waits: afterwards a crash loses nothing committed. */
  @Override
  public void flush() {
    db.flush();
  }

  /** Flushes (so the next open scans nothing) and closes; a failed flush costs only open time. */
  @Override
  public void close() {
    db.close();
  }

  // ---- internals ------------------------------------------------------------------------------

  private DiskTail diskTail(RefIndex.Key key) {
    checkOpen();
    if (pending.containsKey(key)) {
      return pending.get(key);
    }
    DiskTail t = cache.get(key);
    if (t != null) {
      return t;
    }
    byte[] v = get(tailKey(refBytes(key)));
    if (v == null) {
      return null;
    }
    t = new DiskTail(longAt(v, 0), longAt(v, 8), longAt(v, 16));
    cachePut(key, t);
    return t;
  }

  /**
   * Writes the batch with the 't' row of every run it changed and the 'm' row, then lets the cache
   * see the batch's runs.
   */
  private void write() {
    for (Map.Entry<RefIndex.Key, DiskTail> e : pending.entrySet()) {
      DiskTail t = e.getValue();
      putRow(tailKey(refBytes(e.getKey())),
          t == null ? null : tailValue(t.firstVersion(), t.lastVersion(), t.lastExcerpt()));
    }
    put(META, DiskIndexRows.meta(end, records, refs, excerptsFrom));
    db.write();
    for (Map.Entry<RefIndex.Key, DiskTail> e : pending.entrySet()) {
      if (e.getValue() == null) {
        DiskTail gone = cache.remove(e.getKey());
        if (gone != null) {
          cacheBytes -= cachedBytes(e.getKey());
        }
      } else {
        cachePut(e.getKey(), e.getValue());
      }
    }
    pending.clear();
  }

  private void cachePut(RefIndex.Key key, DiskTail t) {
    if (cache.put(key, t) == null) {
      cacheBytes += cachedBytes(key);
    }
    Iterator<Map.Entry<RefIndex.Key, DiskTail>> eldest = cache.entrySet().iterator();
    while (cacheBytes > cacheBytesMax && eldest.hasNext()) {
      cacheBytes -= cachedBytes(eldest.next().getKey());
      eldest.remove();
    }
  }

  private static long cachedBytes(RefIndex.Key key) {
    return CACHED_RUN_BYTES + key.ecosystem().length() + key.type().length() + key.id().length();
  }

  private void putRow(byte[] key, byte[] value) {
    rowPuts.add(new byte[][] {key, value});
  }

  /** Puts the waiting rows into the batch, in key order; every other row goes after them. */
  private void putRowsInOrder() {
    if (rowPuts.isEmpty()) {
      return;
    }
    rowPuts.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
    for (byte[][] row : rowPuts) {
      if (row[1] == null) {
        db.delete(row[0]);
      } else {
        db.put(row[0], row[1]);
      }
    }
    rowPuts.clear();
  }

  private void put(byte[] key, byte[] value) {
    putRowsInOrder();
    db.put(key, value);
  }

  private void delete(byte[] key) {
    putRowsInOrder();
    db.delete(key);
  }

  private void deleteRange(byte[] from, byte[] to) {
    putRowsInOrder();
    db.deleteRange(from, to);
  }

  private byte[] get(byte[] key) {
    return db.get(key);
  }

  /**
   * A pass that writes 't' rows itself (and batches of its own) must start after the last change
   * was committed: {@link JournalIndex} commits before any such pass.
   */
  private void checkCommitted(String what) {
    if (!pending.isEmpty()) {
      throw new IllegalStateException("journal ref index " + dir + ": " + what + " began with " + pending.size()
          + " uncommitted runs (the index commits its change first)");
    }
  }

  private void checkOpen() {
    db.checkOpen();
  }
}
