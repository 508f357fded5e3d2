package io.pachyderm.storage.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Ref;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that had a snapshot installed misses the records of the snapshot's range: {@link
 * EventJournal#markGap} records that, and the journal then accepts each ref's jumped version.
 */
class EventJournalGapTest {
  @TempDir
  Path dir;

  private static final int REFS = 13;

  /** The records of entries {@code from..to} of {@code workload}, appended when {@code journal} is not null. */
  private static List<JournalRecord> entries(EventJournal journal, Workload workload, long from, long to) {
    List<JournalRecord> out = new ArrayList<>();
    for (long index = from; index <= to; index++) {
      for (JournalRecord r : workload.entry(index)) {
        if (journal != null) {
          assertThat(journal.append(r)).as("append %d/%d", r.getLogIndex(), r.getEntrySeq()).isTrue();
        }
        out.add(r);
      }
    }
    return out;
  }

  private static List<JournalRecord> ofRef(List<JournalRecord> records, Ref ref) {
    List<JournalRecord> out = new ArrayList<>();
    for (JournalRecord r : records) {
      if (r.getRef().equals(ref)) {
        out.add(r);
      }
    }
    return out;
  }

  private JournalState reopenedState() throws IOException {
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      return JournalState.of(journal, REFS + 1);
    }
  }

  @Test
  void afterAGapEachRefJumpsOnceAndItsHistoryRestartsAtTheNewVersion() throws IOException {
    Workload leader = new Workload(REFS, 40);
    List<JournalRecord> before;
    List<JournalRecord> missed;
    List<JournalRecord> after;
    JournalState live;
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      before = entries(journal, leader, 1, 100);
      missed = entries(null, leader, 101, 200); // purged on the leader, installed as a snapshot here
      assertThat(journal.markGap(200)).isTrue();
      assertThat(journal.lastIndex()).isEqualTo(200);
      assertThat(journal.lastCompleteIndex()).isEqualTo(200);
      assertThat(journal.lastEntrySeq()).isEqualTo(-1);
      for (JournalRecord r : missed) {
        assertThat(journal.append(r)).as("a record inside the gap counts as journaled").isFalse();
      }
      after = entries(journal, leader, 201, 300);
      assertThat(journal.lastIndex()).isEqualTo(300);
      for (int n = 0; n < REFS; n++) {
        Ref ref = Workload.ref(n);
        List<JournalRecord> mine = ofRef(after, ref);
        assertThat(ofRef(missed, ref)).as("every ref has records in the gap").isNotEmpty();
        assertThat(journal.versions(ref))
            .isEqualTo(new VersionRange(mine.get(0).getVersion(), mine.get(mine.size() - 1).getVersion()));
        assertThat(journal.history(ref, 1, Integer.MAX_VALUE)).containsExactlyElementsOf(mine);
        assertThat(journal.history(ref, ofRef(before, ref).get(0).getVersion(), 5)).startsWith(mine.get(0));
      }
      assertThat(journal.records()).isEqualTo(after.size());
      assertThat(journal.versions(Workload.ref(REFS + 1))).isNull();
      List<JournalRecord> stream = new ArrayList<>(before);
      stream.addAll(after);
      assertThat(JournalState.readAll(journal, 1)).as("the tailer passes over the gap").containsExactlyElementsOf(stream);
      assertThat(JournalState.readAll(journal, 150)).containsExactlyElementsOf(after);
      live = JournalState.of(journal, REFS + 1);
    }
    assertThat(reopenedState()).isEqualTo(live);
  }

  @Test
  void aRefWithoutRecordsInTheGapContinuesAndBackwardOrRepeatedJumpsAreRefused() throws IOException {
    Workload leader = new Workload(REFS, 40);
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      entries(journal, leader, 1, 20);
      assertThat(journal.markGap(20)).as("nothing missing").isFalse();
      assertThat(journal.markGap(5)).isFalse();
      Ref ref = Workload.ref(0);
      VersionRange before = journal.versions(ref);
      JournalRecord template = leader.entry(21).get(0).toBuilder().setRef(ref).build();

      JournalRecord jump = template.toBuilder().setVersion(before.last() + 5).build();
      assertThatThrownBy(() -> journal.append(jump))
          .as("a version jump without a gap").isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected " + (before.last() + 1));

      assertThat(journal.markGap(30)).isTrue();
      assertThat(journal.markGap(30)).isFalse();
      JournalRecord first = template.toBuilder().setLogIndex(31).setEntrySeq(0).setEntryEvents(3).build();
      assertThatThrownBy(() -> journal.append(first.toBuilder().setVersion(before.last()).build()))
          .as("the same version again").isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("or above (after a gap)");
      assertThatThrownBy(() -> journal.append(first.toBuilder().setVersion(before.last() - 1).build()))
          .as("backward").isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> journal.append(first.toBuilder().setEntrySeq(1).build()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must start at entry_seq 0");

      // A ref that had nothing in the gap simply continues.
      assertThat(journal.append(first.toBuilder().setVersion(before.last() + 1).build())).isTrue();
      assertThat(journal.versions(ref)).isEqualTo(new VersionRange(before.first(), before.last() + 1));
      // Only the first record after the gap may jump: the next one must be contiguous again.
      JournalRecord second = first.toBuilder().setEntrySeq(1).setVersion(before.last() + 9).build();
      assertThatThrownBy(() -> journal.append(second))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected " + (before.last() + 2));

      Ref other = Workload.ref(1);
      VersionRange otherBefore = journal.versions(other);
      assertThat(journal.append(second.toBuilder().setRef(other).setVersion(otherBefore.last() + 100).build())).isTrue();
      assertThat(journal.versions(other)).isEqualTo(new VersionRange(otherBefore.last() + 100, otherBefore.last() + 100));
      assertThat(journal.history(other, 1, 10)).hasSize(1);

      assertThatThrownBy(() -> journal.truncateAfter(29))
          .as("a truncation into the gap could never be replayed").isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("below the gap marked up to 30");
    }
  }

  @Test
  void aGapAfterAnIncompleteEntryVoidsThatEntryFirst() throws IOException {
    Workload leader = new Workload(REFS, 40);
    JournalState live;
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      List<JournalRecord> complete = entries(journal, leader, 1, 10);
      List<JournalRecord> entry11 = leader.entry(11); // 3 events; the process died after the first
      assertThat(journal.append(entry11.get(0))).isTrue();
      VersionRange voided = journal.versions(entry11.get(0).getRef());
      assertThat(journal.lastCompleteIndex()).isEqualTo(10);

      assertThat(journal.markGap(15)).isTrue();
      assertThat(journal.lastIndex()).isEqualTo(15);
      assertThat(journal.lastCompleteIndex()).isEqualTo(15);
      assertThat(journal.versions(entry11.get(0).getRef()))
          .isEqualTo(new VersionRange(voided.first(), voided.last() - 1));
      assertThat(journal.append(entry11.get(1))).as("entry 11 is inside the snapshot").isFalse();
      entries(null, leader, 12, 15);
      List<JournalRecord> after = entries(journal, leader, 16, 40);
      List<JournalRecord> stream = new ArrayList<>(complete);
      stream.addAll(after);
      assertThat(JournalState.readAll(journal, 1)).containsExactlyElementsOf(stream);
      live = JournalState.of(journal, REFS + 1);
    }
    assertThat(reopenedState()).isEqualTo(live);
  }

  /**
   * Decision: a truncation may void records after a gap but never the gap itself. A truncation
   * back to the gap leaves the gap as the last position; replay then gives the same journal.
   */
  @Test
  void truncationAfterAGapStopsAtTheGapAndReplayGivesTheSameJournal() throws IOException {
    Workload leader = new Workload(REFS, 40);
    Workload replay = new Workload(REFS, 40);
    JournalState expected;
    Path reference = dir.resolve("reference");
    try (EventJournal journal = EventJournal.open(reference, TestJournalOptions.defaults())) {
      Workload w = new Workload(REFS, 40);
      entries(journal, w, 1, 50);
      entries(null, w, 51, 100);
      journal.markGap(100);
      entries(journal, w, 101, 160);
      expected = JournalState.of(journal, REFS + 1);
    }
    Path node = dir.resolve("node");
    JournalState live;
    try (EventJournal journal = EventJournal.open(node, TestJournalOptions.defaults())) {
      entries(journal, leader, 1, 50);
      entries(null, leader, 51, 100);
      entries(null, replay, 1, 100);
      assertThat(journal.markGap(100)).isTrue();
      entries(journal, leader, 101, 150);
      assertThat(journal.truncateAfter(120)).isTrue();
      assertThat(journal.lastIndex()).isEqualTo(120);
      assertThat(journal.truncateAfter(100)).isTrue();
      assertThat(journal.lastIndex()).isEqualTo(100);
      assertThat(journal.lastCompleteIndex()).isEqualTo(100);
      assertThat(journal.lastEntrySeq()).isEqualTo(-1);
      assertThat(journal.truncateAfter(100)).isFalse();
      assertThatThrownBy(() -> journal.truncateAfter(99)).isInstanceOf(IllegalArgumentException.class);
      // Refs whose only run started after the gap have no indexed record until replay.
      assertThat(journal.records()).isZero();
      assertThat(JournalState.readAll(journal, 101)).isEmpty();
      entries(journal, replay, 101, 160);
      live = JournalState.of(journal, REFS + 1);
    }
    assertThat(live.versions()).isEqualTo(expected.versions());
    assertThat(live.histories()).isEqualTo(expected.histories());
    assertThat(live.all()).isEqualTo(expected.all());
    assertThat(live.lastIndex()).isEqualTo(expected.lastIndex());
    assertThat(live.records()).isEqualTo(expected.records());
    try (EventJournal journal = EventJournal.open(node, TestJournalOptions.defaults())) {
      assertThat(JournalState.of(journal, REFS + 1)).isEqualTo(live);
    }
  }

  @Test
  void twoGapsInARowAndAGapOnAnEmptyJournal() throws IOException {
    Workload leader = new Workload(REFS, 40);
    JournalState live;
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      assertThat(journal.markGap(0)).isFalse();
      entries(null, leader, 1, 40);
      assertThat(journal.markGap(40)).as("a new node: its first snapshot").isTrue();
      assertThat(journal.lastIndex()).isEqualTo(40);
      List<JournalRecord> first = entries(journal, leader, 41, 60);
      entries(null, leader, 61, 80);
      assertThat(journal.markGap(80)).isTrue();
      assertThat(journal.markGap(90)).as("gap right after a gap").isTrue();
      entries(null, leader, 81, 90);
      List<JournalRecord> second = entries(journal, leader, 91, 120);
      List<JournalRecord> stream = new ArrayList<>(first);
      stream.addAll(second);
      assertThat(JournalState.readAll(journal, 1)).containsExactlyElementsOf(stream);
      live = JournalState.of(journal, REFS + 1);
    }
    assertThat(reopenedState()).isEqualTo(live);
  }
}
