package io.pachyderm.storage.journal;

import io.pachyderm.protocol.JournalEntry;
import io.pachyderm.protocol.JournalGap;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Ref;
import java.util.Map;
import java.util.TreeMap;

/**
 * The journal's in-memory index: where the journal ends ({@link Position}), ref -> excerpts of its
 * records ({@link RefIndex}), a checkpoint (log index -> excerpt) every {@link #CHECKPOINT_EVERY}
 * records for {@link EventJournal#readFrom}, and the truncation markers that void records. Applies
 * each appended record and each marker, checking the order rules ({@link RecordOrder}), and copies
 * itself to and from an {@link IndexImage} for the index file.
 *
 * <p>Threads: every method from any thread; each takes {@link #lock} for its whole run, so its
 * parts never disagree. {@link #admit} and {@link #add} are one append split around the write,
 * called by the appending thread only (see {@link #add}). {@link #applyTruncation} reads the queue
 * backward while holding the lock: readers wait for a truncation, which happens at open and on
 * repair, before serving.
 */
final class JournalIndex {
  /** One checkpoint (log index -> excerpt) every this many records, for {@link EventJournal#readFrom}. */
  static final int CHECKPOINT_EVERY = 256;

  private static final TreeMap<Long, Long> NO_MARKERS = new TreeMap<>();

  private final JournalQueue queue;
  private final Object lock = new Object();
  // ---- guarded by lock ----
  private final RefRuns refs;
  private final JournalCheckpoints checkpoints = new JournalCheckpoints();
  private long sinceCheckpoint;
  /** Truncation markers: excerpt index -> after_log_index, in journal order. */
  private final TreeMap<Long, Long> markers = new TreeMap<>();
  private Position last = Position.EMPTY;
  /** Excerpt of the newest gap marker, -1 if none: refs last seen before it may jump versions. */
  private long lastGapExcerpt = -1;
  /** to_log_index of the newest gap marker, 0 if none: truncation may not go below it. */
  private long gapFloorLogIndex;
  /** The newest excerpt (record or marker) the index reflects, -1 when none. */
  private long indexedExcerpt = -1;
  /** The ref {@link #orderProblem} looked up last and what it found, for {@link #index}. */
  private RefIndex.Key checkedKey;
  private RefRuns.Tail checkedEntries;
  /**
   * Counts the changes that may drop a ref's run other than {@link #index} (trim, truncation,
   * reset, install): when it moved since {@link #orderProblem}, {@link #index} looks the ref up
   * again instead of appending to a run that is no longer in the index.
   */
  private long runChanges;
  private long checkedRunChanges;
  /**
   * Records indexed by {@link #addDeferred} since the last {@link #persist}: the appending thread
   * indexes an entry's records one by one and commits them once ({@link #commitDeferred}), so the
   * disk ref index writes one RocksDB batch per log entry instead of one per record. Every other
   * method that reads the database's rows or changes the index commits them first ({@link
   * #persistDeferred}); until then the disk kind answers {@link RefRuns#tail} from its pending runs.
   */
  private int deferredRecords;
  // ---- end guarded ----

  /**
   * Deferred records the disk kind lets wait before {@link #commitDeferred} writes them in one batch:
   * bounds the pending runs' heap (one entry each) and the re-indexing a crash leaves to open.
   */
  static final int DEFERRED_RECORDS_MAX = 4096;

  /** An index with its refs in the heap ({@link RefIndex}). */
  JournalIndex(JournalQueue queue) {
    this(queue, new RefIndex());
  }

  JournalIndex(JournalQueue queue, RefRuns refs) {
    this.queue = queue;
    this.refs = refs;
  }

  /**
   * A page of a ref's indexed run, copied for {@link JournalReader#history}: the excerpts of versions
   * {@code firstVersion..firstVersion + size - 1}, with the markers of that moment.
   */
  record Run(long[] excerpts, int size, long firstVersion, TreeMap<Long, Long> markers) {}

  /** Whether the refs are in RocksDB ({@link DiskRefIndex}), persisted as they change, rather than in an index file. */
  boolean onDisk() {
    return refs instanceof DiskRefIndex;
  }

  /** The disk ref index; only when {@link #onDisk()}. */
  DiskRefIndex diskRefs() {
    return (DiskRefIndex) refs;
  }

  /** Makes every change so far durable in the disk ref index (its {@code saveIndex}); nothing for the heap kind. */
  void flush() {
    synchronized (lock) {
      persistDeferred();
      refs.flush();
    }
  }

  /** Estimated heap bytes the index retains: the ref index's own accounting plus checkpoints and markers. */
  long heapBytesEstimate() {
    synchronized (lock) {
      return refs.heapBytesEstimate() + checkpoints.heapBytes() + markers.size() * 64L;
    }
  }

  void close() {
    synchronized (lock) {
      persistDeferred();
      refs.close();
    }
  }

  Position last() {
    synchronized (lock) {
      return last;
    }
  }

  long records() {
    synchronized (lock) {
      return refs.records();
    }
  }

  int refs() {
    synchronized (lock) {
      return refs.refs();
    }
  }

  VersionRange versions(Ref ref) {
    synchronized (lock) {
      RefRuns.Tail e = refs.tail(RefIndex.Key.of(ref));
      return e == null ? null : new VersionRange(e.firstVersion(), e.lastVersion());
    }
  }

  /**
   * Up to {@code limit} excerpts of {@code ref}'s run from {@code fromVersion} (or its first indexed
   * version), copied, with the markers of this moment; null when the ref has no indexed record.
   */
  Run run(Ref ref, long fromVersion, int limit) {
    synchronized (lock) {
      persistDeferred();
      RefRuns.Page page = refs.page(RefIndex.Key.of(ref), fromVersion, limit);
      if (page == null) {
        return null;
      }
      return new Run(page.excerpts(), page.size(), page.firstVersion(),
          markers.isEmpty() ? NO_MARKERS : new TreeMap<>(markers));
    }
  }

  /** The excerpt of the last checkpoint strictly below {@code logIndex}, -1 if none. */
  long checkpointBefore(long logIndex) {
    synchronized (lock) {
      return checkpoints.excerptBefore(logIndex);
    }
  }

  boolean isVoid(long excerpt, long logIndex) {
    synchronized (lock) {
      return isVoid(markers, excerpt, logIndex);
    }
  }

  static boolean isVoid(TreeMap<Long, Long> markers, long excerpt, long logIndex) {
    for (Map.Entry<Long, Long> m : markers.tailMap(excerpt, false).entrySet()) {
      if (logIndex > m.getValue()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The first half of an append, before the write: false if {@code r} is already journaled (a
   * replay), true if it may be written.
   *
   * @throws IllegalArgumentException if {@code r} breaks the order rules
   */
  boolean admit(JournalRecord r) {
    synchronized (lock) {
      if (!RecordOrder.follows(last, r)) {
        return false;
      }
      String problem = orderProblem(r);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      return true;
    }
  }

  /**
   * The second half of an append: indexes {@code r}, written at {@code excerpt}, which {@link
   * #admit} accepted last. Appending thread only: nothing but that thread adds records or markers
   * in between, so admit's checks still hold. Retention may trim in between (a compaction runs on
   * any thread): the ref's run may then be gone, and the record starts a new one, as a scan of the
   * remaining files would have it.
   */
  void add(long excerpt, JournalRecord r) {
    synchronized (lock) {
      index(excerpt, r);
      persist();
    }
  }

  /**
   * {@link #add} without the commit: the record is indexed (readers of the index see it: {@link
   * #versions}, and {@link #run} after committing it), and the disk kind writes it with the next
   * commit, {@link #commitDeferred} or any other change. A crash before that loses only index rows,
   * which open re-indexes from the queue (as it does for every change after the last flush).
   */
  void addDeferred(long excerpt, JournalRecord r) {
    synchronized (lock) {
      index(excerpt, r);
      deferredRecords++;
    }
  }

  /**
   * Ends an entry's {@link #addDeferred} records: the heap kind commits them at once; the disk kind
   * once {@link #DEFERRED_RECORDS_MAX} records are waiting, so that one RocksDB batch spans many
   * entries and writes each changed run's 't' row once per batch instead of once per entry (on
   * 1,000 entities and ~6 records per entry, most entries touch runs the batch already changed).
   * Readers see the waiting records as before (the runs from the pending map; pages after the
   * commit that {@link #run} makes first), and a crash loses at most those index rows, which open
   * re-indexes from the queue.
   */
  void commitDeferred() {
    synchronized (lock) {
      if (!onDisk() || deferredRecords >= DEFERRED_RECORDS_MAX) {
        persistDeferred();
      }
    }
  }

  /** Commits every record {@link #addDeferred} indexed, whatever their number: before a save. */
  void commitAllDeferred() {
    synchronized (lock) {
      persistDeferred();
    }
  }

  /**
   * Applies one entry read by open's scan at {@code excerpt}, checking it as {@link #admit} checks
   * a record before its write.
   *
   * @throws JournalCorruptException if the entry breaks the order rules, a truncation goes below
   *     a gap, a gap does not follow the journal's end, or the entry is of an unknown kind
   */
  void applyScanned(long excerpt, JournalEntry entry) {
    synchronized (lock) {
      persistDeferred();
      if (entry.hasTruncation()) {
        long after = entry.getTruncation().getAfterLogIndex();
        if (after < gapFloorLogIndex) {
          throw queue.corrupt(excerpt, "truncation after " + after + " voids the gap marked up to " + gapFloorLogIndex);
        }
        voidBefore(excerpt, after, entry.getTruncation().getTornExcerpt());
        persist();
        return;
      }
      if (entry.hasGap()) {
        JournalGap gap = entry.getGap();
        if (gap.getToLogIndex() <= last.logIndex() || gap.getAfterLogIndex() >= gap.getToLogIndex()) {
          throw queue.corrupt(excerpt, "gap (" + gap.getAfterLogIndex() + ", " + gap.getToLogIndex()
              + "] does not follow log index " + last.logIndex());
        }
        gap(excerpt, gap.getToLogIndex());
        persist();
        return;
      }
      if (!entry.hasRecord()) {
        throw queue.corrupt(excerpt, "JournalEntry of unknown kind (written by a newer version?)");
      }
      JournalRecord r = entry.getRecord();
      if (!RecordOrder.follows(last, r)) {
        throw queue.corrupt(excerpt, "record at " + r.getLogIndex() + "/" + r.getEntrySeq()
            + " does not follow " + last.logIndex() + "/" + last.entrySeq());
      }
      String problem = orderProblem(r);
      if (problem != null) {
        throw queue.corrupt(excerpt, problem);
      }
      index(excerpt, r);
      persist();
    }
  }

  /**
   * Whether a truncation after {@code logIndex} has anything to void.
   *
   * @throws IllegalArgumentException if {@code logIndex} is below the newest gap's to_log_index
   */
  boolean holdsAfter(long logIndex) {
    synchronized (lock) {
      if (logIndex < gapFloorLogIndex) {
        throw new IllegalArgumentException("journal " + queue.dir() + ": cannot truncate after log index " + logIndex
            + ", below the gap marked up to " + gapFloorLogIndex + " (a snapshot was installed there)");
      }
      return last.logIndex() > logIndex;
    }
  }

  /** Applies the truncation marker at {@code markerExcerpt}; see {@link #voidBefore}. */
  void applyTruncation(long markerExcerpt, long afterLogIndex, long tornExcerpt) {
    synchronized (lock) {
      persistDeferred();
      voidBefore(markerExcerpt, afterLogIndex, tornExcerpt);
      persist();
    }
  }

  /** Makes the gap marker at {@code excerpt} the journal's end. */
  void applyGap(long excerpt, long toLogIndex) {
    synchronized (lock) {
      persistDeferred();
      gap(excerpt, toLogIndex);
      persist();
    }
  }

  /**
   * Forgets everything the index holds below excerpt {@code first} (in cycle files that are gone),
   * so that the index equals what a full scan of the remaining files builds.
   */
  void trimBefore(long first) {
    synchronized (lock) {
      persistDeferred();
      runChanges++;
      refs.dropBefore(first);
      checkpoints.dropBefore(first);
      markers.headMap(first).clear();
      if (lastGapExcerpt >= 0 && lastGapExcerpt < first && !last.gap()) {
        // A scan would not see the gap marker any more; every record before it is gone as well.
        lastGapExcerpt = -1;
        gapFloorLogIndex = 0;
      }
      persist();
    }
  }

  /** Back to the index of an empty journal. */
  void reset() {
    synchronized (lock) {
      persistDeferred();
      runChanges++;
      refs.clear();
      checkpoints.clear();
      sinceCheckpoint = 0;
      markers.clear();
      last = Position.EMPTY;
      lastGapExcerpt = -1;
      gapFloorLogIndex = 0;
      indexedExcerpt = -1;
      persist();
    }
  }

  /**
   * Copies the index for an index file: the small parts by value, the per-ref excerpt arrays by
   * reference (see {@link RefIndex.Entries}); {@link IndexImage#throughExcerptCrc} is left for the
   * caller. Null when nothing is indexed yet. Costs O(refs + checkpoints + markers) under the lock.
   */
  IndexImage capture() {
    IndexImage im = new IndexImage();
    synchronized (lock) {
      if (indexedExcerpt < 0 || !(refs instanceof RefIndex heapRefs)) {
        return null;
      }
      im.rollCycle = queue.rollCycle().toString();
      im.throughExcerpt = indexedExcerpt;
      im.last = last;
      im.lastGapExcerpt = lastGapExcerpt;
      im.gapFloorLogIndex = gapFloorLogIndex;
      im.sinceCheckpoint = sinceCheckpoint;
      im.checkpoints = checkpoints.size();
      im.cpLogIndex = checkpoints.logIndexesCopy();
      im.cpExcerpt = checkpoints.excerptsCopy();
      im.markers = markers.size();
      im.markerExcerpt = new long[im.markers];
      im.markerAfterLogIndex = new long[im.markers];
      int m = 0;
      for (Map.Entry<Long, Long> e : markers.entrySet()) {
        im.markerExcerpt[m] = e.getKey();
        im.markerAfterLogIndex[m] = e.getValue();
        m++;
      }
      // IndexFile sorts the refs by key when it writes them, so this map's order never reaches
      // the file.
      Map<RefIndex.Key, RefIndex.Entries> byRef = heapRefs.entries();
      im.refs = byRef.size();
      im.keys = new RefIndex.Key[im.refs];
      im.excerpts = new long[im.refs][];
      im.sizes = new int[im.refs];
      im.firstVersions = new long[im.refs];
      int i = 0;
      for (Map.Entry<RefIndex.Key, RefIndex.Entries> e : byRef.entrySet()) {
        im.keys[i] = e.getKey();
        im.excerpts[i] = e.getValue().excerpts;
        im.sizes[i] = e.getValue().size;
        im.firstVersions[i] = e.getValue().firstVersion;
        i++;
      }
    }
    return im;
  }

  /**
   * Replaces the index with {@code im}; {@code im}'s arrays become owned by this index.
   *
   * @throws IllegalStateException if {@code im} names a ref twice (the index is then partly
   *     installed: the caller resets it)
   */
  void install(IndexImage im) {
    synchronized (lock) {
      reset();
      RefIndex heapRefs = (RefIndex) refs;
      for (int i = 0; i < im.refs; i++) {
        heapRefs.put(im.keys[i], im.excerpts[i], im.sizes[i], im.firstVersions[i]);
      }
      checkpoints.install(im.cpLogIndex, im.cpExcerpt, im.checkpoints);
      sinceCheckpoint = im.sinceCheckpoint;
      for (int m = 0; m < im.markers; m++) {
        markers.put(im.markerExcerpt[m], im.markerAfterLogIndex[m]);
      }
      last = im.last;
      lastGapExcerpt = im.lastGapExcerpt;
      gapFloorLogIndex = im.gapFloorLogIndex;
      indexedExcerpt = im.throughExcerpt;
    }
  }

  /**
   * Takes the state the disk ref index held at its last change (its refs stay in the database):
   * the journal's end, the gap, the checkpoints and the markers.
   */
  void installSaved(DiskRefIndex.Saved saved) {
    synchronized (lock) {
      persistDeferred();
      runChanges++;
      RefRuns.IndexEnd end = saved.end();
      checkpoints.install(saved.cpLogIndex(), saved.cpExcerpt(), saved.checkpoints());
      sinceCheckpoint = end.sinceCheckpoint();
      markers.clear();
      markers.putAll(saved.markers());
      last = end.last();
      lastGapExcerpt = end.lastGapExcerpt();
      gapFloorLogIndex = end.gapFloorLogIndex();
      indexedExcerpt = end.indexedExcerpt();
    }
  }

  /** The newest excerpt (record or marker) the index reflects, -1 when none. */
  long indexedExcerpt() {
    synchronized (lock) {
      return indexedExcerpt;
    }
  }

  /** The afterLogIndex of the truncation marker at {@code excerpt}, or null if none is indexed there. */
  Long markerAt(long excerpt) {
    synchronized (lock) {
      return markers.get(excerpt);
    }
  }

  // ---- internals: the caller holds the lock ------------------------------------------------------

  /** Ends one change: the disk ref index writes it, atomically, with the index's new end. */
  private void persist() {
    refs.commit(new RefRuns.IndexEnd(last, lastGapExcerpt, gapFloorLogIndex, indexedExcerpt, sinceCheckpoint));
    deferredRecords = 0;
  }

  /** Commits records indexed by {@link #addDeferred}: before a read of the rows or any other change. */
  private void persistDeferred() {
    if (deferredRecords > 0) {
      persist();
    }
  }

  /** Why {@code r} may not follow the journal's end, or null; remembers the ref's look-up for {@link #index}. */
  private String orderProblem(JournalRecord r) {
    String problem = RecordOrder.positionProblem(last, r);
    if (problem != null) {
      return problem;
    }
    checkedKey = RefIndex.Key.of(r.getRef());
    checkedEntries = refs.tail(checkedKey);
    checkedRunChanges = runChanges;
    return RecordOrder.versionProblem(r, checkedEntries, lastGapExcerpt);
  }

  private void index(long excerpt, JournalRecord r) {
    // orderProblem(r) looked the ref up under the same lock hold (the scan) or, for append, before
    // the write: one hash look-up per record instead of two, unless a trim came in between.
    if (checkedRunChanges != runChanges) {
      checkedEntries = refs.tail(checkedKey);
    }
    refs.add(checkedKey, checkedEntries, r.getVersion(), excerpt);
    checkedKey = null;
    checkedEntries = null;
    last = Position.of(r, excerpt);
    indexedExcerpt = excerpt;
    if (sinceCheckpoint++ % CHECKPOINT_EVERY == 0) {
      checkpoints.add(r.getLogIndex(), excerpt);
      refs.putCheckpoint(excerpt, r.getLogIndex());
    }
  }

  private void gap(long excerpt, long toLogIndex) {
    last = Position.gap(toLogIndex, excerpt);
    lastGapExcerpt = excerpt;
    gapFloorLogIndex = toLogIndex;
    indexedExcerpt = excerpt;
  }

  /**
   * Applies the marker at {@code markerExcerpt}: records it, voids the records it cuts ({@link
   * TruncationWalk}), and makes the record or gap the walk stopped at the journal's end (a
   * truncation never goes below a gap's to_log_index, checked by the callers).
   */
  private void voidBefore(long markerExcerpt, long afterLogIndex, long tornExcerpt) {
    runChanges++;
    markers.put(markerExcerpt, afterLogIndex);
    refs.putMarker(markerExcerpt, afterLogIndex);
    Position newLast = TruncationWalk.voidBackward(queue, refs, markerExcerpt, afterLogIndex, tornExcerpt);
    if (newLast.gap()) {
      gap(newLast.excerpt(), newLast.logIndex());
    } else {
      last = newLast;
    }
    indexedExcerpt = markerExcerpt;
    checkpoints.dropAfter(newLast.excerpt());
    refs.dropCheckpointsAfter(newLast.excerpt());
  }
}
