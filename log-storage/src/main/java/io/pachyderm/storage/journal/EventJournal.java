package io.pachyderm.storage.journal;

import com.google.protobuf.CodedOutputStream;
import io.pachyderm.protocol.JournalEntry;
import io.pachyderm.protocol.JournalGap;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.JournalTruncation;
import io.pachyderm.protocol.Ref;
import io.pachyderm.storage.Fsync;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's event journal on a Chronicle Queue (format: {@code log-storage/JOURNAL.md}).
 *
 * <p>Records are ordered by their position {@code (log_index, entry_seq)}, which strictly
 * increases. {@link #append} <b>skips</b> (returns false) a record whose position is at or before
 * the last journaled one, so replaying Raft entries the journal already holds — even an entry that
 * was only partly journaled when the process died — neither duplicates nor loses a record.
 *
 * <p>A node that had a snapshot installed misses the records of the snapshot's range: {@link
 * #markGap} records that, and the journal then accepts each ref's jumped version.
 *
 * <p>Open cost: without an index file, one protobuf parse per retained record; {@link #saveIndex()}
 * (at snapshot time) persists the in-memory index so that the next open parses only the records
 * appended after the save (JOURNAL.md has the figures).
 *
 * <p>Threads: {@link #append}, {@link #truncateAfter}, {@link #markGap}, {@link #flush}, {@link
 * #sync}, {@link #saveIndex} and {@link #close} from one thread at a time (the apply thread);
 * {@link #lastIndex}, {@link #versions}, {@link #history} and {@link #readFrom} from any thread.
 *
 * <p>Durability: appends go to memory-mapped files, so they survive a process crash (kill -9) but
 * not a machine crash until {@link #sync()} returns. The Raft log must therefore be kept behind
 * the last synced position, and after a crash the caller replays entries from its snapshot and
 * calls {@link #append} for each record (already-journaled ones are skipped).
 */
public final class EventJournal implements AutoCloseable {
  /** One checkpoint (log index -> excerpt) every this many records, for {@link #readFrom}. */
  static final int CHECKPOINT_EVERY = 256;
  /** Chronicle index spacing (excerpts per index entry) of new cycle files; a power of two. */
  static final int INDEX_SPACING = 16;
  /** Idle tailers kept for {@link #history}: creating one costs ~150 us, reusing one ~nothing. */
  static final int POOLED_TAILERS_MAX = 8;
  /** How long close() waits for an index file being written (measured ~1 s at 10M records). */
  static final long INDEX_WRITE_WAIT_MS_MAX = 60_000;

  private static final Logger LOG = LoggerFactory.getLogger(EventJournal.class);

  private static final TreeMap<Long, Long> NO_MARKERS = new TreeMap<>();

  private final Path dir;
  private final JournalOptions options;
  private final SingleChronicleQueue queue;
  private final ExcerptAppender appender;
  /** Cycle files this process has written to since the last sync (cycle -> file). */
  private final Map<Integer, File> unsynced = new ConcurrentHashMap<>();
  private final Map<Integer, File> cycleFiles = new ConcurrentHashMap<>();

  private final Object lock = new Object();
  /** Held by one retention pass at a time (never while waiting for {@link #lock}'s holders). */
  private final Object retentionLock = new Object();
  // ---- guarded by lock ----
  private final RefIndex refs = new RefIndex();
  private long[] cpLogIndex = new long[64];
  private long[] cpExcerpt = new long[64];
  private int cpSize;
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
  private int appendCycle = Integer.MIN_VALUE;
  // ---- end guarded ----
  private final ReadBuffer readBuffer = new ReadBuffer();
  /** Encoding buffer of {@link #append}, which runs on one thread at a time (see the class comment). */
  private byte[] appendBuffer = new byte[512];
  /** The ref {@link #orderProblem} looked up last and what it found, for {@link #index}. Guarded by lock. */
  private RefIndex.Key checkedKey;
  private RefIndex.Entries checkedEntries;
  /** The cycle of the last write, known to be in {@link #unsynced} until the next sync; append thread only. */
  private int lastWrittenCycle = Integer.MIN_VALUE;
  private final ArrayDeque<ExcerptTailer> idleTailers = new ArrayDeque<>(); // guarded by itself
  private final Path indexDir;
  /** The newest captured index not yet taken by the writer: at most one waits, older ones are dropped. */
  private final AtomicReference<IndexImage> pendingIndex = new AtomicReference<>();
  private ExecutorService indexWriter; // created by the first saveIndex; apply thread only
  private long excerptsScannedAtOpen; // open's thread only
  /** Encoded bytes of the records {@link #append} wrote since open; one writer, read by metrics. */
  private volatile long bytesAppended;
  /**
   * Whether excerpts without a checksum are read (unchecked): true when the journal's first excerpt
   * was written before checksums (format 1), so that a journal written by an older version still
   * opens. Otherwise an excerpt without one is damage (its checksum tag byte changed). Set by open.
   */
  private volatile boolean legacyRecordsAllowed;
  /** The first failed write; afterwards no write is tried (the mapped file's state is unknown). */
  private volatile Throwable writeFailure;
  /** A bad last excerpt found by open's scan, cut by open once the scan is done; open's thread only. */
  private TornTail tornTail;
  private volatile boolean closed;

  private EventJournal(Path dir, JournalOptions options) {
    this.dir = dir;
    this.options = options;
    this.indexDir = dir.resolve(IndexFile.DIRECTORY);
    StoreFileListener listener = new StoreFileListener() {
      @Override
      public void onAcquired(int cycle, File file) {
        cycleFiles.put(cycle, file);
      }

      @Override
      public void onReleased(int cycle, File file) {}
    };
    this.queue = SingleChronicleQueueBuilder.binary(dir)
        .rollCycle(chronicleCycle(options.rollCycle()))
        // Random access (history) scans on average half the spacing from the nearest index entry;
        // Chronicle's default of 256 made history ~4x slower. Costs 8 bytes of index per 16 excerpts.
        .indexSpacing(INDEX_SPACING)
        .timeProvider(() -> options.clockMs().getAsLong())
        .storeFileListener(listener)
        .build();
    this.appender = queue.createAppender();
    // The apply thread that appends is not the thread that opens the journal.
    appender.singleThreadedCheckDisabled(true);
  }

  /**
   * Opens (or creates) the journal in {@code dir}: loads the newest valid index file saved by
   * {@link #saveIndex()} and scans only the records after it, or, without a usable index file,
   * scans every retained record to rebuild the ref index; then applies retention. A scan costs one
   * protobuf parse per record (see JOURNAL.md for measured figures). An index file that cannot be
   * used (corrupt, torn, of another queue, referring to excerpts no longer in the queue) is logged
   * as a WARN naming it and skipped: the result is the same as a full scan, only slower.
   *
   * <p>Every excerpt scanned is checked (CRC32C, JOURNAL.md "Framing"). A bad <b>last</b> excerpt
   * is a write torn by a crash or a full disk: it is cut (a truncation marker naming it, logged as a
   * WARN) and the caller's replay of the Raft log appends its record again. A bad excerpt that is
   * not the last is corruption.
   *
   * @throws JournalCorruptException if an excerpt other than the last fails its check or is not a
   *     JournalEntry, or records are out of order; the message names the file and the excerpt
   */
  public static EventJournal open(Path dir, JournalOptions options) throws IOException {
    Objects.requireNonNull(options, "options");
    JvmFlags.requireForJournal("the journal in " + dir);
    Files.createDirectories(dir);
    EventJournal journal = new EventJournal(dir, options);
    try {
      journal.probeFormat();
      journal.loadIndexAndScan();
      journal.cutTornTail();
      journal.applyRetention(false);
    } catch (RuntimeException | IOException e) {
      journal.close();
      throw e;
    }
    return journal;
  }

  public Path directory() {
    return dir;
  }

  /** The highest Raft log index journaled (valid records only), 0 when the journal is empty. */
  public long lastIndex() {
    synchronized (lock) {
      return last.logIndex();
    }
  }

  /**
   * The highest Raft log index whose every record is journaled, 0 when none: {@link #lastIndex()}
   * unless the last entry was only partly journaled (a crash between its events). Replaying the
   * Raft log from {@code lastCompleteIndex() + 1} (or from anywhere earlier) neither loses nor
   * duplicates a record.
   */
  public long lastCompleteIndex() {
    synchronized (lock) {
      return last.completeIndex();
    }
  }

  /**
   * The entry_seq of the last valid record, -1 when the journal is empty or ends with a gap marker
   * ({@link #markGap}).
   */
  public int lastEntrySeq() {
    synchronized (lock) {
      return last.entrySeq();
    }
  }

  /**
   * Valid records currently indexed (retained, not truncated, and not left behind by a version jump
   * after a gap).
   */
  public long records() {
    synchronized (lock) {
      return refs.records();
    }
  }

  /** Encoded bytes of the records appended since this journal was opened (skipped replays not counted). */
  public long bytesAppended() {
    return bytesAppended;
  }

  /** Distinct refs with at least one retained record. */
  public int refs() {
    synchronized (lock) {
      return refs.refs();
    }
  }

  /**
   * Appends one record, or skips it when its position {@code (log_index, entry_seq)} is at or
   * before the last journaled one (a replay after a crash).
   *
   * @return true if appended, false if skipped as already journaled
   * @throws JournalWriteException if the write failed (disk full, I/O error, a faulting mapped
   *     write); nothing of the record is in the journal and this journal takes no more writes
   * @throws IllegalArgumentException if the record is incomplete, too large, leaves a gap (a new
   *     log index must start at entry_seq 0, the same log index continues at last+1), or breaks the
   *     ref's version sequence (versions of one ref are contiguous, except that the first record of
   *     a ref after a {@link #markGap gap marker} may jump forward); nothing is written
   */
  public boolean append(JournalRecord record) {
    checkOpen();
    checkComplete(record);
    synchronized (lock) {
      if (!followsLast(record)) {
        return false;
      }
      String problem = orderProblem(record);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
    }
    int length = encodeEntry(record);
    if (length > options.recordBytesMax()) {
      throw new IllegalArgumentException("journal record of " + record.getRef() + " v" + record.getVersion()
          + " is " + length + " bytes, over recordBytesMax " + options.recordBytesMax());
    }
    Supplier<String> what = () -> "the record of " + record.getRef().getType() + "/" + record.getRef().getId()
        + " version " + record.getVersion() + " at log index " + record.getLogIndex();
    long excerpt;
    try {
      excerpt = write(appendBuffer, length, what);
      synchronized (lock) {
        index(excerpt, record);
      }
    } catch (InternalError e) {
      // A fault in a mapped write from compiled code is thrown late, at the thread's next VM
      // transition: here, after write() returned, or on the next append. The excerpt it hit was
      // marked complete over bytes never written; open finds it by its checksum and cuts it.
      writeFailure = e;
      throw new JournalWriteException("journal " + writingFileDescription() + ": a memory-mapped write faulted ("
          + e + ") while appending " + what.get() + " or the excerpt before it (such a fault is reported late); "
          + freeSpace() + "; this journal takes no more writes: stop the node, free space or fix the disk, and"
          + " restart it (open cuts the torn excerpt, replay refills it)", e);
    }
    bytesAppended += length; // not atomic, and needs not be: append runs on one thread at a time
    maybeRetain();
    return true;
  }

  /**
   * Logically removes every record whose log index is greater than {@code logIndex} by appending
   * a {@link JournalTruncation} marker (Chronicle Queue cannot delete excerpts). Meant for repair
   * on open, before serving: a {@link JournalTailer} that already delivered a voided record fails
   * when it reaches the marker. Afterwards {@link #lastIndex()} is at most {@code logIndex}.
   *
   * @return true if a marker was written, false if nothing lay beyond {@code logIndex}
   * @throws IllegalArgumentException if {@code logIndex} is below the newest gap marker's
   *     to_log_index: the records of the gap are not on this node, so a truncation into or before
   *     the gap could never be repaired by replay (the Raft log behind the snapshot is purged)
   */
  public boolean truncateAfter(long logIndex) {
    checkOpen();
    if (logIndex < 0) {
      throw new IllegalArgumentException("logIndex must be >= 0, got " + logIndex);
    }
    synchronized (lock) {
      if (logIndex < gapFloorLogIndex) {
        throw new IllegalArgumentException("journal " + dir + ": cannot truncate after log index " + logIndex
            + ", below the gap marked up to " + gapFloorLogIndex + " (a snapshot was installed there)");
      }
      if (last.logIndex() <= logIndex) {
        return false;
      }
    }
    JournalTruncation marker = JournalTruncation.newBuilder()
        .setAfterLogIndex(logIndex).setTimestampMs(options.clockMs().getAsLong()).build();
    long excerpt = write(RecordFrame.checkedExcerpt(JournalEntry.newBuilder().setTruncation(marker).build()),
        () -> "a truncation marker after log index " + logIndex);
    synchronized (lock) {
      voidBefore(excerpt, logIndex, 0);
    }
    return true;
  }

  /**
   * Records that a snapshot up to {@code toLogIndex} was installed on this node, so the records of
   * log indexes {@code (lastCompleteIndex(), toLogIndex]} will never be journaled here (Ratis
   * purged the log behind the snapshot). First voids an incomplete last entry, as {@code
   * truncateAfter(lastCompleteIndex())} would, then appends a {@link JournalGap} marker. Afterwards
   * {@link #lastIndex()} and {@link #lastCompleteIndex()} are {@code toLogIndex}, records at or below
   * it are skipped by {@link #append}, the next record may have any log index above it (from
   * entry_seq 0), and the first record of each ref after the marker may jump its version forward:
   * that ref's indexed history then restarts at the new version. Apply thread only.
   *
   * @return true if a marker was written, false if the journal already holds every record up to
   *     {@code toLogIndex} (nothing is missing)
   */
  public boolean markGap(long toLogIndex) {
    checkOpen();
    long afterLogIndex;
    boolean incompleteTail;
    synchronized (lock) {
      afterLogIndex = last.completeIndex();
      if (afterLogIndex >= toLogIndex) {
        return false;
      }
      incompleteTail = last.logIndex() > afterLogIndex;
    }
    if (incompleteTail) {
      // A new entry never follows an incomplete one: the entry is inside the snapshot now.
      truncateAfter(afterLogIndex);
    }
    JournalGap gap = JournalGap.newBuilder().setAfterLogIndex(afterLogIndex).setToLogIndex(toLogIndex)
        .setTimestampMs(options.clockMs().getAsLong()).build();
    long excerpt = write(RecordFrame.checkedExcerpt(JournalEntry.newBuilder().setGap(gap).build()),
        () -> "a gap marker up to log index " + toLogIndex);
    synchronized (lock) {
      applyGap(excerpt, toLogIndex);
    }
    return true;
  }

  /**
   * The versions of {@code ref} this node can serve from {@link #history}, or null when it has no
   * indexed record. Any thread.
   */
  public VersionRange versions(Ref ref) {
    synchronized (lock) {
      RefIndex.Entries e = refs.get(ref);
      return e == null ? null : new VersionRange(e.firstVersion, e.lastVersion());
    }
  }

  /**
   * Up to {@code limit} records of {@code ref} from version {@code fromVersion} (inclusive), in
   * version order. Versions before the retained history are not returned: the list then starts at
   * the oldest retained version. Any thread.
   *
   * @throws JournalCorruptException if a record in the range fails its CRC32C check (or is not the
   *     record the index expects); the message names the file, the excerpt, the ref and the version.
   *     No record of the page is returned: the caller gets the error, never the damaged event
   */
  public List<JournalRecord> history(Ref ref, long fromVersion, int limit) {
    checkOpen();
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be > 0, got " + limit);
    }
    long[] excerpts;
    int size;
    long firstVersion;
    TreeMap<Long, Long> markersNow;
    synchronized (lock) {
      RefIndex.Entries e = refs.get(ref);
      if (e == null) {
        return List.of();
      }
      excerpts = e.excerpts;
      size = e.size;
      firstVersion = e.firstVersion;
      markersNow = markers.isEmpty() ? NO_MARKERS : new TreeMap<>(markers);
    }
    long start = Math.max(0, Math.max(fromVersion, firstVersion) - firstVersion);
    if (start >= size) {
      return List.of();
    }
    int end = (int) Math.min(size, start + limit);
    List<JournalRecord> out = new ArrayList<>(end - (int) start);
    ReadBuffer buffer = new ReadBuffer();
    ExcerptTailer tailer = borrowTailer();
    try {
      for (int i = (int) start; i < end; i++) {
        long excerpt = excerpts[i];
        if (!tailer.moveToIndex(excerpt)) {
          throw corrupt(excerpt, "indexed excerpt of " + ref + " is missing (deleted by retention while reading?)");
        }
        long expectedVersion = firstVersion + i;
        JournalEntry entry = readNext(tailer, buffer, excerpt, ref, expectedVersion);
        JournalRecord r = entry.getRecord();
        if (!entry.hasRecord() || !r.getRef().equals(ref) || r.getVersion() != expectedVersion) {
          throw corrupt(excerpt, "expected " + ref + " v" + expectedVersion + ", found " + describe(entry));
        }
        if (isVoid(markersNow, excerpt, r.getLogIndex())) {
          break; // truncated while we read: the rest is void too
        }
        out.add(r);
      }
    } finally {
      returnTailer(tailer);
    }
    return out;
  }

  private ExcerptTailer borrowTailer() {
    synchronized (idleTailers) {
      ExcerptTailer tailer = idleTailers.pollFirst();
      if (tailer != null) {
        return tailer;
      }
    }
    ExcerptTailer tailer = queue.createTailer();
    tailer.singleThreadedCheckDisabled(true);
    return tailer;
  }

  private void returnTailer(ExcerptTailer tailer) {
    synchronized (idleTailers) {
      if (!closed && idleTailers.size() < POOLED_TAILERS_MAX) {
        idleTailers.addFirst(tailer);
        return;
      }
    }
    tailer.close();
  }

  /**
   * A tailer over every valid record with log index {@code >= logIndex}, in journal order, that
   * keeps returning records as they are appended. The caller closes it; use it from one thread.
   */
  public JournalTailer readFrom(long logIndex) {
    checkOpen();
    long startExcerpt = -1;
    synchronized (lock) {
      // Last checkpoint strictly below logIndex: the entry logIndex may begin before a checkpoint
      // that carries the same log index.
      int lo = 0;
      int hi = cpSize - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (cpLogIndex[mid] < logIndex) {
          startExcerpt = cpExcerpt[mid];
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
    }
    ExcerptTailer tailer = queue.createTailer();
    tailer.singleThreadedCheckDisabled(true);
    if (startExcerpt < 0 || !tailer.moveToIndex(startExcerpt)) {
      tailer.toStart();
    }
    return new JournalTailer(this, tailer, logIndex);
  }

  /**
   * Makes appended records visible to other processes. Already true after {@link #append} returns:
   * Chronicle writes into shared memory-mapped pages, so there is no user-space buffer and this
   * does nothing. It exists so call sites say "visible" and "durable" ({@link #sync()}) apart.
   */
  public void flush() {
    checkOpen();
    // Chronicle's mapped pages are already in the page cache, visible to every process: there
    // is no user-space buffer to flush. Kept as an explicit step so callers state intent.
  }

  /**
   * Forces every record appended so far to stable storage (fsync of each cycle file written since
   * the last sync, of the queue metadata file and of the directory). A snapshot calls this before
   * the Raft log behind it may be purged. Blocks for the disk.
   *
   * @throws UncheckedIOException naming the file that could not be synced
   */
  public void sync() {
    checkOpen();
    // Same thread as append (see class comment): nothing is added to unsynced while we force.
    // Retention (a compaction on another thread) deletes files and forgets them here under the
    // same lock, so a file is either forced or deleted by retention, never found missing.
    synchronized (retentionLock) {
      for (Map.Entry<Integer, File> e : new ArrayList<>(unsynced.entrySet())) {
        if (!e.getValue().exists()) {
          // Never skip silently on the durability path: our idea of Chronicle's file name is wrong.
          throw new IllegalStateException("journal: cycle " + e.getKey() + " was written but its file "
              + e.getValue() + " does not exist; cannot sync");
        }
        force(e.getValue().toPath());
        unsynced.remove(e.getKey());
        lastWrittenCycle = Integer.MIN_VALUE; // the next write registers its cycle as unsynced again
      }
    }
    Path metadata = dir.resolve("metadata.cq4t");
    if (Files.exists(metadata)) {
      force(metadata);
    }
    forceDirectory(dir);
  }

  /**
   * Saves the index so that the next {@link #open} scans only what is appended after this point.
   * Call it on the apply thread right after {@link #sync()} (an index must not describe excerpts a
   * machine crash could lose; if it does, open detects it and scans). The caller pays a copy of
   * the index's small parts under the lock (O(refs + checkpoints + markers): the per-ref excerpt
   * arrays are shared, not copied) and one excerpt read; the file is written, fsynced and renamed
   * on a background thread. At most one capture waits for that thread; a newer one replaces it.
   * A failed write is logged as a WARN and costs only open time: the index is a cache of the
   * queue, never the truth. Does nothing on an empty journal.
   */
  public void saveIndex() {
    checkOpen();
    IndexImage image = captureIndex();
    if (image == null) {
      return;
    }
    if (indexWriter == null) {
      indexWriter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "journal-index-writer");
        t.setDaemon(true);
        return t;
      });
    }
    if (pendingIndex.getAndSet(image) == null) {
      indexWriter.execute(this::writePendingIndex);
    }
  }

  /** Excerpts parsed by open: all of them after a full scan, the tail only after loading an index. */
  long excerptsScannedAtOpen() {
    return excerptsScannedAtOpen;
  }

  /** Waits until every index saved so far is on disk (or failed). For tests and measurements. */
  void awaitIndexWritten() {
    if (indexWriter == null) {
      return;
    }
    try {
      indexWriter.submit(() -> { }).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (indexWriter != null) {
      // A save requested before close is finished, so that the next open can use it.
      indexWriter.shutdown();
      try {
        if (!indexWriter.awaitTermination(INDEX_WRITE_WAIT_MS_MAX, TimeUnit.MILLISECONDS)) {
          LOG.warn("journal {}: index writer still busy after {} ms at close; the next open may scan more", dir,
              INDEX_WRITE_WAIT_MS_MAX);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (idleTailers) {
      for (ExcerptTailer tailer : idleTailers) {
        tailer.close();
      }
      idleTailers.clear();
    }
    appender.close();
    queue.close();
  }

  // ---- reading, shared with JournalTailer ---------------------------------------------------------

  /** One excerpt read: its Chronicle index and its decoded entry. */
  record Read(long excerpt, JournalEntry entry) {}

  /** A reusable byte array for decoding, one per reading thread. */
  static final class ReadBuffer {
    byte[] bytes = new byte[256];
  }

  /**
   * Reads the excerpt the tailer is on and advances; null when none is complete yet. A bad excerpt
   * (failed check) is skipped only when the next excerpt is the truncation marker that cut it as a
   * torn tail: that marker is returned.
   *
   * @throws JournalCorruptException for any other bad excerpt, naming file and excerpt (and the
   *     record the index expects there: {@code expectedRef}'s {@code expectedVersion}; null if none)
   */
  Read readNextOrNull(ExcerptTailer tailer, ReadBuffer buffer, Ref expectedRef, long expectedVersion) {
    long excerpt;
    RecordFrame.Bad bad;
    try (DocumentContext dc = tailer.readingDocument()) {
      if (!dc.isPresent()) {
        return null;
      }
      excerpt = dc.index();
      RecordFrame.Decoded decoded = decode(dc, buffer);
      if (decoded instanceof RecordFrame.Valid valid) {
        return new Read(excerpt, valid.entry());
      }
      bad = (RecordFrame.Bad) decoded;
    }
    try (DocumentContext dc = tailer.readingDocument()) {
      if (dc.isPresent() && decode(dc, buffer) instanceof RecordFrame.Valid next && cuts(next.entry(), excerpt)) {
        return new Read(dc.index(), next.entry());
      }
    }
    throw badExcerpt(excerpt, bad, expectedRef == null ? null
        : expectedRef.getType() + "/" + expectedRef.getId() + " version " + expectedVersion);
  }

  /** Whether {@code entry} is the truncation marker that cut {@code excerpt} as a torn tail. */
  private static boolean cuts(JournalEntry entry, long excerpt) {
    return entry.hasTruncation() && entry.getTruncation().getTornExcerpt() == excerpt;
  }

  /**
   * The error for a bad excerpt: "journal FILE: record at index 0x.. (number N in that file; what
   * the index expects there, or what the bytes claim) PROBLEM".
   */
  JournalCorruptException badExcerpt(long excerpt, RecordFrame.Bad bad, String expected) {
    long number = queue.rollCycle().toSequenceNumber(excerpt);
    String what = expected != null ? expected + " by the index"
        : bad.claims() != null ? "claims to be " + describe(bad.claims()) : "unreadable";
    return new JournalCorruptException("journal " + cycleFile(excerpt) + ": record at index 0x" + Long.toHexString(excerpt)
        + " (number " + number + " in that file; " + what + ") " + bad.problem());
  }

  boolean isVoid(long excerpt, long logIndex) {
    synchronized (lock) {
      return isVoid(markers, excerpt, logIndex);
    }
  }

  JournalCorruptException corrupt(long excerpt, String problem) {
    int cycle = queue.rollCycle().toCycle(excerpt);
    return new JournalCorruptException("journal " + cycleFile(excerpt) + " (cycle " + cycle + "), excerpt 0x"
        + Long.toHexString(excerpt) + ": " + problem);
  }

  /** The cycle file holding {@code excerpt}. */
  private String cycleFile(long excerpt) {
    int cycle = queue.rollCycle().toCycle(excerpt);
    File file = cycleFiles.get(cycle);
    return file != null ? file.toString() : dir.resolve(cycleFileName(cycle)).toString();
  }

  /**
   * Chronicle's name for a cycle file: the cycle's UTC start in the roll cycle's format (epoch 0
   * for every cycle we offer); only a fallback when Chronicle did not say.
   */
  private String cycleFileName(int cycle) {
    RollCycle rollCycle = queue.rollCycle();
    Instant start = Instant.ofEpochMilli((long) cycle * rollCycle.lengthInMillis());
    return DateTimeFormatter.ofPattern(rollCycle.format(), Locale.ROOT).withZone(ZoneOffset.UTC).format(start) + ".cq4";
  }

  // ---- internals ----------------------------------------------------------------------------------

  private JournalEntry readNext(ExcerptTailer tailer, ReadBuffer buffer, long excerpt, Ref ref, long version) {
    Read read = readNextOrNull(tailer, buffer, ref, version);
    if (read == null || read.excerpt() != excerpt) {
      throw corrupt(excerpt, "indexed excerpt is not readable");
    }
    return read.entry();
  }

  /**
   * Decodes the excerpt {@code dc} is on (the bytes are checked, never trusted). An excerpt without
   * checksum is accepted only in a journal that began before checksums ({@link
   * #legacyRecordsAllowed}).
   */
  private RecordFrame.Decoded decode(DocumentContext dc, ReadBuffer buffer) {
    RecordFrame.Decoded decoded = decodeAnyFormat(dc, buffer);
    if (decoded instanceof RecordFrame.Valid valid && !valid.checked() && !legacyRecordsAllowed) {
      return new RecordFrame.Bad("has no checksum, but this journal has checked records from its first one on"
          + " (a damaged checksum tag?)", valid.entry());
    }
    return decoded;
  }

  /** Decodes the excerpt {@code dc} is on, with or without checksum. */
  private RecordFrame.Decoded decodeAnyFormat(DocumentContext dc, ReadBuffer buffer) {
    Bytes<?> bytes = dc.wire().bytes();
    long remaining = bytes.readRemaining();
    if (remaining > options.recordBytesMax()) {
      return new RecordFrame.Bad("is " + remaining + " bytes, over recordBytesMax " + options.recordBytesMax(), null);
    }
    int length = (int) remaining;
    if (buffer.bytes.length < length) {
      buffer.bytes = new byte[Math.max(length, buffer.bytes.length * 2)];
    }
    byte[] array = buffer.bytes;
    bytes.read(array, 0, length);
    return RecordFrame.decode(array, length);
  }

  /**
   * Decides whether excerpts without a checksum are read: only when the journal's first excerpt has
   * none, i.e. the journal was begun by a version before checksums (format 1). Its old records
   * stay readable (unchecked); every record appended now is checked.
   */
  private void probeFormat() {
    ReadBuffer buffer = new ReadBuffer();
    try (ExcerptTailer tailer = queue.createTailer(); DocumentContext dc = tailer.readingDocument()) {
      if (!dc.isPresent()) {
        return;
      }
      RecordFrame.Decoded first = decodeAnyFormat(dc, buffer);
      legacyRecordsAllowed = first instanceof RecordFrame.Valid valid && !valid.checked();
    }
    if (legacyRecordsAllowed) {
      LOG.warn("journal {} begins with records written without checksums (before journal format 2): those are read"
          + " unchecked; every record appended from now on carries a CRC32C", dir);
    }
  }

  /** A bad last excerpt found by the scan: a write torn by a crash or a full disk. */
  private record TornTail(long excerpt, RecordFrame.Bad bad) {}

  /**
   * Cuts the torn last excerpt the scan found, if any: appends a truncation marker that names it
   * ({@code torn_excerpt}) and voids nothing else. The record was being written when the process
   * died or the disk filled, after the last snapshot's sync, so the Raft log still holds it and the
   * caller's replay appends it again. (Should a snapshot have synced it anyway, the journal now ends
   * before that snapshot's journal index and the state machine marks a gap, as after a lost tail.)
   */
  private void cutTornTail() {
    TornTail torn = tornTail;
    if (torn == null) {
      return;
    }
    tornTail = null;
    long after;
    synchronized (lock) {
      after = last.logIndex();
    }
    JournalTruncation marker = JournalTruncation.newBuilder().setAfterLogIndex(after)
        .setTimestampMs(options.clockMs().getAsLong()).setTornExcerpt(torn.excerpt()).build();
    long excerpt = write(RecordFrame.checkedExcerpt(JournalEntry.newBuilder().setTruncation(marker).build()),
        () -> "the marker cutting the torn excerpt 0x" + Long.toHexString(torn.excerpt()));
    synchronized (lock) {
      voidBefore(excerpt, after, torn.excerpt());
    }
    LOG.warn("journal {}: cut its last excerpt, a write torn by a crash or a full disk ({}); the Raft log replay"
        + " appends that record again", dir, badExcerpt(torn.excerpt(), torn.bad(), null).getMessage());
  }

  /**
   * Rebuilds the index: from the newest usable index file and the excerpts after it, else from a
   * scan of every excerpt.
   */
  private void loadIndexAndScan() {
    try (ExcerptTailer tailer = queue.createTailer()) {
      if (loadNewestValidIndex(tailer)) {
        try {
          scan(tailer);
          // Cycle files deleted since the save (retention, or by hand): forget what they held.
          trimBefore(queue.firstIndex());
          return;
        } catch (JournalCorruptException e) {
          // Either the queue is corrupt (the full scan below fails the same way) or the index does
          // not describe this queue after all: never trust it over the queue.
          LOG.warn("journal {}: the records after the saved index do not follow it ({}); rebuilding by a full scan",
              dir, e.getMessage());
          resetIndex();
        }
      }
      tailer.toStart();
      excerptsScannedAtOpen = 0;
      scan(tailer);
    }
  }

  /**
   * Installs the newest index file that describes this queue, leaving {@code tailer} just after
   * the excerpt the file was saved at; false (nothing installed) when no file is usable.
   */
  private boolean loadNewestValidIndex(ExcerptTailer tailer) {
    List<Path> files;
    try {
      files = IndexFile.listNewestFirst(indexDir);
    } catch (IOException e) {
      LOG.warn("journal {}: cannot list index files ({}); scanning every record", indexDir, e.toString());
      return false;
    }
    for (Path file : files) {
      String problem;
      try {
        IndexImage image = IndexFile.read(file);
        problem = queueProblem(image, tailer);
        if (problem == null) {
          install(image);
          return true;
        }
      } catch (IndexFile.Invalid e) {
        problem = e.getMessage();
      } catch (IOException | RuntimeException e) {
        problem = e.toString();
        resetIndex();
      }
      LOG.warn("journal index file {} not used: {}; trying an older one, else scanning every record", file, problem);
    }
    return false;
  }

  /** Why {@code image} does not describe this queue, or null; on null the tailer is just past its last excerpt. */
  private String queueProblem(IndexImage image, ExcerptTailer tailer) {
    String rollCycle = queue.rollCycle().toString();
    if (!rollCycle.equals(image.rollCycle)) {
      return "saved for roll cycle " + image.rollCycle + ", the queue uses " + rollCycle;
    }
    if (!tailer.moveToIndex(image.throughExcerpt)) {
      return "its last excerpt 0x" + Long.toHexString(image.throughExcerpt)
          + " is not in the queue (cycle files deleted, or the index is newer than the queue)";
    }
    try (DocumentContext dc = tailer.readingDocument()) {
      if (!dc.isPresent() || dc.index() != image.throughExcerpt) {
        return "its last excerpt 0x" + Long.toHexString(image.throughExcerpt) + " is not readable in the queue";
      }
      if (excerptCrc(dc) != image.throughExcerptCrc) {
        return "the queue's excerpt 0x" + Long.toHexString(image.throughExcerpt)
            + " is not the one the index was saved at (another queue?)";
      }
    }
    return null;
  }

  private static long excerptCrc(DocumentContext dc) {
    Bytes<?> bytes = dc.wire().bytes();
    CRC32 crc = new CRC32();
    crc.update(bytes.toByteArray());
    return crc.getValue();
  }

  /**
   * Copies the index for {@link #saveIndex()}: the small parts by value, the per-ref excerpt
   * arrays by reference (see {@link RefIndex.Entries}). Null when nothing is indexed yet.
   */
  private IndexImage captureIndex() {
    IndexImage im = new IndexImage();
    synchronized (lock) {
      if (indexedExcerpt < 0) {
        return null;
      }
      im.rollCycle = queue.rollCycle().toString();
      im.throughExcerpt = indexedExcerpt;
      im.last = last;
      im.lastGapExcerpt = lastGapExcerpt;
      im.gapFloorLogIndex = gapFloorLogIndex;
      im.sinceCheckpoint = sinceCheckpoint;
      im.checkpoints = cpSize;
      im.cpLogIndex = Arrays.copyOf(cpLogIndex, cpSize);
      im.cpExcerpt = Arrays.copyOf(cpExcerpt, cpSize);
      im.markers = markers.size();
      im.markerExcerpt = new long[im.markers];
      im.markerAfterLogIndex = new long[im.markers];
      int m = 0;
      for (Map.Entry<Long, Long> e : markers.entrySet()) {
        im.markerExcerpt[m] = e.getKey();
        im.markerAfterLogIndex[m] = e.getValue();
        m++;
      }
      Map<RefIndex.Key, RefIndex.Entries> byRef = refs.entries();
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
    // Outside the lock: only the apply thread (this one) appends, so the excerpt cannot change.
    ExcerptTailer tailer = borrowTailer();
    try {
      if (!tailer.moveToIndex(im.throughExcerpt)) {
        throw corrupt(im.throughExcerpt, "the last indexed excerpt is missing");
      }
      try (DocumentContext dc = tailer.readingDocument()) {
        if (!dc.isPresent() || dc.index() != im.throughExcerpt) {
          throw corrupt(im.throughExcerpt, "the last indexed excerpt is not readable");
        }
        im.throughExcerptCrc = excerptCrc(dc);
      }
    } finally {
      returnTailer(tailer);
    }
    return im;
  }

  private void writePendingIndex() {
    IndexImage image = pendingIndex.getAndSet(null);
    if (image == null) {
      return;
    }
    try {
      IndexFile.write(indexDir, image);
    } catch (IOException | RuntimeException e) {
      // Not a durability path: the index file is a cache of the queue; without it open scans more.
      LOG.warn("journal {}: writing the index file failed; the next open will scan from an older one: {}",
          indexDir, e.toString());
    }
  }

  /** Replaces the in-memory index with {@code im}. */
  private void install(IndexImage im) {
    synchronized (lock) {
      resetIndex();
      for (int i = 0; i < im.refs; i++) {
        refs.put(im.keys[i], im.excerpts[i], im.sizes[i], im.firstVersions[i]);
      }
      cpLogIndex = im.cpLogIndex;
      cpExcerpt = im.cpExcerpt;
      cpSize = im.checkpoints;
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

  /** Back to the index of an empty journal. */
  private void resetIndex() {
    synchronized (lock) {
      refs.clear();
      cpLogIndex = new long[64];
      cpExcerpt = new long[64];
      cpSize = 0;
      sinceCheckpoint = 0;
      markers.clear();
      last = Position.EMPTY;
      lastGapExcerpt = -1;
      gapFloorLogIndex = 0;
      indexedExcerpt = -1;
      tornTail = null;
    }
  }

  /**
   * Indexes every excerpt from the tailer's position to the end. A bad excerpt is skipped if the
   * next one is the marker that cut it; if it is the last, it is left in {@link #tornTail} for
   * open to cut; otherwise it is corruption.
   */
  private void scan(ExcerptTailer tailer) {
    boolean checkedSeen = false;
    // Bounded by the number of excerpts in the retained files.
    for (;;) {
      long excerpt;
      RecordFrame.Decoded decoded;
      try (DocumentContext dc = tailer.readingDocument()) {
        if (!dc.isPresent()) {
          break;
        }
        excerpt = dc.index();
        decoded = decode(dc, readBuffer);
      }
      excerptsScannedAtOpen++;
      if (decoded instanceof RecordFrame.Valid valid && !valid.checked() && checkedSeen) {
        decoded = new RecordFrame.Bad("has no checksum but follows checked records (a damaged checksum tag?)",
            valid.entry());
      }
      if (decoded instanceof RecordFrame.Bad bad) {
        RecordFrame.Decoded next;
        long nextExcerpt;
        try (DocumentContext dc = tailer.readingDocument()) {
          if (!dc.isPresent()) {
            tornTail = new TornTail(excerpt, bad);
            break;
          }
          nextExcerpt = dc.index();
          next = decode(dc, readBuffer);
        }
        excerptsScannedAtOpen++;
        if (!(next instanceof RecordFrame.Valid cutter && cuts(cutter.entry(), excerpt))) {
          throw badExcerpt(excerpt, bad, null);
        }
        excerpt = nextExcerpt;
        decoded = next;
      }
      RecordFrame.Valid valid = (RecordFrame.Valid) decoded;
      checkedSeen |= valid.checked();
      JournalEntry entry = valid.entry();
      synchronized (lock) {
        if (entry.hasTruncation()) {
          long after = entry.getTruncation().getAfterLogIndex();
          if (after < gapFloorLogIndex) {
            throw corrupt(excerpt, "truncation after " + after + " voids the gap marked up to " + gapFloorLogIndex);
          }
          voidBefore(excerpt, after, entry.getTruncation().getTornExcerpt());
          continue;
        }
        if (entry.hasGap()) {
          JournalGap gap = entry.getGap();
          if (gap.getToLogIndex() <= last.logIndex() || gap.getAfterLogIndex() >= gap.getToLogIndex()) {
            throw corrupt(excerpt, "gap (" + gap.getAfterLogIndex() + ", " + gap.getToLogIndex()
                + "] does not follow log index " + last.logIndex());
          }
          applyGap(excerpt, gap.getToLogIndex());
          continue;
        }
        if (!entry.hasRecord()) {
          throw corrupt(excerpt, "JournalEntry of unknown kind (written by a newer version?)");
        }
        JournalRecord r = entry.getRecord();
        if (!followsLast(r)) {
          throw corrupt(excerpt, "record at " + r.getLogIndex() + "/" + r.getEntrySeq()
              + " does not follow " + last.logIndex() + "/" + last.entrySeq());
        }
        String problem = orderProblem(r);
        if (problem != null) {
          throw corrupt(excerpt, problem);
        }
        index(excerpt, r);
      }
    }
  }

  /** Why {@code r} may not follow the last record, or null. Caller holds the lock. */
  private String orderProblem(JournalRecord r) {
    Position last = this.last;
    if (r.getLogIndex() == last.logIndex() && r.getEntryEvents() != last.entryEvents()) {
      return "entry " + r.getLogIndex() + ": entry_events " + r.getEntryEvents() + " differs from " + last.entryEvents()
          + " in the same entry";
    }
    if (r.getLogIndex() != last.logIndex() && !last.entryComplete()) {
      return "entry " + r.getLogIndex() + " follows entry " + last.logIndex() + " which is incomplete ("
          + (last.entrySeq() + 1) + " of " + last.entryEvents() + " records)";
    }
    if (r.getLogIndex() == last.logIndex() && r.getEntrySeq() != last.entrySeq() + 1) {
      return "entry " + r.getLogIndex() + ": entry_seq " + r.getEntrySeq() + " after " + last.entrySeq() + " leaves a gap";
    }
    if (r.getLogIndex() != last.logIndex() && r.getEntrySeq() != 0) {
      return "entry " + r.getLogIndex() + " must start at entry_seq 0, got " + r.getEntrySeq();
    }
    if (r.getTerm() < last.term()) {
      return "entry " + r.getLogIndex() + ": term " + r.getTerm() + " is below the previous term " + last.term();
    }
    checkedKey = RefIndex.Key.of(r.getRef());
    RefIndex.Entries e = refs.get(checkedKey);
    checkedEntries = e;
    if (e == null || r.getVersion() == e.lastVersion() + 1) {
      return null;
    }
    // After a snapshot installation the ref's versions in the gap are missing here: a jump forward
    // is how the journal learns the ref's version, once, at its first record after the marker.
    if (e.lastExcerpt() < lastGapExcerpt && r.getVersion() > e.lastVersion()) {
      return null;
    }
    return "entry " + r.getLogIndex() + ": " + r.getRef().getType() + "/" + r.getRef().getId() + " version "
        + r.getVersion() + ", expected " + (e.lastVersion() + 1)
        + (e.lastExcerpt() < lastGapExcerpt ? " or above (after a gap)" : "");
  }

  /** Whether {@code r} lies after the last position, i.e. is not already journaled. Caller holds the lock. */
  private boolean followsLast(JournalRecord r) {
    if (last.gap()) {
      return r.getLogIndex() > last.logIndex(); // every record of the gap's range counts as journaled
    }
    return after(r.getLogIndex(), r.getEntrySeq(), last.logIndex(), last.entrySeq());
  }

  /** Makes the gap marker at {@code excerpt} the last position. Caller holds the lock. */
  private void applyGap(long excerpt, long toLogIndex) {
    last = Position.gap(toLogIndex, excerpt);
    lastGapExcerpt = excerpt;
    gapFloorLogIndex = toLogIndex;
    indexedExcerpt = excerpt;
  }

  private static void checkComplete(JournalRecord r) {
    if (!r.hasRef() || r.getRef().getType().isEmpty() || r.getRef().getId().isEmpty()) {
      throw new IllegalArgumentException("journal record without a ref (type and id): " + r);
    }
    if (r.getVersion() < 1 || r.getLogIndex() < 1) {
      throw new IllegalArgumentException("journal record needs version >= 1 and log_index >= 1, got v"
          + r.getVersion() + " at " + r.getLogIndex());
    }
    if (r.getEntryEvents() < 1 || r.getEntrySeq() >= r.getEntryEvents()) {
      throw new IllegalArgumentException("journal record needs 0 <= entry_seq < entry_events, got entry_seq "
          + r.getEntrySeq() + " of " + r.getEntryEvents() + " at " + r.getLogIndex());
    }
    if (!r.hasEvent() || r.getEvent().getType().isEmpty()) {
      throw new IllegalArgumentException("journal record of " + r.getRef() + " v" + r.getVersion() + " has no event type");
    }
  }

  private static boolean after(long index, int seq, long lastIndex, int lastSeq) {
    return index > lastIndex || (index == lastIndex && seq > lastSeq);
  }

  /**
   * Encodes the checked excerpt of {@code JournalEntry{record}} into {@link #appendBuffer} and
   * returns its length: the 5-byte checksum field ({@link RecordFrame}), then byte for byte what
   * {@code JournalEntry.newBuilder().setRecord(record).build().toByteArray()} gives (field 1,
   * length-delimited), without building the wrapper message or a new array per record: this is the
   * apply path, once per event.
   */
  private int encodeEntry(JournalRecord record) {
    int size = record.getSerializedSize();
    int entryBytes = 1 + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    int length = RecordFrame.HEADER_BYTES + entryBytes;
    if (appendBuffer.length < length) {
      appendBuffer = new byte[Math.max(length, appendBuffer.length * 2)];
    }
    CodedOutputStream out = CodedOutputStream.newInstance(appendBuffer, RecordFrame.HEADER_BYTES, entryBytes);
    try {
      out.writeMessage(JournalEntry.RECORD_FIELD_NUMBER, record);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("encoding a journal record of " + size + " bytes failed", e);
    }
    return RecordFrame.seal(appendBuffer, entryBytes);
  }

  private long write(byte[] bytes, Supplier<String> what) {
    return write(bytes, bytes.length, what);
  }

  /**
   * Writes one excerpt. A failure inside the excerpt rolls it back, so that no partial record is
   * left (Chronicle would otherwise mark the half-written excerpt complete when the context
   * closes: that was the "not a JournalEntry" after a full tmpfs), and is reported as a {@link
   * JournalWriteException}; from then on no write is tried. OutOfMemoryError and StackOverflowError
   * are rethrown as they are (after the rollback), for the JVM's own handling.
   */
  private long write(byte[] bytes, int length, Supplier<String> what) {
    Throwable earlier = writeFailure;
    if (earlier != null) {
      throw new JournalWriteException("journal " + dir + ": not writing " + what.get() + ": an earlier write failed ("
          + earlier + "); this journal takes no more writes, reopen it (restart the node)", earlier);
    }
    try {
      DocumentContext dc = appender.writingDocument();
      try {
        dc.wire().bytes().write(bytes, 0, length);
      } catch (Throwable t) {
        dc.rollbackOnClose();
        throw t;
      } finally {
        dc.close();
      }
    } catch (RuntimeException | Error e) {
      writeFailure = e;
      if (e instanceof VirtualMachineError && !(e instanceof InternalError)) {
        throw e;
      }
      throw new JournalWriteException("journal " + writingFileDescription() + ": writing " + what.get()
          + " failed (" + e + "); " + freeSpace() + "; nothing of it is in the journal, and this journal takes no more"
          + " writes: stop the node, free space or fix the disk, and restart it (replay refills the record)", e);
    }
    long excerpt = appender.lastIndexAppended();
    int cycle = queue.rollCycle().toCycle(excerpt);
    if (cycle != lastWrittenCycle && !unsynced.containsKey(cycle)) {
      File file = appender.currentFile();
      unsynced.put(cycle, file != null ? file : dir.resolve(cycleFileName(cycle)).toFile());
    }
    lastWrittenCycle = cycle;
    return excerpt;
  }

  /** Caller holds the lock. */
  private void index(long excerpt, JournalRecord r) {
    // orderProblem(r) looked the ref up under the same lock hold or, for append, on the same (only
    // appending) thread with nothing changing the index in between.
    refs.add(checkedKey, checkedEntries, r.getVersion(), excerpt);
    checkedKey = null;
    checkedEntries = null;
    last = Position.of(r, excerpt);
    indexedExcerpt = excerpt;
    if (sinceCheckpoint++ % CHECKPOINT_EVERY == 0) {
      if (cpSize == cpLogIndex.length) {
        cpLogIndex = Arrays.copyOf(cpLogIndex, cpSize * 2);
        cpExcerpt = Arrays.copyOf(cpExcerpt, cpSize * 2);
      }
      cpLogIndex[cpSize] = r.getLogIndex();
      cpExcerpt[cpSize] = excerpt;
      cpSize++;
    }
  }

  /**
   * Applies the marker at {@code markerExcerpt}: walks backward from it, removing from the index
   * every record with log index above {@code afterLogIndex} that an earlier marker had not already
   * voided, and stops at the first valid record at or below it, which becomes the last record, or
   * at a gap marker, which becomes the last position (a truncation never goes below a gap's
   * to_log_index, checked by the callers). A bad excerpt on the way is skipped only if this marker
   * or one passed cuts it as a torn tail ({@code tornExcerpt}, 0 for none). Bounded by the number
   * of excerpts before the marker. Caller holds the lock.
   */
  private void voidBefore(long markerExcerpt, long afterLogIndex, long tornExcerpt) {
    markers.put(markerExcerpt, afterLogIndex);
    long earlierMarkersMin = Long.MAX_VALUE; // records above this were voided by a marker we passed
    Position newLast = Position.EMPTY; // a gap marker met going back, or the last valid record
    Set<Long> cut = new HashSet<>(); // torn excerpts cut by this marker and the ones passed
    if (tornExcerpt != 0) {
      cut.add(tornExcerpt);
    }
    ReadBuffer buffer = new ReadBuffer();
    try (ExcerptTailer tailer = queue.createTailer()) {
      tailer.direction(TailerDirection.BACKWARD);
      if (!tailer.moveToIndex(markerExcerpt)) {
        throw corrupt(markerExcerpt, "truncation marker not found");
      }
      for (;;) {
        JournalEntry entry;
        long excerpt;
        try (DocumentContext dc = tailer.readingDocument()) {
          if (!dc.isPresent()) {
            break;
          }
          excerpt = dc.index();
          if (excerpt >= markerExcerpt) {
            continue;
          }
          RecordFrame.Decoded decoded = decode(dc, buffer);
          if (decoded instanceof RecordFrame.Bad bad) {
            if (cut.contains(excerpt)) {
              continue;
            }
            throw badExcerpt(excerpt, bad, null);
          }
          entry = ((RecordFrame.Valid) decoded).entry();
        }
        if (entry.hasTruncation()) {
          earlierMarkersMin = Math.min(earlierMarkersMin, entry.getTruncation().getAfterLogIndex());
          if (entry.getTruncation().getTornExcerpt() != 0) {
            cut.add(entry.getTruncation().getTornExcerpt());
          }
          continue;
        }
        if (entry.hasGap()) {
          newLast = Position.gap(entry.getGap().getToLogIndex(), excerpt);
          break;
        }
        JournalRecord r = entry.getRecord();
        if (r.getLogIndex() > earlierMarkersMin) {
          continue;
        }
        if (r.getLogIndex() > afterLogIndex) {
          refs.removeLast(r.getRef(), excerpt);
          continue;
        }
        newLast = Position.of(r, excerpt);
        break;
      }
    }
    if (newLast.gap()) {
      applyGap(newLast.excerpt(), newLast.logIndex());
    } else {
      last = newLast;
    }
    indexedExcerpt = markerExcerpt;
    while (cpSize > 0 && cpExcerpt[cpSize - 1] > newLast.excerpt()) {
      cpSize--;
    }
  }

  private static boolean isVoid(TreeMap<Long, Long> markers, long excerpt, long logIndex) {
    for (Map.Entry<Long, Long> m : markers.tailMap(excerpt, false).entrySet()) {
      if (logIndex > m.getValue()) {
        return true;
      }
    }
    return false;
  }

  private void maybeRetain() {
    if (options.retainedCyclesMax() == JournalOptions.RETAIN_FOREVER) {
      return;
    }
    int cycle = appender.cycle();
    synchronized (lock) {
      if (cycle == appendCycle) {
        return;
      }
      appendCycle = cycle;
    }
    try {
      applyRetention(false);
    } catch (IOException e) {
      throw new UncheckedIOException("journal " + dir + ": retention failed", e);
    }
  }

  /**
   * What {@link #compact()} did.
   *
   * @param deletedFiles the cycle files deleted, by name, oldest first
   * @param deletedBytes their size
   * @param keptFiles cycle files left
   */
  public record Compaction(List<String> deletedFiles, long deletedBytes, int keptFiles) {
    public Compaction {
      deletedFiles = List.copyOf(deletedFiles);
    }
  }

  /**
   * Applies retention now, from any thread: deletes the cycle files beyond the
   * {@code retainedCyclesMax} newest (as a roll does), and also the files of cycles that ended
   * {@code retainedCyclesMax} or more cycles before the current one by the journal's clock. Those
   * are what a roll would have removed had the node written anything lately; without this, an
   * idle node keeps them until its next write in a new cycle. The newest file (the one being
   * written, which holds the journal's last position) is never deleted. With {@link
   * JournalOptions#RETAIN_FOREVER} nothing is deleted.
   */
  public Compaction compact() throws IOException {
    checkOpen();
    return applyRetention(true);
  }

  /**
   * Deletes the oldest cycle files beyond {@code retainedCyclesMax} (and, {@code byClock}, those
   * older than the retained cycles by the clock) and drops them from the index. One pass at a time:
   * the writer's roll and an operator's compaction may run together. Null when retention keeps
   * everything and {@code byClock} is false (the writer's path: nothing to list).
   */
  private Compaction applyRetention(boolean byClock) throws IOException {
    int keep = options.retainedCyclesMax();
    if (keep == JournalOptions.RETAIN_FOREVER && !byClock) {
      return null;
    }
    synchronized (retentionLock) {
      List<Path> files = new ArrayList<>();
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.cq4")) {
        for (Path p : stream) {
          files.add(p);
        }
      }
      // Cycle file names are fixed-width UTC timestamps: name order is time order.
      files.sort(null);
      if (keep == JournalOptions.RETAIN_FOREVER) {
        return new Compaction(List.of(), 0, files.size());
      }
      int deleteCount = Math.max(0, files.size() - keep);
      if (byClock) {
        String oldestKept = cycleFileName(queue.cycle() - keep + 1);
        while (deleteCount < files.size() && files.get(deleteCount).getFileName().toString().compareTo(oldestKept) < 0) {
          deleteCount++;
        }
      }
      // Never the newest file, nor the one the writer appends to (they differ only if the clock went back).
      deleteCount = Math.min(deleteCount, files.size() - 1);
      String writing = writingFileName();
      List<String> deleted = new ArrayList<>();
      long bytes = 0;
      for (Path p : files.subList(0, Math.max(0, deleteCount))) {
        String name = p.getFileName().toString();
        if (name.equals(writing)) {
          continue;
        }
        long size = Files.size(p);
        // Retention drops what the file holds: nothing of it is left to sync. Never the file of
        // the writer's last cycle (excluded above), so an append cannot register it again.
        unsynced.entrySet().removeIf(e -> e.getValue().getName().equals(name));
        if (Files.deleteIfExists(p)) {
          deleted.add(name);
          bytes += size;
        }
      }
      if (deleteCount > 0) {
        queue.refreshDirectoryListing();
        trimBefore(queue.firstIndex());
      }
      return new Compaction(deleted, bytes, files.size() - deleted.size());
    }
  }

  /** The file the writer appends to, for messages. */
  private String writingFileDescription() {
    try {
      File file = appender.currentFile();
      return (file != null ? file.toPath() : dir.resolve(cycleFileName(queue.cycle()))).toString();
    } catch (RuntimeException e) {
      return dir.toString();
    }
  }

  /** "N bytes free on its file system", or why that is unknown, for messages. */
  private String freeSpace() {
    try {
      return Files.getFileStore(dir).getUsableSpace() + " bytes free on its file system";
    } catch (IOException | RuntimeException e) {
      return "free space unknown (" + e + ")";
    }
  }

  /** The file of the cycle this process last appended to (since open), or null. */
  private String writingFileName() {
    int cycle;
    synchronized (lock) {
      cycle = appendCycle;
    }
    return cycle == Integer.MIN_VALUE ? null : cycleFileName(cycle);
  }

  /**
   * Forgets everything the index holds below excerpt {@code first} (in cycle files that are gone),
   * so that the index equals what a full scan of the remaining files builds.
   */
  private void trimBefore(long first) {
    synchronized (lock) {
      refs.dropBefore(first);
      int drop = 0;
      while (drop < cpSize && cpExcerpt[drop] < first) {
        drop++;
      }
      System.arraycopy(cpLogIndex, drop, cpLogIndex, 0, cpSize - drop);
      System.arraycopy(cpExcerpt, drop, cpExcerpt, 0, cpSize - drop);
      cpSize -= drop;
      markers.headMap(first).clear();
      if (lastGapExcerpt >= 0 && lastGapExcerpt < first && !last.gap()) {
        // A scan would not see the gap marker any more; every record before it is gone as well.
        lastGapExcerpt = -1;
        gapFloorLogIndex = 0;
      }
    }
  }

  private static void force(Path file) {
    try {
      Fsync.file(file);
    } catch (IOException e) {
      throw new UncheckedIOException("journal: fsync of " + file + " failed", e);
    }
  }

  private static void forceDirectory(Path dir) {
    try {
      Fsync.directory(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("journal: fsync of directory " + dir + " failed", e);
    }
  }

  private static String describe(JournalEntry entry) {
    if (entry.hasTruncation()) {
      return "truncation after " + entry.getTruncation().getAfterLogIndex();
    }
    if (entry.hasGap()) {
      return "gap to " + entry.getGap().getToLogIndex();
    }
    JournalRecord r = entry.getRecord();
    return r.getRef().getType() + "/" + r.getRef().getId() + " v" + r.getVersion() + " at " + r.getLogIndex();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("journal " + dir + " is closed");
    }
  }

  private static RollCycle chronicleCycle(JournalOptions.RollCycle cycle) {
    switch (cycle) {
      case FIVE_MINUTELY:
        return RollCycles.FIVE_MINUTELY;
      case HOURLY:
        return RollCycles.FAST_HOURLY;
      case DAILY:
        return RollCycles.FAST_DAILY;
      default:
        throw new IllegalArgumentException("unknown roll cycle " + cycle);
    }
  }
}
