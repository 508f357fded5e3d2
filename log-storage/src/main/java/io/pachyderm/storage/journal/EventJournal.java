package io.pachyderm.storage.journal;

import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Ref;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

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
 * appended after the save (JOURNAL.md has the figures). With {@link JournalOptions.IndexKind#DISK}
 * the per-ref index is in RocksDB, written as records are appended: the heap holds a bounded cache,
 * {@code saveIndex} flushes the rows since the last save, and open parses only the records after
 * the index's last persisted change (JOURNAL.md, "Ref index on disk").
 *
 * <p>Threads: {@link #append}, {@link #truncateAfter}, {@link #markGap}, {@link #flush}, {@link
 * #sync}, {@link #saveIndex} and {@link #close} from one thread at a time (the apply thread);
 * {@link #lastIndex}, {@link #versions}, {@link #history} and {@link #readFrom} from any thread.
 *
 * <p>Durability: appends go to memory-mapped files, so they survive a process crash (kill -9) but
 * not a machine crash until {@link #sync()} returns. The Raft log must therefore be kept behind
 * the last synced position, and after a crash the caller replays entries from its snapshot and
 * calls {@link #append} for each record (already-journaled ones are skipped).
 *
 * <p>Inside, this class is a facade that checks the journal is open and delegates, each part
 * package-private with its threading rules in its own comment: {@link JournalQueue} (the
 * Chronicle queue, decoding and checking excerpts, naming bad ones), {@link JournalWriter}
 * (append, markers, fsync bookkeeping), {@link JournalIndex} (the in-memory index and the order
 * rules of {@link RecordOrder}), {@link JournalIndexFiles} (the index file, saved in the
 * background), {@link JournalRecovery} (open's scan, checks and torn-tail cut), {@link
 * JournalRetention} (deleting old cycle files) and {@link JournalReader} (history, tailers).
 */
public final class EventJournal implements AutoCloseable {
  private final JournalQueue queue;
  private final JournalIndex index;
  private final JournalReader reader;
  private final JournalWriter writer;
  private final JournalIndexFiles indexFiles;
  private final JournalRetention retention;
  private long excerptsScannedAtOpen; // set by open, before the journal is handed out
  private volatile boolean closed;

  private EventJournal(Path dir, JournalOptions options, RefRuns refs) {
    this.queue = new JournalQueue(dir, options);
    this.index = new JournalIndex(queue, refs);
    this.reader = new JournalReader(queue, index);
    this.writer = new JournalWriter(queue, index, options);
    this.indexFiles = new JournalIndexFiles(queue, index, reader);
    this.retention = new JournalRetention(queue, index, writer, options);
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
    RefRuns refs = options.indexKind() == JournalOptions.IndexKind.DISK
        ? DiskRefIndex.open(dir.resolve(DiskRefIndex.DIRECTORY), options.refCacheBytesMax())
        : new RefIndex();
    EventJournal journal;
    try {
      journal = new EventJournal(dir, options, refs);
    } catch (RuntimeException e) {
      refs.close();
      throw e;
    }
    try {
      JournalRecovery recovery = new JournalRecovery(journal.queue, journal.index, journal.indexFiles,
          journal.writer, options);
      recovery.run();
      journal.excerptsScannedAtOpen = recovery.excerptsScanned();
      journal.retention.apply(false);
    } catch (RuntimeException | IOException e) {
      journal.close();
      throw e;
    }
    return journal;
  }

  public Path directory() {
    return queue.dir();
  }

  /** The highest Raft log index journaled (valid records only), 0 when the journal is empty. */
  public long lastIndex() {
    return index.last().logIndex();
  }

  /**
   * The highest Raft log index whose every record is journaled, 0 when none: {@link #lastIndex()}
   * unless the last entry was only partly journaled (a crash between its events). Replaying the
   * Raft log from {@code lastCompleteIndex() + 1} (or from anywhere earlier) neither loses nor
   * duplicates a record.
   */
  public long lastCompleteIndex() {
    return index.last().completeIndex();
  }

  /**
   * The entry_seq of the last valid record, -1 when the journal is empty or ends with a gap marker
   * ({@link #markGap}).
   */
  public int lastEntrySeq() {
    return index.last().entrySeq();
  }

  /**
   * Valid records currently indexed (retained, not truncated, and not left behind by a version jump
   * after a gap).
   */
  public long records() {
    return index.records();
  }

  /** Encoded bytes of the records appended since this journal was opened (skipped replays not counted). */
  public long bytesAppended() {
    return writer.bytesAppended();
  }

  /** Distinct refs with at least one retained record. */
  public int refs() {
    return index.refs();
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
    if (!writer.append(record)) {
      return false;
    }
    retention.afterAppend();
    return true;
  }

  /**
   * Appends the records of one log entry, in order, as {@link #append} does each (replays skipped),
   * and commits their index rows once: the disk kind of index then writes one RocksDB batch per
   * entry, not one per record (a hot entity's 256 records in one entry cost one 't' row). Stops at
   * the first record that throws; the records before it stay appended and indexed. Appending
   * thread only.
   *
   * @return how many records were appended (the others were skipped as already journaled)
   * @throws JournalWriteException as {@link #append}
   * @throws IllegalArgumentException as {@link #append}
   */
  public int appendEntry(List<JournalRecord> records) {
    checkOpen();
    int appended = 0;
    RuntimeException failed = null;
    try {
      for (JournalRecord r : records) {
        if (writer.append(r, true)) {
          appended++;
        }
      }
    } catch (RuntimeException e) {
      failed = e;
      throw e;
    } finally {
      try {
        index.commitDeferred();
      } catch (RuntimeException e) {
        if (failed == null) {
          throw e;
        }
        failed.addSuppressed(e); // the record's failure is the one to report
      }
    }
    // After the commit, outside the index's lock: retention takes its pass lock before the index's.
    if (appended > 0) {
      retention.afterAppend();
    }
    return appended;
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
    return writer.truncateAfter(logIndex);
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
    return writer.markGap(toLogIndex);
  }

  /**
   * The versions of {@code ref} this node can serve from {@link #history}, or null when it has no
   * indexed record. Any thread.
   */
  public VersionRange versions(Ref ref) {
    return index.versions(ref);
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
    return reader.history(ref, fromVersion, limit);
  }

  /**
   * A tailer over every valid record with log index {@code >= logIndex}, in journal order, that
   * keeps returning records as they are appended. The caller closes it; use it from one thread.
   */
  public JournalTailer readFrom(long logIndex) {
    checkOpen();
    return reader.readFrom(logIndex);
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
    writer.sync();
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
   *
   * <p>With {@link JournalOptions.IndexKind#DISK} there is no capture: the caller pays a flush of
   * the ref index's rows written since the last save (time proportional to them, not to the number
   * of refs) and one excerpt read, on its own thread.
   */
  public void saveIndex() {
    checkOpen();
    indexFiles.save();
  }

  /** Excerpts parsed by open: all of them after a full scan, the tail only after loading an index. */
  long excerptsScannedAtOpen() {
    return excerptsScannedAtOpen;
  }

  /** Estimated heap bytes the index retains (its own accounting). For tests and measurements. */
  long indexHeapBytes() {
    return index.heapBytesEstimate();
  }

  /** The disk ref index, null for the heap kind. For tests and measurements. */
  DiskRefIndex diskRefIndex() {
    return index.onDisk() ? index.diskRefs() : null;
  }

  /** Waits until every index saved so far is on disk (or failed). For tests and measurements. */
  void awaitIndexWritten() {
    indexFiles.awaitWritten();
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
    return retention.compact();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    indexFiles.close();
    reader.close();
    writer.close();
    index.close();
    queue.close();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("journal " + queue.dir() + " is closed");
    }
  }
}
