package io.pachyderm.storage.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Ref;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk ref index ({@link JournalOptions.IndexKind#DISK}) at a scale where the heap kind costs
 * tens of MB: the heap it retains stays within its cache bound, history is right for random refs, a
 * save writes only the rows since the previous one, and a damaged or missing index, or an index
 * file of the heap kind, is rebuilt by a full scan. (The journal suite runs on this kind too: the
 * pom's journal-on-disk-ref-index execution.)
 */
class DiskRefIndexTest {
  private static final int MANY_REFS = 200_000;
  private static final long CACHE_BYTES_MAX = 256 << 10;

  @TempDir
  Path dir;

  private static JournalOptions disk() {
    return JournalOptions.builder().indexKind(JournalOptions.IndexKind.DISK).refCacheBytesMax(CACHE_BYTES_MAX).build();
  }

  /** Appends entries 1..to of {@code workload}, keeping the records of the refs in {@code watched}. */
  private static void append(EventJournal journal, Workload workload, long from, long to,
      TreeMap<Integer, List<JournalRecord>> watched) {
    for (long logIndex = from; logIndex <= to; logIndex++) {
      for (JournalRecord r : workload.entry(logIndex)) {
        assertThat(journal.append(r)).isTrue();
        int n = Integer.parseInt(r.getRef().getId().substring("acct-".length()));
        List<JournalRecord> kept = watched.get(n);
        if (kept != null) {
          kept.add(r);
        }
      }
    }
  }

  @Test
  void twoHundredThousandRefsKeepTheIndexsHeapWithinItsCacheAndHistoryRightAndASaveWritesOnlyNewRows()
      throws IOException {
    TreeMap<Integer, List<JournalRecord>> watched = new TreeMap<>();
    SplittableRandom random = new SplittableRandom(14);
    for (int i = 0; i < 64; i++) {
      watched.put(random.nextInt(MANY_REFS), new ArrayList<>());
    }
    Workload workload = new Workload(MANY_REFS, 20);
    long entries = MANY_REFS;
    try (EventJournal journal = EventJournal.open(dir, disk())) {
      append(journal, workload, 1, entries, watched);
      assertThat(journal.refs()).isGreaterThan(MANY_REFS * 9 / 10);
      // The heap kind holds ~150 bytes per ref (30 MB here); the disk kind its cache, the
      // checkpoints (16 bytes per 256 records) and the markers.
      long checkpointBytes = (journal.records() / JournalIndex.CHECKPOINT_EVERY + 64) * 2 * 16;
      assertThat(journal.indexHeapBytes()).as("heap retained by the index")
          .isLessThanOrEqualTo(CACHE_BYTES_MAX + checkpointBytes);
      assertHistories(journal, watched);

      journal.sync();
      journal.saveIndex();
      append(journal, workload, entries + 1, entries + 10, watched);
      journal.sync();
      journal.saveIndex();
      long rows = journal.diskRefIndex().rowsFlushedLast();
      // 10 entries of at most 3 records, each a row, a tail and the state row, and the save point:
      // nothing per ref.
      assertThat(rows).as("rows the second save flushed").isBetween(10L, 10L * 3 * 3 + 2);
    }
    try (EventJournal journal = EventJournal.open(dir, disk())) {
      assertThat(journal.excerptsScannedAtOpen()).as("saved at close: nothing to re-index").isZero();
      assertThat(journal.indexHeapBytes()).isLessThanOrEqualTo(CACHE_BYTES_MAX + 64 * 1024);
      assertHistories(journal, watched);
    }
  }

  private static void assertHistories(EventJournal journal, TreeMap<Integer, List<JournalRecord>> watched) {
    for (var e : watched.entrySet()) {
      Ref ref = Workload.ref(e.getKey());
      List<JournalRecord> expected = e.getValue();
      if (expected.isEmpty()) {
        assertThat(journal.versions(ref)).isNull();
        assertThat(journal.history(ref, 1, 10)).isEmpty();
        continue;
      }
      assertThat(journal.history(ref, 1, Integer.MAX_VALUE)).as("history of %s", ref.getId()).isEqualTo(expected);
      assertThat(journal.versions(ref)).isEqualTo(new VersionRange(1, expected.size()));
      assertThat(journal.history(ref, expected.size(), 5)).containsExactly(expected.get(expected.size() - 1));
    }
  }

  @Test
  void aDamagedRefIndexIsDeletedAndRebuiltByAFullScan() throws IOException {
    JournalState live;
    long records;
    try (EventJournal journal = EventJournal.open(dir, disk())) {
      append(journal, new Workload(17, 40), 1, 1_000, new TreeMap<>());
      live = JournalState.of(journal, 18);
      records = journal.records();
    }
    // CURRENT names the manifest RocksDB opens: pointing it at none makes the database unopenable.
    Files.writeString(dir.resolve(DiskRefIndex.DIRECTORY).resolve("CURRENT"), "MANIFEST-999999\n",
        StandardCharsets.UTF_8);
    try (EventJournal journal = EventJournal.open(dir, disk())) {
      assertThat(journal.excerptsScannedAtOpen()).as("rebuilt by a full scan").isEqualTo(records);
      assertThat(JournalState.of(journal, 18)).isEqualTo(live);
    }
    try (EventJournal journal = EventJournal.open(dir, disk())) {
      assertThat(journal.excerptsScannedAtOpen()).isZero();
      assertThat(JournalState.of(journal, 18)).isEqualTo(live);
    }
  }

  @Test
  void aJournalWithTheHeapKindsIndexFileOpensOnTheDiskKindByOneFullScan() throws IOException {
    JournalState live;
    long records;
    Workload workload = new Workload(17, 40);
    try (EventJournal journal = EventJournal.open(dir, JournalOptions.defaults())) {
      append(journal, workload, 1, 1_000, new TreeMap<>());
      journal.sync();
      journal.saveIndex();
      journal.awaitIndexWritten();
      live = JournalState.of(journal, 18);
      records = journal.records();
    }
    assertThat(IndexFile.listNewestFirst(dir.resolve(IndexFile.DIRECTORY))).hasSize(1);
    try (EventJournal journal = EventJournal.open(dir, disk())) {
      assertThat(journal.excerptsScannedAtOpen()).as("migration: one full scan").isEqualTo(records);
      assertThat(JournalState.of(journal, 18)).isEqualTo(live);
      append(journal, workload, 1_001, 1_010, new TreeMap<>());
      live = JournalState.of(journal, 18);
    }
    try (EventJournal journal = EventJournal.open(dir, disk())) {
      assertThat(journal.excerptsScannedAtOpen()).isZero();
      assertThat(JournalState.of(journal, 18)).isEqualTo(live);
    }
  }

  @Test
  void theCacheBoundIsValidated() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> JournalOptions.builder().refCacheBytesMax(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("refCacheBytesMax");
  }
}
