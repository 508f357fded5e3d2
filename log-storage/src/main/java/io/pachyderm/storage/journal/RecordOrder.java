package io.pachyderm.storage.journal;

import io.pachyderm.protocol.JournalRecord;

/**
 * The journal's order rules as pure functions of the journal's end ({@link Position}), the ref's
 * indexed run and the record: the same rules check a record before {@link EventJournal#append}
 * writes it and again when open's scan reads it back (a record that broke them is corruption).
 * No state, no IO: any thread.
 */
final class RecordOrder {
  private RecordOrder() {}

  /**
   * Rejects a record that lacks what the journal needs before it is ordered at all.
   *
   * @throws IllegalArgumentException naming what is missing
   */
  static void checkComplete(JournalRecord r) {
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

  /** Whether {@code r} lies after {@code last}, i.e. is not already journaled. */
  static boolean follows(Position last, JournalRecord r) {
    if (last.gap()) {
      return r.getLogIndex() > last.logIndex(); // every record of the gap's range counts as journaled
    }
    return r.getLogIndex() > last.logIndex()
        || (r.getLogIndex() == last.logIndex() && r.getEntrySeq() > last.entrySeq());
  }

  /**
   * Why {@code r} may not follow {@code last} in the log (a broken entry: its records are
   * numbered 0..entry_events-1 with one entry_events, and a new entry follows only a whole one;
   * terms never decrease), or null.
   */
  static String positionProblem(Position last, JournalRecord r) {
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
    return null;
  }

  /**
   * Why {@code r}'s version may not follow its ref's indexed run {@code run} (null: no record of
   * the ref is indexed), or null. Versions of one ref are contiguous, except that the first record
   * of a ref after the newest gap marker (at excerpt {@code lastGapExcerpt}, -1 for none) may jump
   * forward: after a snapshot installation the versions inside the gap are missing here, and a
   * jump is how the journal learns the ref's version, once.
   */
  static String versionProblem(JournalRecord r, RefRuns.Tail run, long lastGapExcerpt) {
    if (run == null || r.getVersion() == run.lastVersion() + 1) {
      return null;
    }
    boolean firstAfterGap = run.lastExcerpt() < lastGapExcerpt;
    if (firstAfterGap && r.getVersion() > run.lastVersion()) {
      return null;
    }
    return "entry " + r.getLogIndex() + ": " + r.getRef().getType() + "/" + r.getRef().getId() + " version "
        + r.getVersion() + ", expected " + (run.lastVersion() + 1) + (firstAfterGap ? " or above (after a gap)" : "");
  }
}
