package io.pachyderm.node.internal;

import io.pachyderm.node.settings.QueueLimits;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Ref;
import io.pachyderm.storage.journal.EventJournal;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a history page by encoded bytes as well as by count, so that the answer always fits the
 * transport (issue 12: 400 events of 200 KB made one page of 80 MB, over gRPC's 64 MB limit, and
 * the reader only ever heard "outcome unknown"). A page holds at least one record, even one
 * larger than {@code pageBytesMax}, so a reader always advances; a record too large for the
 * transport itself is refused by name, since no page could carry it.
 *
 * <p>Reads the journal in small steps, so a page never holds more than one step beyond its cap
 * in memory. Any thread.
 */
final class HistoryPager {
  /** Records read from the journal per step: small, as each may be up to a record's limit. */
  static final int RECORDS_PER_READ = 16;

  /** Room kept in a transport message for the page's other fields and framing. */
  static final int PAGE_OVERHEAD_BYTES_MAX = 64 << 10;

  private HistoryPager() {}

  /**
   * Up to {@code recordsMax} records of {@code ref} from {@code fromVersion} on, in version order,
   * together at most {@code pageBytesMax} encoded bytes (or the first record alone).
   *
   * @throws IllegalStateException if the first record is too large for any transport message
   */
  static List<JournalRecord> page(EventJournal journal, Ref ref, long fromVersion, int recordsMax, int pageBytesMax) {
    List<JournalRecord> out = new ArrayList<>();
    long bytes = 0;
    long next = fromVersion;
    // Bounded: each step adds records or ends the page, and the page has at most recordsMax records.
    while (out.size() < recordsMax) {
      List<JournalRecord> step = journal.history(ref, next, Math.min(RECORDS_PER_READ, recordsMax - out.size()));
      if (step.isEmpty()) {
        return out;
      }
      for (JournalRecord r : step) {
        int size = r.getSerializedSize();
        if (out.isEmpty() && size > QueueLimits.TRANSPORT_MESSAGE_BYTES_MAX - PAGE_OVERHEAD_BYTES_MAX) {
          throw new IllegalStateException("the journal record of " + ref.getType() + "/" + ref.getId() + " v"
              + r.getVersion() + " is " + size + " bytes encoded, more than a transport message can carry ("
              + QueueLimits.TRANSPORT_MESSAGE_BYTES_MAX + " bytes less " + PAGE_OVERHEAD_BYTES_MAX + ")");
        }
        if (!out.isEmpty() && bytes + size > pageBytesMax) {
          return out; // the reader asks again from the next version
        }
        out.add(r);
        bytes += size;
      }
      next = step.get(step.size() - 1).getVersion() + 1;
    }
    return out;
  }
}
