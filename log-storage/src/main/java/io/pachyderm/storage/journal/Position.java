package io.pachyderm.storage.journal;

import io.pachyderm.protocol.JournalRecord;

/**
 * Where the journal ends: its last valid record, or a gap marker written after it. Replaced as a
 * whole on every append, truncation, gap and load, so its parts never disagree.
 *
 * @param logIndex the record's log index, or the gap's to_log_index (0 for an empty journal)
 * @param entrySeq the record's entry_seq; -1 for an empty journal or a gap
 * @param term the record's term; 0 for an empty journal or a gap (terms inside a gap are unknown,
 *     so the next record's term is checked from scratch)
 * @param entryEvents the record's entry_events; 0 for an empty journal or a gap
 * @param excerpt the Chronicle excerpt of the record or marker; -1 for an empty journal
 * @param gap whether the position is a gap marker: every record up to {@code logIndex} counts as
 *     journaled
 */
record Position(long logIndex, int entrySeq, long term, int entryEvents, long excerpt, boolean gap) {
  static final Position EMPTY = new Position(0, -1, 0, 0, -1, false);

  static Position of(JournalRecord r, long excerpt) {
    return new Position(r.getLogIndex(), r.getEntrySeq(), r.getTerm(), r.getEntryEvents(), excerpt, false);
  }

  static Position gap(long toLogIndex, long excerpt) {
    return new Position(toLogIndex, -1, 0, 0, excerpt, true);
  }

  /** Whether the last entry is whole: an empty journal and a gap count as whole. */
  boolean entryComplete() {
    return entrySeq == entryEvents - 1;
  }

  /** The highest log index whose every record is journaled. */
  long completeIndex() {
    return entryComplete() ? logIndex : logIndex - 1;
  }
}
