package io.pachyderm.storage.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.protocol.JournalEntry;
import io.pachyderm.protocol.JournalGap;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Ref;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's in-memory index on its own, fed records at made-up excerpts (nothing is written to
 * the queue, which is there only to name files in messages): its round trip through an index file,
 * the checks open's scan applies, and what retention's trim leaves.
 */
class JournalIndexTest {
  private static final int REFS = 13;
  /** Made-up excerpt numbers: the index only needs them to increase. */
  private static final long FIRST_EXCERPT = 0x1000;

  @TempDir
  Path dir;

  private JournalQueue queue;
  private long nextExcerpt = FIRST_EXCERPT;

  @BeforeEach
  void openQueue() {
    queue = new JournalQueue(dir.resolve("queue"), JournalOptions.defaults());
  }

  @AfterEach
  void closeQueue() {
    queue.close();
  }

  @Test
  void anIndexSavedToItsFileAndLoadedBackAnswersAsTheLiveOneDid() throws Exception {
    JournalIndex live = new JournalIndex(queue);
    Workload workload = new Workload(REFS, 40);
    add(live, workload, 1, 600);
    for (long skipped = 601; skipped <= 700; skipped++) {
      workload.entry(skipped); // inside the gap: never journaled here, so versions jump after it
    }
    live.applyGap(nextExcerpt++, 700);
    add(live, workload, 701, 750);

    IndexImage saved = live.capture();
    saved.throughExcerptCrc = 42;
    Path file = IndexFile.write(dir.resolve("index"), saved);
    JournalIndex loaded = new JournalIndex(queue);
    loaded.install(IndexFile.read(file));

    assertSameAnswers(loaded, live);
    // Both go on alike: the loaded one skips a replay and accepts the next entry at the same excerpt.
    assertThat(loaded.admit(new Workload(REFS, 40).entry(1).get(0))).as("entry 1 is already journaled").isFalse();
    List<JournalRecord> next = workload.entry(751);
    long excerpt = nextExcerpt;
    add(live, next);
    nextExcerpt = excerpt;
    add(loaded, next);
    assertSameAnswers(loaded, live);
  }

  @Test
  void anEmptyIndexCapturesNothing() {
    assertThat(new JournalIndex(queue).capture()).isNull();
  }

  @Test
  void theScanRefusesEntriesThatBreakTheOrderNamingTheExcerpt() {
    JournalIndex index = new JournalIndex(queue);
    Workload workload = new Workload(REFS, 40);
    JournalRecord last = null;
    for (long logIndex = 1; logIndex <= 3; logIndex++) {
      for (JournalRecord r : workload.entry(logIndex)) {
        index.applyScanned(nextExcerpt++, JournalEntry.newBuilder().setRecord(r).build());
        last = r;
      }
    }
    JournalRecord skipsAVersion = last.toBuilder().setLogIndex(4).setEntrySeq(0).setEntryEvents(1)
        .setVersion(last.getVersion() + 2).build();

    assertThatThrownBy(() -> index.applyScanned(0x2000, JournalEntry.newBuilder().setRecord(skipsAVersion).build()))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining("excerpt 0x2000: entry 4: account/" + last.getRef().getId() + " version "
            + skipsAVersion.getVersion() + ", expected " + (last.getVersion() + 1));
    assertThatThrownBy(() -> index.applyScanned(0x2001, JournalEntry.newBuilder()
        .setGap(JournalGap.newBuilder().setAfterLogIndex(1).setToLogIndex(2)).build()))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining("excerpt 0x2001: gap (1, 2] does not follow log index 3");
    assertThatThrownBy(() -> index.applyScanned(0x2002, JournalEntry.getDefaultInstance()))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining("excerpt 0x2002: JournalEntry of unknown kind");
    JournalRecord again = new Workload(REFS, 40).entry(1).get(0);
    assertThatThrownBy(() -> index.applyScanned(0x2003, JournalEntry.newBuilder().setRecord(again).build()))
        .as("a record at or before the end is already journaled: in the queue it is out of order")
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining("excerpt 0x2003: record at 1/0 does not follow 3/0");
    assertThat(index.last().logIndex()).as("a refused entry leaves the index as it was").isEqualTo(3);
  }

  @Test
  void trimmingWhatRetentionDeletedLeavesWhatAScanOfTheRestWouldBuild() {
    JournalIndex index = new JournalIndex(queue);
    Workload workload = new Workload(REFS, 40);
    add(index, workload, 1, 300);
    long gapExcerpt = nextExcerpt++;
    index.applyGap(gapExcerpt, 400);
    for (long skipped = 301; skipped <= 400; skipped++) {
      workload.entry(skipped);
    }
    List<JournalRecord> kept = new ArrayList<>(workload.entry(401));
    kept.addAll(workload.entry(402));
    add(index, kept);
    assertThatThrownBy(() -> index.holdsAfter(350)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot truncate after log index 350, below the gap marked up to 400");

    index.trimBefore(gapExcerpt + 1); // the files up to and including the gap marker are gone

    assertThat(index.records()).isEqualTo(kept.size());
    for (JournalRecord r : kept) {
      VersionRange versions = index.versions(r.getRef());
      assertThat(versions.first()).isLessThanOrEqualTo(r.getVersion());
      assertThat(versions.last()).isGreaterThanOrEqualTo(r.getVersion());
      assertThat(versions.last() - versions.first() + 1)
          .isEqualTo(kept.stream().filter(k -> k.getRef().equals(r.getRef())).count());
    }
    assertThat(index.checkpointBefore(Long.MAX_VALUE)).as("the checkpoints went with their files").isEqualTo(-1);
    // The gap marker went with its file, as a scan of the rest would not see it: nothing stops a
    // truncation below it any more.
    assertThat(index.holdsAfter(350)).isTrue();
    assertThat(index.last().logIndex()).isEqualTo(402);
  }

  /**
   * A compaction (any thread) trims between an append's check and its index update: the ref's
   * whole run was in the deleted files. The record must still be indexed, as the first of a new
   * run (what a scan of the remaining files builds), not added to the run that left the index.
   */
  @Test
  void aRecordAdmittedBeforeRetentionDroppedItsRefsRunIsIndexedAfterTheTrim() {
    JournalIndex index = new JournalIndex(queue);
    Workload workload = new Workload(REFS, 40);
    add(index, workload, 1, 30);
    JournalRecord next = workload.entry(31).get(0);
    assertThat(index.versions(next.getRef())).as("the ref has earlier records").isNotNull();

    assertThat(index.admit(next)).isTrue();
    index.trimBefore(nextExcerpt); // every record so far was in the deleted files
    index.add(nextExcerpt++, next);

    assertThat(index.versions(next.getRef())).isEqualTo(new VersionRange(next.getVersion(), next.getVersion()));
    assertThat(index.records()).isEqualTo(1);
    assertThat(index.run(next.getRef(), 1, Integer.MAX_VALUE).size()).isEqualTo(1);
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private void add(JournalIndex index, Workload workload, long fromLogIndex, long toLogIndex) {
    for (long logIndex = fromLogIndex; logIndex <= toLogIndex; logIndex++) {
      add(index, workload.entry(logIndex));
    }
  }

  private void add(JournalIndex index, List<JournalRecord> records) {
    for (JournalRecord r : records) {
      assertThat(index.admit(r)).isTrue();
      index.add(nextExcerpt++, r);
    }
  }

  private static void assertSameAnswers(JournalIndex actual, JournalIndex expected) {
    assertThat(actual.last()).isEqualTo(expected.last());
    assertThat(actual.records()).isEqualTo(expected.records());
    assertThat(actual.refs()).isEqualTo(expected.refs());
    for (int n = 0; n < REFS; n++) {
      Ref ref = Workload.ref(n);
      assertThat(actual.versions(ref)).as("versions of %s", ref.getId()).isEqualTo(expected.versions(ref));
      JournalIndex.Run a = actual.run(ref, 1, Integer.MAX_VALUE);
      JournalIndex.Run e = expected.run(ref, 1, Integer.MAX_VALUE);
      assertThat(Arrays.copyOf(a.excerpts(), a.size())).isEqualTo(Arrays.copyOf(e.excerpts(), e.size()));
    }
    for (long logIndex : new long[] {1, 2, 100, 300, 600, 700, 701, 750, 751, Long.MAX_VALUE}) {
      assertThat(actual.checkpointBefore(logIndex)).as("checkpoint before %d", logIndex)
          .isEqualTo(expected.checkpointBefore(logIndex));
    }
  }
}
