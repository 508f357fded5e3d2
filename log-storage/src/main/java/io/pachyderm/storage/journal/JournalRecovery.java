package io.pachyderm.storage.journal;

import io.pachyderm.protocol.JournalEntry;
import io.pachyderm.protocol.JournalTruncation;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open's recovery: decides the queue's format, rebuilds the {@link JournalIndex} (from the newest
 * usable index file and a scan of the excerpts after it, else from a scan of every excerpt),
 * checks every excerpt scanned (CRC32C and the order rules), and cuts a torn last excerpt with a
 * truncation marker that names it, so that the caller's replay of the Raft log appends its record
 * again. A bad excerpt that is not the last is corruption.
 *
 * <p>Threads: open's thread only, once, before the journal is handed out; nothing here is shared
 * (the index it fills locks for itself).
 */
final class JournalRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(EventJournal.class); // see JournalQueue

  private final JournalQueue queue;
  private final JournalIndex index;
  private final JournalIndexFiles indexFiles;
  private final JournalWriter writer;
  private final JournalOptions options;
  private final JournalQueue.ReadBuffer buffer = new JournalQueue.ReadBuffer();
  private long excerptsScanned;
  /** A bad last excerpt found by the scan, cut by {@link #run()} once the scan is done. */
  private TornTail tornTail;

  /** A bad last excerpt found by the scan: a write torn by a crash or a full disk. */
  private record TornTail(long excerpt, RecordFrame.Bad bad) {}

  JournalRecovery(JournalQueue queue, JournalIndex index, JournalIndexFiles indexFiles, JournalWriter writer,
      JournalOptions options) {
    this.queue = queue;
    this.index = index;
    this.indexFiles = indexFiles;
    this.writer = writer;
    this.options = options;
  }

  /**
   * Recovers the journal (see the class comment); retention is the caller's next step.
   *
   * @throws JournalCorruptException if an excerpt other than the last fails its check or is not a
   *     JournalEntry, or records are out of order; the message names the file and the excerpt
   */
  void run() {
    queue.probeFormat();
    loadIndexAndScan();
    cutTornTail();
  }

  /** Excerpts parsed: all of them after a full scan, the tail only after loading an index file. */
  long excerptsScanned() {
    return excerptsScanned;
  }

  /**
   * Rebuilds the index: from the newest usable index file and the excerpts after it, else from a
   * scan of every excerpt.
   */
  private void loadIndexAndScan() {
    try (ExcerptTailer tailer = queue.createTailer()) {
      if (indexFiles.loadNewest(tailer)) {
        try {
          scan(tailer);
          // Cycle files deleted since the save (retention, or by hand): forget what they held.
          index.trimBefore(queue.firstIndex());
          return;
        } catch (JournalCorruptException e) {
          // Either the queue is corrupt (the full scan below fails the same way) or the index does
          // not describe this queue after all: never trust it over the queue.
          LOG.warn("journal {}: the records after the saved index do not follow it ({}); rebuilding by a full scan",
              queue.dir(), e.getMessage());
          index.reset();
          tornTail = null;
        }
      }
      tailer.toStart();
      excerptsScanned = 0;
      scan(tailer);
    }
  }

  /**
   * Indexes every excerpt from the tailer's position to the end. A bad excerpt is skipped if the
   * next one is the marker that cut it; if it is the last, it is left in {@link #tornTail} for
   * {@link #cutTornTail()}; otherwise it is corruption. Bounded by the number of excerpts in the
   * retained files.
   */
  private void scan(ExcerptTailer tailer) {
    boolean checkedSeen = false;
    for (;;) {
      long excerpt;
      RecordFrame.Decoded decoded;
      try (DocumentContext dc = tailer.readingDocument()) {
        if (!dc.isPresent()) {
          break;
        }
        excerpt = dc.index();
        decoded = queue.decode(dc, buffer);
      }
      excerptsScanned++;
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
          next = queue.decode(dc, buffer);
        }
        excerptsScanned++;
        if (!(next instanceof RecordFrame.Valid cutter && JournalQueue.cuts(cutter.entry(), excerpt))) {
          throw queue.badExcerpt(excerpt, bad, null);
        }
        excerpt = nextExcerpt;
        decoded = next;
      }
      RecordFrame.Valid valid = (RecordFrame.Valid) decoded;
      checkedSeen |= valid.checked();
      index.applyScanned(excerpt, valid.entry());
    }
  }

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
    long after = index.last().logIndex();
    JournalTruncation marker = JournalTruncation.newBuilder().setAfterLogIndex(after)
        .setTimestampMs(options.clockMs().getAsLong()).setTornExcerpt(torn.excerpt()).build();
    long excerpt = writer.writeMarker(JournalEntry.newBuilder().setTruncation(marker).build(),
        () -> "the marker cutting the torn excerpt 0x" + Long.toHexString(torn.excerpt()));
    index.applyTruncation(excerpt, after, torn.excerpt());
    LOG.warn("journal {}: cut its last excerpt, a write torn by a crash or a full disk ({}); the Raft log replay"
        + " appends that record again", queue.dir(), queue.badExcerpt(torn.excerpt(), torn.bad(), null).getMessage());
  }
}
