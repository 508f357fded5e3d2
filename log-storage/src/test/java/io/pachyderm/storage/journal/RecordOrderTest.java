package io.pachyderm.storage.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Payload;
import org.junit.jupiter.api.Test;

/**
 * The journal's order rules on their own, without a queue: each rule as a function of the
 * journal's end, the ref's run and the record, with the message that append (as an
 * IllegalArgumentException) and open's scan (as a JournalCorruptException) carry.
 */
class RecordOrderTest {
  /** The end after record {@code seq} of {@code events} of entry {@code logIndex}, term 2, at excerpt 100. */
  private static Position after(long logIndex, int seq, int events) {
    return Position.of(record(1, 1, logIndex, seq, events, 2), 100);
  }

  private static JournalRecord record(int ref, long version, long logIndex, int seq, int events, long term) {
    return JournalRecord.newBuilder().setRef(Workload.ref(ref)).setVersion(version).setLogIndex(logIndex)
        .setEntrySeq(seq).setEntryEvents(events).setTerm(term)
        .setEvent(Payload.newBuilder().setType("Deposited")).build();
  }

  private static RefIndex.Entries run(long firstVersion, long... excerpts) {
    RefIndex.Entries e = new RefIndex.Entries();
    e.firstVersion = firstVersion;
    e.excerpts = excerpts.clone();
    e.size = excerpts.length;
    return e;
  }

  @Test
  void aRecordAtOrBeforeTheEndIsAlreadyJournaledAndOneAfterItIsNot() {
    Position end = after(5, 1, 3);
    assertThat(RecordOrder.follows(end, record(1, 9, 5, 1, 3, 2))).isFalse();
    assertThat(RecordOrder.follows(end, record(1, 9, 5, 0, 3, 2))).isFalse();
    assertThat(RecordOrder.follows(end, record(1, 9, 4, 2, 3, 2))).isFalse();
    assertThat(RecordOrder.follows(end, record(1, 9, 5, 2, 3, 2))).isTrue();
    assertThat(RecordOrder.follows(end, record(1, 9, 6, 0, 1, 2))).isTrue();
    assertThat(RecordOrder.follows(Position.EMPTY, record(1, 1, 1, 0, 1, 1))).isTrue();
  }

  @Test
  void afterAGapEveryRecordUpToItsEndCountsAsJournaled() {
    Position gap = Position.gap(10, 200);
    assertThat(RecordOrder.follows(gap, record(1, 9, 10, 5, 6, 2))).isFalse();
    assertThat(RecordOrder.follows(gap, record(1, 9, 11, 0, 1, 2))).isTrue();
    assertThat(RecordOrder.positionProblem(gap, record(1, 9, 11, 0, 1, 1)))
        .as("terms inside a gap are unknown, so any term may follow it").isNull();
  }

  @Test
  void anEntryIsNumberedFromZeroWithOneEventCountAndFollowsOnlyAWholeEntry() {
    assertThat(RecordOrder.positionProblem(after(5, 2, 3), record(1, 9, 6, 0, 2, 2))).isNull();
    assertThat(RecordOrder.positionProblem(after(5, 0, 3), record(1, 9, 5, 1, 3, 2))).isNull();

    assertThat(RecordOrder.positionProblem(after(5, 0, 3), record(1, 9, 5, 1, 4, 2)))
        .isEqualTo("entry 5: entry_events 4 differs from 3 in the same entry");
    assertThat(RecordOrder.positionProblem(after(5, 0, 3), record(1, 9, 6, 0, 1, 2)))
        .isEqualTo("entry 6 follows entry 5 which is incomplete (1 of 3 records)");
    assertThat(RecordOrder.positionProblem(after(5, 0, 3), record(1, 9, 5, 2, 3, 2)))
        .isEqualTo("entry 5: entry_seq 2 after 0 leaves a gap");
    assertThat(RecordOrder.positionProblem(after(5, 2, 3), record(1, 9, 6, 1, 2, 2)))
        .isEqualTo("entry 6 must start at entry_seq 0, got 1");
    assertThat(RecordOrder.positionProblem(after(5, 2, 3), record(1, 9, 6, 0, 1, 1)))
        .isEqualTo("entry 6: term 1 is below the previous term 2");
  }

  @Test
  void versionsOfARefAreContiguous() {
    RefIndex.Entries v3to5 = run(3, 10, 11, 12);
    assertThat(RecordOrder.versionProblem(record(1, 6, 7, 0, 1, 2), v3to5, -1)).isNull();
    assertThat(RecordOrder.versionProblem(record(1, 1, 7, 0, 1, 2), null, -1)).as("a new ref starts anywhere").isNull();
    assertThat(RecordOrder.versionProblem(record(1, 8, 7, 0, 1, 2), v3to5, -1))
        .isEqualTo("entry 7: account/acct-1 version 8, expected 6");
    assertThat(RecordOrder.versionProblem(record(1, 5, 7, 0, 1, 2), v3to5, -1))
        .isEqualTo("entry 7: account/acct-1 version 5, expected 6");
  }

  @Test
  void theFirstRecordOfARefAfterAGapMayJumpForwardButNeverBack() {
    RefIndex.Entries v3to5 = run(3, 10, 11, 12);
    long gapExcerpt = 20;
    assertThat(RecordOrder.versionProblem(record(1, 9, 30, 0, 1, 2), v3to5, gapExcerpt)).isNull();
    assertThat(RecordOrder.versionProblem(record(1, 5, 30, 0, 1, 2), v3to5, gapExcerpt))
        .isEqualTo("entry 30: account/acct-1 version 5, expected 6 or above (after a gap)");

    RefIndex.Entries seenAfterGap = run(9, 25);
    assertThat(RecordOrder.versionProblem(record(1, 12, 31, 0, 1, 2), seenAfterGap, gapExcerpt))
        .as("only the first record after the gap may jump").isEqualTo("entry 31: account/acct-1 version 12, expected 10");
  }

  @Test
  void anIncompleteRecordIsRefusedBeforeAnyOrderCheck() {
    JournalRecord whole = record(1, 1, 1, 0, 1, 1);
    RecordOrder.checkComplete(whole);
    assertThatThrownBy(() -> RecordOrder.checkComplete(whole.toBuilder().clearRef().build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without a ref");
    assertThatThrownBy(() -> RecordOrder.checkComplete(whole.toBuilder().setVersion(0).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version >= 1 and log_index >= 1");
    assertThatThrownBy(() -> RecordOrder.checkComplete(whole.toBuilder().setEntrySeq(1).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 <= entry_seq < entry_events");
    assertThatThrownBy(() -> RecordOrder.checkComplete(whole.toBuilder().clearEvent().build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no event type");
  }
}
