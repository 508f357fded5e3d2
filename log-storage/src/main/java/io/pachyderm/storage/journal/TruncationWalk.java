package io.pachyderm.storage.journal;

import io.pachyderm.protocol.JournalEntry;
import io.pachyderm.protocol.JournalRecord;
import java.util.HashSet;
import java.util.Set;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The backward walk of a truncation marker ({@link JournalIndex}'s {@code voidBefore}): from the
 * marker back through the queue, removing from the ref index every record the marker voids, until
 * the record or gap that becomes the journal's end.
 */
final class TruncationWalk {
  private TruncationWalk() {}

  /**
   * Walks backward from {@code markerExcerpt}, removing from {@code refs} every record with log
   * index above {@code afterLogIndex} that an earlier marker had not already voided, and stops at
   * the first valid record at or below it or at a gap marker, which it returns (the journal's new
   * last position; {@link Position#EMPTY} when it reached the start). A bad excerpt on the way is
   * skipped only if this marker or one passed cuts it as a torn tail ({@code tornExcerpt}, 0 for
   * none). Bounded by the number of excerpts before the marker. The caller holds the index's lock.
   *
   * @throws JournalCorruptException if the marker is not found or a bad excerpt is not a cut tail
   */
  static Position voidBackward(JournalQueue queue, RefRuns refs, long markerExcerpt, long afterLogIndex,
      long tornExcerpt) {
    long earlierMarkersMin = Long.MAX_VALUE; // records above this were voided by a marker we passed
    Position newLast = Position.EMPTY; // a gap marker met going back, or the last valid record
    Set<Long> cut = new HashSet<>(); // torn excerpts cut by this marker and the ones passed
    if (tornExcerpt != 0) {
      cut.add(tornExcerpt);
    }
    JournalQueue.ReadBuffer buffer = new JournalQueue.ReadBuffer();
    try (ExcerptTailer tailer = queue.createTailer()) {
      tailer.direction(TailerDirection.BACKWARD);
      if (!tailer.moveToIndex(markerExcerpt)) {
        throw queue.corrupt(markerExcerpt, "truncation marker not found");
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
          RecordFrame.Decoded decoded = queue.decode(dc, buffer);
          if (decoded instanceof RecordFrame.Bad bad) {
            if (cut.contains(excerpt)) {
              continue;
            }
            throw queue.badExcerpt(excerpt, bad, null);
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
    return newLast;
  }
}
