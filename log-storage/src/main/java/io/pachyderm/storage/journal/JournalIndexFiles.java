package io.pachyderm.storage.journal;

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
