package io.pachyderm.storage.journal;

import io.pachyderm.protocol.JournalEntry;
import io.pachyderm.protocol.JournalRecord;
import net.openhft.chronicle.queue.ExcerptTailer;

/**
 * Reads valid records from a log index on, in journal order, and keeps reading as the journal
 * grows: {@link #next()} returns null when nothing new is complete yet (never blocks). Void
 * records (behind a truncation marker) and gap markers are skipped: after a gap the next record's
 * log index jumps past the gap's missing range. Not thread-safe; close it when done.
 */
public final class JournalTailer implements AutoCloseable {
  private final JournalReader reader;
  private final ExcerptTailer tailer;
  private final long fromLogIndex;
  private final JournalQueue.ReadBuffer buffer = new JournalQueue.ReadBuffer();
  private long deliveredLogIndex;

  JournalTailer(JournalReader reader, ExcerptTailer tailer, long fromLogIndex) {
    this.reader = reader;
    this.tailer = tailer;
    this.fromLogIndex = fromLogIndex;
  }

  /**
   * The next valid record, or null if none has been appended yet.
   *
   * @throws IllegalStateException if a truncation marker voids a record this tailer already
   *     returned (truncation is for repair before serving, see {@link EventJournal#truncateAfter})
   * @throws JournalCorruptException if an excerpt fails its CRC32C check (other than a torn tail
   *     that open cut), naming file and excerpt: the damaged record is never returned
   */
  public JournalRecord next() {
    // Bounded by the excerpts appended so far.
    for (;;) {
      JournalQueue.Read read = reader.readNextOrNull(tailer, buffer, null, 0);
      if (read == null) {
        return null;
      }
      long excerpt = read.excerpt();
      JournalEntry entry = read.entry();
      if (entry.hasTruncation()) {
        long after = entry.getTruncation().getAfterLogIndex();
        if (deliveredLogIndex > after) {
          throw new IllegalStateException("journal " + reader.directory() + " was truncated after log index "
              + after + " but this tailer already returned log index " + deliveredLogIndex);
        }
        continue;
      }
      if (entry.hasGap()) {
        continue; // the records of the gap's range are not on this node; nothing to deliver
      }
      JournalRecord r = entry.getRecord();
      if (r.getLogIndex() < fromLogIndex || reader.isVoid(excerpt, r.getLogIndex())) {
        continue;
      }
      deliveredLogIndex = r.getLogIndex();
      return r;
    }
  }

  @Override
  public void close() {
    tailer.close();
  }
}
