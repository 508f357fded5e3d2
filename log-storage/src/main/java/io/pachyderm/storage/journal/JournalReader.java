package io.pachyderm.storage.journal;

import io.pachyderm.protocol.JournalEntry;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Ref;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The journal's reads: {@link #history} by version range through a pool of tailers, {@link
 * #readFrom} tailers, and the checked read of one excerpt that both (and {@link JournalTailer})
 * use: a record that fails its CRC32C, or is not the record the index expects there, is a {@link
 * JournalCorruptException} and is never returned.
 *
 * <p>Threads: every method from any thread. The pool {@link #idleTailers} and {@link #closed} are
 * guarded by the pool's own monitor; a borrowed tailer belongs to one thread until returned. The
 * index is read through {@link JournalIndex}, which locks for itself; the queue is read without a
 * lock (Chronicle's tailers read what the one appender completed).
 */
final class JournalReader {
  /** Idle tailers kept for {@link #history}: creating one costs ~150 us, reusing one ~nothing. */
  static final int POOLED_TAILERS_MAX = 8;

  private final JournalQueue queue;
  private final JournalIndex index;
  private final ArrayDeque<ExcerptTailer> idleTailers = new ArrayDeque<>(); // guarded by itself
  private boolean closed; // guarded by idleTailers

  JournalReader(JournalQueue queue, JournalIndex index) {
    this.queue = queue;
    this.index = index;
  }

  Path directory() {
    return queue.dir();
  }

  /** See {@link EventJournal#history}. */
  List<JournalRecord> history(Ref ref, long fromVersion, int limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be > 0, got " + limit);
    }
    JournalIndex.Run run = index.run(ref, fromVersion, limit);
    if (run == null || run.size() == 0) {
      return List.of();
    }
    long firstVersion = run.firstVersion();
    List<JournalRecord> out = new ArrayList<>(run.size());
    JournalQueue.ReadBuffer buffer = new JournalQueue.ReadBuffer();
    ExcerptTailer tailer = borrowTailer();
    try {
      for (int i = 0; i < run.size(); i++) {
        long excerpt = run.excerpts()[i];
        if (!tailer.moveToIndex(excerpt)) {
          throw queue.corrupt(excerpt, "indexed excerpt of " + ref + " is missing (deleted by retention while reading?)");
        }
        long expectedVersion = firstVersion + i;
        JournalEntry entry = readNext(tailer, buffer, excerpt, ref, expectedVersion);
        JournalRecord r = entry.getRecord();
        if (!entry.hasRecord() || !r.getRef().equals(ref) || r.getVersion() != expectedVersion) {
          throw queue.corrupt(excerpt, "expected " + ref + " v" + expectedVersion + ", found "
              + JournalQueue.describe(entry));
        }
        if (JournalIndex.isVoid(run.markers(), excerpt, r.getLogIndex())) {
          break; // truncated while we read: the rest is void too
        }
        out.add(r);
      }
    } finally {
      returnTailer(tailer);
    }
    return out;
  }

  /** See {@link EventJournal#readFrom}. */
  JournalTailer readFrom(long logIndex) {
    long startExcerpt = index.checkpointBefore(logIndex);
    ExcerptTailer tailer = queue.createTailer();
    tailer.singleThreadedCheckDisabled(true);
    if (startExcerpt < 0 || !tailer.moveToIndex(startExcerpt)) {
      tailer.toStart();
    }
    return new JournalTailer(this, tailer, logIndex);
  }

  /**
   * CRC32 of the bytes of {@code excerpt}, which must be present (an index file records it to
   * recognise its queue).
   *
   * @throws JournalCorruptException if the excerpt is missing or unreadable
   */
  long excerptCrc(long excerpt) {
    ExcerptTailer tailer = borrowTailer();
    try {
      if (!tailer.moveToIndex(excerpt)) {
        throw queue.corrupt(excerpt, "the last indexed excerpt is missing");
      }
      try (DocumentContext dc = tailer.readingDocument()) {
        if (!dc.isPresent() || dc.index() != excerpt) {
          throw queue.corrupt(excerpt, "the last indexed excerpt is not readable");
        }
        return JournalQueue.excerptCrc(dc);
      }
    } finally {
      returnTailer(tailer);
    }
  }

  /**
   * Reads the excerpt the tailer is on and advances; null when none is complete yet. A bad excerpt
   * (failed check) is skipped only when the next excerpt is the truncation marker that cut it as a
   * torn tail: that marker is returned.
   *
   * @throws JournalCorruptException for any other bad excerpt, naming file and excerpt (and the
   *     record the index expects there: {@code expectedRef}'s {@code expectedVersion}; null if none)
   */
  JournalQueue.Read readNextOrNull(ExcerptTailer tailer, JournalQueue.ReadBuffer buffer, Ref expectedRef,
      long expectedVersion) {
    long excerpt;
    RecordFrame.Bad bad;
    try (DocumentContext dc = tailer.readingDocument()) {
      if (!dc.isPresent()) {
        return null;
      }
      excerpt = dc.index();
      RecordFrame.Decoded decoded = queue.decode(dc, buffer);
      if (decoded instanceof RecordFrame.Valid valid) {
        return new JournalQueue.Read(excerpt, valid.entry());
      }
      bad = (RecordFrame.Bad) decoded;
    }
    try (DocumentContext dc = tailer.readingDocument()) {
      if (dc.isPresent() && queue.decode(dc, buffer) instanceof RecordFrame.Valid next
          && JournalQueue.cuts(next.entry(), excerpt)) {
        return new JournalQueue.Read(dc.index(), next.entry());
      }
    }
    throw queue.badExcerpt(excerpt, bad, expectedRef == null ? null
        : expectedRef.getType() + "/" + expectedRef.getId() + " version " + expectedVersion);
  }

  /** Whether a truncation marker voids the record of {@code logIndex} at {@code excerpt}. */
  boolean isVoid(long excerpt, long logIndex) {
    return index.isVoid(excerpt, logIndex);
  }

  /** Closes the pooled tailers; a tailer returned afterwards is closed at once. */
  void close() {
    synchronized (idleTailers) {
      closed = true;
      for (ExcerptTailer tailer : idleTailers) {
        tailer.close();
      }
      idleTailers.clear();
    }
  }

  private JournalEntry readNext(ExcerptTailer tailer, JournalQueue.ReadBuffer buffer, long excerpt, Ref ref,
      long version) {
    JournalQueue.Read read = readNextOrNull(tailer, buffer, ref, version);
    if (read == null || read.excerpt() != excerpt) {
      throw queue.corrupt(excerpt, "indexed excerpt is not readable");
    }
    return read.entry();
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
}
