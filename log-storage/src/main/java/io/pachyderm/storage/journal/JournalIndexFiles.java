package io.pachyderm.storage.journal;

import io.pachyderm.protocol.JournalEntry;
import io.pachyderm.protocol.JournalRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index's persistence: {@link #save()} captures the {@link JournalIndex} and writes it as an
 * {@link IndexFile} on a background thread; {@link #loadNewest} installs, at open, the newest file
 * that describes this queue. The file is a cache of the queue, never the truth: a file that
 * cannot be used, or a write that fails, is a WARN and costs only open time (a longer scan).
 *
 * <p>Threads: {@link #save()}, {@link #awaitWritten()} and {@link #close()} from the appending
 * thread (one at a time; {@link #writer} is created lazily there and not shared otherwise);
 * {@link #loadNewest} from open's thread before the journal is handed out. The writer thread takes
 * images only through {@link #pending}: at most one waits, a newer capture replaces it.
 */
final class JournalIndexFiles {
  /** How long close() waits for an index file being written (measured ~1 s at 10M records). */
  static final long INDEX_WRITE_WAIT_MS_MAX = 60_000;

  private static final Logger LOG = LoggerFactory.getLogger(EventJournal.class); // see JournalQueue

  private final JournalQueue queue;
  private final JournalIndex index;
  private final JournalReader reader;
  private final Path indexDir;
  /** The newest captured index not yet taken by the writer: at most one waits, older ones are dropped. */
  private final AtomicReference<IndexImage> pending = new AtomicReference<>();
  private ExecutorService writer; // created by the first save; appending thread only

  JournalIndexFiles(JournalQueue queue, JournalIndex index, JournalReader reader) {
    this.queue = queue;
    this.index = index;
    this.reader = reader;
    this.indexDir = queue.dir().resolve(IndexFile.DIRECTORY);
  }

  /**
   * See {@link EventJournal#saveIndex()}. The caller pays the capture under the index's lock and
   * one excerpt read; the file is written, fsynced and renamed on the writer thread.
   */
  void save() {
    if (index.onDisk()) {
      // The disk ref index wrote every change as it happened: saving is making them durable, with
      // the CRC of the excerpt it ends at (as an index file records it). Only this (the appending)
      // thread appends, so that excerpt cannot change under the read.
      index.commitAllDeferred();
      long through = index.indexedExcerpt();
      if (through >= 0) {
        index.diskRefs().save(new DiskRefIndex.SavePoint(through, reader.excerptCrc(through)));
      }
      return;
    }
    IndexImage image = index.capture();
    if (image == null) {
      return;
    }
    // Outside the index's lock: only this (the appending) thread appends, so the excerpt the
    // image ends at cannot change under the read.
    image.throughExcerptCrc = reader.excerptCrc(image.throughExcerpt);
    if (writer == null) {
      writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "journal-index-writer");
        t.setDaemon(true);
        return t;
      });
    }
    if (pending.getAndSet(image) == null) {
      writer.execute(this::writePending);
    }
  }

  /** Waits until every index saved so far is on disk (or failed). For tests and measurements. */
  void awaitWritten() {
    if (writer == null) {
      return;
    }
    try {
      writer.submit(() -> { }).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Finishes a save requested before close, so that the next open can use it (waits a bounded time). */
  void close() {
    if (index.onDisk()) {
      try {
        save();
      } catch (RuntimeException e) {
        // Not a durability path: without this save the next open re-indexes more of the journal.
        LOG.warn("journal {}: saving the ref index at close failed ({}); the next open re-indexes more", queue.dir(),
            e.toString());
      }
      return;
    }
    if (writer == null) {
      return;
    }
    writer.shutdown();
    try {
      if (!writer.awaitTermination(INDEX_WRITE_WAIT_MS_MAX, TimeUnit.MILLISECONDS)) {
        LOG.warn("journal {}: index writer still busy after {} ms at close; the next open may scan more", queue.dir(),
            INDEX_WRITE_WAIT_MS_MAX);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Installs the newest index file that describes this queue, leaving {@code tailer} just after
   * the excerpt the file was saved at; false (the index reset, nothing installed) when no file is
   * usable.
   */
  boolean loadNewest(ExcerptTailer tailer) {
    if (index.onDisk()) {
      return loadDisk(tailer);
    }
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
          index.install(image);
          return true;
        }
      } catch (IndexFile.Invalid e) {
        problem = e.getMessage();
      } catch (IOException | RuntimeException e) {
        problem = e.toString();
        index.reset();
      }
      LOG.warn("journal index file {} not used: {}; trying an older one, else scanning every record", file, problem);
    }
    return false;
  }

  /**
   * Installs the state the disk ref index held at its last change, leaving {@code tailer} just after
   * the excerpt it ends at; false (the index cleared) when it holds nothing or does not describe this
   * queue: the caller then rebuilds it by a full scan (a new index, a migration from an index file,
   * a damaged or foreign one).
   */
  private boolean loadDisk(ExcerptTailer tailer) {
    Path dir = index.diskRefs().directory();
    String problem;
    try {
      DiskRefIndex.Saved saved = index.diskRefs().loadSaved();
      if (saved == null || saved.end().indexedExcerpt() < 0) {
        index.reset();
        LOG.info("journal ref index {} holds nothing yet: building it by a full scan of the journal", dir);
        return false;
      }
      index.installSaved(saved);
      problem = savePointProblem(saved.savePoint(), tailer);
      if (problem == null) {
        problem = savedProblem(saved.end(), tailer);
      }
      if (problem == null) {
        return true;
      }
    } catch (RuntimeException e) {
      problem = e.toString();
    }
    LOG.warn("journal ref index {} not used: {}; rebuilding it by a full scan of the journal", dir, problem);
    index.reset();
    return false;
  }

  /**
   * Why the excerpt of the index's last save, while still in the queue, is not the one the index was
   * saved at (another queue with the same positions), or null.
   */
  private String savePointProblem(DiskRefIndex.SavePoint savePoint, ExcerptTailer tailer) {
    if (savePoint == null || !tailer.moveToIndex(savePoint.excerpt())) {
      return null; // never saved, or that excerpt's file is gone (retention): the end's check remains
    }
    try (DocumentContext dc = tailer.readingDocument()) {
      if (dc.isPresent() && dc.index() == savePoint.excerpt() && JournalQueue.excerptCrc(dc) != savePoint.crc()) {
        return "the queue's excerpt 0x" + Long.toHexString(savePoint.excerpt())
            + " is not the one the index was saved at (another queue?)";
      }
    }
    return null;
  }

  /**
   * Why the disk index's saved end does not describe this queue, or null; on null the tailer is just
   * past that excerpt. The excerpt must hold what the index says it indexed last: the record the
   * journal ends at, the gap marker, or a truncation marker it holds.
   */
  private String savedProblem(RefRuns.IndexEnd end, ExcerptTailer tailer) {
    long excerpt = end.indexedExcerpt();
    String at = "its last indexed excerpt 0x" + Long.toHexString(excerpt);
    if (!tailer.moveToIndex(excerpt)) {
      return at + " is not in the queue (cycle files deleted, or the index is newer than the queue)";
    }
    JournalEntry entry;
    try (DocumentContext dc = tailer.readingDocument()) {
      if (!dc.isPresent() || dc.index() != excerpt) {
        return at + " is not readable in the queue";
      }
      if (!(queue.decode(dc, new JournalQueue.ReadBuffer()) instanceof RecordFrame.Valid valid)) {
        return at + " fails its check in the queue";
      }
      entry = valid.entry();
    }
    Position last = end.last();
    boolean same;
    if (entry.hasRecord()) {
      JournalRecord r = entry.getRecord();
      same = !last.gap() && last.excerpt() == excerpt && r.getLogIndex() == last.logIndex()
          && r.getEntrySeq() == last.entrySeq() && r.getTerm() == last.term();
    } else if (entry.hasGap()) {
      same = last.gap() && last.excerpt() == excerpt && entry.getGap().getToLogIndex() == last.logIndex();
    } else if (entry.hasTruncation()) {
      Long after = index.markerAt(excerpt);
      same = after != null && after == entry.getTruncation().getAfterLogIndex();
    } else {
      same = false;
    }
    return same ? null : at + " holds " + JournalQueue.describe(entry) + ", not what the index ends at (another queue?)";
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
      if (JournalQueue.excerptCrc(dc) != image.throughExcerptCrc) {
        return "the queue's excerpt 0x" + Long.toHexString(image.throughExcerpt)
            + " is not the one the index was saved at (another queue?)";
      }
    }
    return null;
  }

  private void writePending() {
    IndexImage image = pending.getAndSet(null);
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
}
