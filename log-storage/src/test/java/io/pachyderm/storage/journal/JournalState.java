package io.pachyderm.storage.journal;

import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Ref;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a caller can observe of a journal through its public API, as one comparable value: two
 * journals (live and reopened, or opened by scan and by saved index) are equivalent when their
 * states are equal.
 */
record JournalState(
    long lastIndex,
    long lastCompleteIndex,
    int lastEntrySeq,
    long records,
    int refs,
    Map<Integer, VersionRange> versions,
    Map<Integer, List<JournalRecord>> histories,
    List<JournalRecord> all,
    Map<Long, List<Long>> readFromFirstPositions) {

  /** Reads the state of refs {@code 0 .. refsMax - 1} (of {@link Workload#ref}). */
  static JournalState of(EventJournal journal, int refsMax) {
    Map<Integer, VersionRange> versions = new LinkedHashMap<>();
    Map<Integer, List<JournalRecord>> histories = new LinkedHashMap<>();
    for (int n = 0; n < refsMax; n++) {
      Ref ref = Workload.ref(n);
      versions.put(n, journal.versions(ref));
      histories.put(n, journal.history(ref, 1, Integer.MAX_VALUE));
    }
    List<JournalRecord> all = readAll(journal, 1);
    // readFrom at a few log indexes, so that checkpoints are exercised: the first positions read.
    Map<Long, List<Long>> readFrom = new LinkedHashMap<>();
    long last = journal.lastIndex();
    for (long from : new long[] {1, last / 3 + 1, last / 2, last - 1, last, last + 1}) {
      List<Long> positions = new ArrayList<>();
      try (JournalTailer tailer = journal.readFrom(from)) {
        for (int i = 0; i < 3; i++) {
          JournalRecord r = tailer.next();
          if (r == null) {
            break;
          }
          positions.add(r.getLogIndex() * 1_000 + r.getEntrySeq());
        }
      }
      readFrom.put(from, positions);
    }
    return new JournalState(journal.lastIndex(), journal.lastCompleteIndex(), journal.lastEntrySeq(),
        journal.records(), journal.refs(), versions, histories, all, readFrom);
  }

  /**
   * Every valid record from {@code fromLogIndex}, in journal order. Not bounded by {@code records()}:
   * records left behind by a version jump after a gap are still read by a tailer.
   */
  static List<JournalRecord> readAll(EventJournal journal, long fromLogIndex) {
    List<JournalRecord> out = new ArrayList<>();
    try (JournalTailer tailer = journal.readFrom(fromLogIndex)) {
      for (int i = 0; i < 10_000_000; i++) {
        JournalRecord r = tailer.next();
        if (r == null) {
          break;
        }
        out.add(r);
      }
    }
    return out;
  }
}
