package io.pachyderm.chaos.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.chaos.history.HistoryBuilder;
import io.pachyderm.chaos.history.Op;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One crafted observation per anomaly the follow checker claims to catch (a gap, a duplicate, a
 * wrong payload, a diverging node, ...), and a valid one. The entity is an append log whose state
 * is {@code [count, sum]}: enough to tell a wrong fold.
 */
class FollowCheckerTest {
  private static final String KEY = "f0";
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  /** State = [count, sum of elements]. */
  private static final FollowChecker.Fold FOLD = new FollowChecker.Fold() {
    @Override
    public Object initial() {
      return List.of(0L, 0L);
    }

    @Override
    public Object apply(Object state, FollowChecker.Event event) {
      @SuppressWarnings("unchecked")
      List<Long> s = (List<Long>) state;
      return List.of(s.get(0) + 1, s.get(1) + event.element());
    }
  };

  /** Version v appends element 10 * v, in log entry 100 + v of term 1 (term 2 from v 4). */
  private static FollowChecker.Event event(long version) {
    return event(version, 10 * version);
  }

  private static FollowChecker.Event event(long version, long element) {
    byte[] payload = ("appended " + element).getBytes(StandardCharsets.UTF_8);
    long term = version < 4 ? 1 : 2;
    byte[] record = ("record v" + version + " log " + (100 + version) + " " + element).getBytes(StandardCharsets.UTF_8);
    return new FollowChecker.Event(version, 100 + version, term, "Appended", payload, element, record);
  }

  private static List<FollowChecker.Event> events(long from, long to) {
    List<FollowChecker.Event> list = new ArrayList<>();
    for (long v = from; v <= to; v++) {
      list.add(event(v));
    }
    return list;
  }

  private static Object stateAt(long version) {
    Object s = FOLD.initial();
    for (long v = 1; v <= version; v++) {
      s = FOLD.apply(s, event(v));
    }
    return s;
  }

  private static FollowChecker.Change change(long version) {
    return new FollowChecker.Change(version, event(version), stateAt(version));
  }

  private static List<FollowChecker.Change> changes(long from, long to) {
    List<FollowChecker.Change> list = new ArrayList<>();
    for (long v = from; v <= to; v++) {
      list.add(change(v));
    }
    return list;
  }

  private static FollowChecker.Stream stream(String follower, long requestedFrom, List<FollowChecker.Change> changes) {
    long last = changes.isEmpty() ? 0 : changes.get(changes.size() - 1).version();
    return new FollowChecker.Stream(follower, KEY, requestedFrom, true, changes, 0, last, null);
  }

  /** Five appends, all acknowledged; every node's final read counts five. */
  private static HistoryBuilder history() {
    HistoryBuilder h = new HistoryBuilder();
    for (long v = 1; v <= 5; v++) {
      h.done(1, Op.APPEND, KEY, 10 * v);
    }
    for (String node : NODES) {
      h.finalRead(node, KEY, 5L);
    }
    return h;
  }

  private static List<FollowChecker.NodeJournal> journals(List<FollowChecker.Event> records) {
    List<FollowChecker.NodeJournal> list = new ArrayList<>();
    for (String node : NODES) {
      list.add(new FollowChecker.NodeJournal(node, KEY, 1, 5, records, null));
    }
    return list;
  }

  /** A follower from v1, one from the current state (v2), the same five records on every node. */
  private static List<FollowChecker.Stream> goodStreams() {
    List<FollowChecker.Change> fromCurrent = new ArrayList<>();
    fromCurrent.add(new FollowChecker.Change(2, null, stateAt(2)));
    fromCurrent.addAll(changes(3, 5));
    return List.of(stream("whole", 1, changes(1, 5)), stream("current", 0, fromCurrent));
  }

  private static Verdict check(List<FollowChecker.Stream> streams, List<FollowChecker.NodeJournal> journals) {
    return check(Map.of(KEY, events(1, 5)), streams, journals, history());
  }

  private static Verdict check(Map<String, List<FollowChecker.Event>> finals, List<FollowChecker.Stream> streams,
                               List<FollowChecker.NodeJournal> journals, HistoryBuilder history) {
    FollowChecker checker = new FollowChecker(new FollowChecker.Observations(finals, Map.of(), streams, journals), FOLD);
    return checker.check(history.build());
  }

  private static void assertOnly(Verdict verdict, String kind) {
    assertThat(verdict.valid()).as(verdict.toString()).isFalse();
    assertThat(verdict.anomalies()).as(verdict.anomalies().toString()).isNotEmpty()
        .allSatisfy(a -> assertThat(a.kind()).isEqualTo(kind));
  }

  @Test
  void streamsThatArePrefixesOfTheFinalHistoryAndEqualJournalsAreValid() {
    Verdict verdict = check(goodStreams(), journals(events(1, 5)));

    assertThat(verdict.valid()).as(verdict.toString()).isTrue();
    assertThat(verdict.stats()).containsEntry("eventsFinal", 5L).containsEntry("followerChanges", 9L)
        .containsEntry("startingStates", 1L).containsEntry("journalRecordsCompared", 15L)
        .containsEntry("appendsOk", 5L).containsEntry("finalReads", 3L);
  }

  @Test
  void aFollowerThatSkipsAVersionIsAGap() {
    List<FollowChecker.Change> skipping = new ArrayList<>(changes(1, 2));
    skipping.addAll(changes(4, 5));

    assertOnly(check(List.of(stream("whole", 1, skipping)), journals(events(1, 5))), Anomaly.FOLLOW_GAP);
  }

  @Test
  void aFollowerFromVersionOneThatStartsLaterIsAGap() {
    assertOnly(check(List.of(stream("whole", 1, changes(2, 5))), journals(events(1, 5))), Anomaly.FOLLOW_GAP);
  }

  @Test
  void aFollowerThatRepeatsAVersionIsADuplicate() {
    List<FollowChecker.Change> repeating = new ArrayList<>(changes(1, 3));
    repeating.addAll(changes(3, 5));

    assertOnly(check(List.of(stream("whole", 1, repeating)), journals(events(1, 5))), Anomaly.FOLLOW_DUPLICATE);
  }

  @Test
  void aFollowerEventWithAnotherPayloadDiverges() {
    List<FollowChecker.Change> wrong = new ArrayList<>(changes(1, 5));
    FollowChecker.Event good = event(3);
    FollowChecker.Event other = new FollowChecker.Event(3, good.logIndex(), good.term(), good.eventType(),
        "appended 31".getBytes(StandardCharsets.UTF_8), good.element(), null);
    wrong.set(2, new FollowChecker.Change(3, other, stateAt(3)));

    assertOnly(check(List.of(stream("whole", 1, wrong)), journals(events(1, 5))), Anomaly.FOLLOW_DIVERGED);
  }

  @Test
  void aFollowerEventFromAnotherTermDiverges() {
    List<FollowChecker.Change> wrong = new ArrayList<>(changes(1, 5));
    FollowChecker.Event good = event(5);
    wrong.set(4, new FollowChecker.Change(5, new FollowChecker.Event(5, good.logIndex(), 1, good.eventType(),
        good.payload(), good.element(), null), stateAt(5)));

    assertOnly(check(List.of(stream("whole", 1, wrong)), journals(events(1, 5))), Anomaly.FOLLOW_DIVERGED);
  }

  @Test
  void aFollowerThatSawAVersionTheFinalHistoryLacksDiverges() {
    // An uncommitted event seen and later truncated away: the follower saw v6, the final history ends at v5.
    List<FollowChecker.Change> beyond = new ArrayList<>(changes(1, 5));
    beyond.add(change(6));

    assertOnly(check(List.of(stream("whole", 1, beyond)), journals(events(1, 5))), Anomaly.FOLLOW_DIVERGED);
  }

  @Test
  void aFollowerStateThatIsNotTheFoldIsAMismatch() {
    List<FollowChecker.Change> wrong = new ArrayList<>(changes(1, 5));
    wrong.set(3, new FollowChecker.Change(4, event(4), List.of(4L, 99L)));

    assertOnly(check(List.of(stream("whole", 1, wrong)), journals(events(1, 5))), Anomaly.FOLLOW_STATE_MISMATCH);
  }

  @Test
  void aStartingStateThatIsNotTheFoldIsAMismatch() {
    List<FollowChecker.Change> fromCurrent = new ArrayList<>();
    fromCurrent.add(new FollowChecker.Change(2, null, stateAt(1)));
    fromCurrent.addAll(changes(3, 5));

    assertOnly(check(List.of(stream("current", 0, fromCurrent)), journals(events(1, 5))),
        Anomaly.FOLLOW_STATE_MISMATCH);
  }

  @Test
  void aFollowerThatNeverReachedTheFinalVersionStalled() {
    assertOnly(check(List.of(stream("whole", 1, changes(1, 3))), journals(events(1, 5))), Anomaly.FOLLOW_STALLED);
  }

  @Test
  void aFollowerWhoseLaterSessionReachedTheEndDidNotStall() {
    List<FollowChecker.Stream> sessions = List.of(stream("whole", 1, changes(1, 3)),
        new FollowChecker.Stream("whole", KEY, 4, true, changes(4, 5), 0, 5, null));

    Verdict verdict = check(sessions, journals(events(1, 5)));

    assertThat(verdict.valid()).as(verdict.toString()).isTrue();
  }

  @Test
  void aNodeWhoseRecordDiffersDiverges() {
    List<FollowChecker.NodeJournal> nodes = new ArrayList<>(journals(events(1, 5)));
    List<FollowChecker.Event> other = new ArrayList<>(events(1, 5));
    FollowChecker.Event good = event(2);
    // Same event, another causation or timestamp: only the record bytes differ.
    other.set(1, new FollowChecker.Event(2, good.logIndex(), good.term(), good.eventType(), good.payload(),
        good.element(), "record v2 with another timestamp".getBytes(StandardCharsets.UTF_8)));
    nodes.set(2, new FollowChecker.NodeJournal("n3", KEY, 1, 5, other, null));

    Verdict verdict = check(goodStreams(), nodes);

    assertOnly(verdict, Anomaly.JOURNAL_DIVERGED);
    assertThat(verdict.anomalies().get(0).description()).contains("n3").contains("n1");
  }

  @Test
  void aNodeJournalWithAnotherPayloadDiverges() {
    List<FollowChecker.NodeJournal> nodes = new ArrayList<>(journals(events(1, 5)));
    List<FollowChecker.Event> other = new ArrayList<>(events(1, 5));
    other.set(4, event(5, 77));
    nodes.set(1, new FollowChecker.NodeJournal("n2", KEY, 1, 5, other, null));

    assertOnly(check(goodStreams(), nodes), Anomaly.JOURNAL_DIVERGED);
  }

  @Test
  void aNodeJournalMissingAVersionInTheMiddleIsAGap() {
    List<FollowChecker.NodeJournal> nodes = new ArrayList<>(journals(events(1, 5)));
    List<FollowChecker.Event> holed = new ArrayList<>(events(1, 2));
    holed.addAll(events(4, 5));
    nodes.set(0, new FollowChecker.NodeJournal("n1", KEY, 1, 5, holed, null));

    assertOnly(check(goodStreams(), nodes), Anomaly.JOURNAL_GAP);
  }

  @Test
  void aNodeJournalWithARepeatedRecordDiverges() {
    // Repair after kill -9 appended the tail again instead of skipping it.
    List<FollowChecker.NodeJournal> nodes = new ArrayList<>(journals(events(1, 5)));
    List<FollowChecker.Event> repeated = new ArrayList<>(events(1, 5));
    repeated.add(event(5));
    nodes.set(0, new FollowChecker.NodeJournal("n1", KEY, 1, 5, repeated, null));

    assertOnly(check(goodStreams(), nodes), Anomaly.JOURNAL_DIVERGED);
  }

  @Test
  void aNodeJournalMissingItsTailIsIncomplete() {
    // Repair after kill -9 did not restore the records the crash lost.
    List<FollowChecker.NodeJournal> nodes = new ArrayList<>(journals(events(1, 5)));
    nodes.set(1, new FollowChecker.NodeJournal("n2", KEY, 1, 5, events(1, 3), null));

    assertOnly(check(goodStreams(), nodes), Anomaly.JOURNAL_INCOMPLETE);
  }

  @Test
  void aKeyNoAppendReachedHasNothingMissingFromItsEmptyJournals() {
    // Every append failed or timed out (seen in a follow run on a machine at load 36): the final
    // history and every journal are empty, and that is complete, not "journal ends at v0".
    HistoryBuilder h = new HistoryBuilder();
    for (String node : NODES) {
      h.finalRead(node, KEY, 0L);
    }
    List<FollowChecker.NodeJournal> empty = new ArrayList<>();
    for (String node : NODES) {
      empty.add(new FollowChecker.NodeJournal(node, KEY, 0, 0, List.of(), null));
    }

    Verdict verdict = check(Map.of(KEY, List.of()), List.of(), empty, h);

    assertThat(verdict.valid()).as(verdict.toString()).isTrue();
  }

  @Test
  void aNodeJournalStartingLaterAfterASnapshotInstallIsCountedNotAnAnomaly() {
    List<FollowChecker.NodeJournal> nodes = new ArrayList<>(journals(events(1, 5)));
    nodes.set(2, new FollowChecker.NodeJournal("n3", KEY, 4, 5, events(4, 5), null));

    Verdict verdict = check(goodStreams(), nodes);

    assertThat(verdict.valid()).as(verdict.toString()).isTrue();
    assertThat(verdict.stats()).containsEntry("journalsStartingLater", 1L).containsEntry("laterStarts", "n3:f0 from v4");
  }

  @Test
  void anAcknowledgedAppendMissingFromTheFinalHistoryIsLost() {
    HistoryBuilder h = history();
    h.done(2, Op.APPEND, KEY, 60);

    assertOnly(check(Map.of(KEY, events(1, 5)), goodStreams(), journals(events(1, 5)), h), Anomaly.LOST_WRITE);
  }

  @Test
  void aFinalHistoryWithAGapIsReported() {
    List<FollowChecker.Event> holed = new ArrayList<>(events(1, 2));
    holed.addAll(events(4, 5));

    Verdict verdict = check(Map.of(KEY, holed), List.of(), List.of(), history());

    assertThat(verdict.anomalies()).extracting(Anomaly::kind).contains(Anomaly.JOURNAL_GAP);
  }

  @Test
  void aNodeCountingOtherwiseInItsFinalReadDiverges() {
    HistoryBuilder h = new HistoryBuilder();
    for (long v = 1; v <= 5; v++) {
      h.done(1, Op.APPEND, KEY, 10 * v);
    }
    h.finalRead("n1", KEY, 5L);
    h.finalRead("n2", KEY, 4L);

    assertOnly(check(Map.of(KEY, events(1, 5)), goodStreams(), journals(events(1, 5)), h),
        Anomaly.DIVERGENT_FINAL_READS);
  }
}
