package io.pachyderm.storage.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pachyderm.protocol.JournalRecord;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening from a saved index gives exactly the journal a full scan gives, or falls back to the scan. */
class EventJournalIndexTest {
  @TempDir
  Path dir;

  private static final int REFS = 17;

  /** A node's journal driven by random operations over one fixed stream of leader entries. */
  private static final class Node {
    final List<List<JournalRecord>> entries = new ArrayList<>();
    final SplittableRandom random;
    long position; // last complete log index
    long gapFloor;

    Node(long seed, int entriesMax) {
      this(seed, entriesMax, 30);
    }

    Node(long seed, int entriesMax, int eventBytes) {
      random = new SplittableRandom(seed);
      Workload leader = new Workload(REFS, eventBytes);
      entries.add(List.of());
      for (long i = 1; i <= entriesMax; i++) {
        entries.add(leader.entry(i));
      }
    }

    boolean hasRoom(int k) {
      return position + k < entries.size();
    }

    void append(EventJournal journal, int k) {
      for (long i = position + 1; i <= position + k; i++) {
        for (JournalRecord r : entries.get((int) i)) {
          journal.append(r); // false for records already there (replay after an incomplete entry)
        }
      }
      position += k;
    }

    /** One random operation; saves the index now and then. */
    void step(EventJournal journal) {
      int op = random.nextInt(100);
      if (op < 60 && hasRoom(20)) {
        append(journal, 1 + random.nextInt(20));
      } else if (op < 70 && position - gapFloor > 1) {
        long to = Math.max(gapFloor, position - 1 - random.nextInt((int) Math.min(30, position - gapFloor)));
        journal.truncateAfter(to);
        position = to;
      } else if (op < 77 && hasRoom(40)) {
        long to = position + 1 + random.nextInt(30);
        assertThat(journal.markGap(to)).isTrue();
        position = to;
        gapFloor = to;
      } else if (op < 85 && hasRoom(2)) {
        List<JournalRecord> next = entries.get((int) position + 1);
        if (next.size() > 1) {
          journal.append(next.get(0)); // the process "dies" inside the entry
        }
      } else {
        journal.sync();
        journal.saveIndex();
        if (random.nextBoolean()) {
          journal.awaitIndexWritten();
        }
      }
    }
  }

  private static JournalState stateOf(EventJournal journal) {
    return JournalState.of(journal, REFS + 1);
  }

  private JournalState openByFullScan(Path journalDir) throws IOException {
    Path copy = Files.createTempDirectory(dir, "scan");
    copyTree(journalDir, copy);
    TestJournalOptions.forgetSavedIndex(copy);
    try (EventJournal journal = EventJournal.open(copy, TestJournalOptions.defaults())) {
      assertThat(journal.excerptsScannedAtOpen()).isGreaterThan(0);
      return stateOf(journal);
    }
  }

  @Test
  void openWithTheSavedIndexEqualsOpenByFullScanForRandomWorkloads() throws IOException {
    int indexUsed = 0;
    for (long seed = 1; seed <= 12; seed++) {
      Path journalDir = dir.resolve("seed-" + seed);
      Node node = new Node(seed, 3_000);
      JournalState live = null;
      for (int session = 0; session < 4; session++) {
        try (EventJournal journal = EventJournal.open(journalDir, TestJournalOptions.defaults())) {
          if (live != null) {
            assertThat(stateOf(journal)).as("seed %d session %d: reopened", seed, session).isEqualTo(live);
            if (journal.excerptsScannedAtOpen() < journal.records()) {
              indexUsed++;
            }
          }
          for (int step = 0; step < 40; step++) {
            node.step(journal);
          }
          live = stateOf(journal);
        }
        assertThat(openByFullScan(journalDir)).as("seed %d session %d: full scan", seed, session).isEqualTo(live);
      }
    }
    assertThat(indexUsed).as("reopens that loaded an index file").isGreaterThan(10);
  }

  @Test
  void indexSavedThenMoreAppendsThenReopenScansOnlyTheTail() throws IOException {
    Node node = new Node(7, 2_000);
    JournalState live;
    long tailExcerpts;
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      node.append(journal, 1_000);
      journal.sync();
      journal.saveIndex();
      long before = journal.records();
      node.append(journal, 100);
      tailExcerpts = journal.records() - before;
      live = stateOf(journal);
    }
    boolean heap = TestJournalOptions.kind() == JournalOptions.IndexKind.HEAP;
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      // The disk index is saved again at close (a flush); the heap kind's index file only by saveIndex.
      assertThat(journal.excerptsScannedAtOpen()).isEqualTo(heap ? tailExcerpts : 0);
      assertThat(stateOf(journal)).isEqualTo(live);
    }
    assertThat(indexFiles(dir)).hasSize(heap ? 1 : 0);
  }

  @Test
  void aCorruptOrTruncatedNewestFileFallsBackToTheOlderOneThenToTheFullScan() throws IOException {
    assumeTrue(TestJournalOptions.kind() == JournalOptions.IndexKind.HEAP, "index files: the heap kind's (DiskRefIndexTest has the disk kind's)");
    Node node = new Node(3, 2_000);
    JournalState live;
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      for (int save = 0; save < 3; save++) {
        node.append(journal, 300);
        journal.saveIndex();
        journal.awaitIndexWritten();
      }
      node.append(journal, 10);
      live = stateOf(journal);
    }
    List<Path> files = indexFiles(dir);
    assertThat(files).as("the newest two are kept").hasSize(2);
    byte[] newest = Files.readAllBytes(files.get(0));
    newest[newest.length / 2] ^= 0x40;
    Files.write(files.get(0), newest);
    long scannedWithOlder;
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      scannedWithOlder = journal.excerptsScannedAtOpen();
      assertThat(scannedWithOlder).isLessThan(journal.records());
      assertThat(stateOf(journal)).isEqualTo(live);
    }
    byte[] older = Files.readAllBytes(files.get(1));
    Files.write(files.get(1), java.util.Arrays.copyOf(older, older.length - 9));
    Files.write(dir.resolve(IndexFile.DIRECTORY).resolve("index-ffffffffffffffff.pji"), new byte[] {1, 2, 3});
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      assertThat(journal.excerptsScannedAtOpen()).as("no usable file: full scan").isGreaterThan(scannedWithOlder);
      assertThat(stateOf(journal)).isEqualTo(live);
    }
  }

  @Test
  void anIndexNewerThanTheQueueOrOfAnotherQueueIsNotUsed() throws IOException {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    try (EventJournal journal = EventJournal.open(a, TestJournalOptions.defaults())) {
      new Node(1, 1_000).append(journal, 500);
      journal.saveIndex();
    }
    JournalState bLive;
    try (EventJournal journal = EventJournal.open(b, TestJournalOptions.defaults())) {
      new Node(2, 1_000, 31).append(journal, 500); // same positions, other bytes
      bLive = stateOf(journal);
    }
    // Another queue: b with a's index.
    String saved = TestJournalOptions.savedIndexDirectory();
    deleteTree(b.resolve(saved));
    copyTree(a.resolve(saved), b.resolve(saved));
    try (EventJournal journal = EventJournal.open(b, TestJournalOptions.defaults())) {
      assertThat(journal.excerptsScannedAtOpen()).isEqualTo(journal.records());
      assertThat(stateOf(journal)).isEqualTo(bLive);
    }
    // The queue files deleted, the index left: the index refers to excerpts that are gone.
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(a, "*.cq4")) {
      for (Path p : stream) {
        Files.delete(p);
      }
    }
    try (EventJournal journal = EventJournal.open(a, TestJournalOptions.defaults())) {
      assertThat(journal.lastIndex()).isZero();
      assertThat(journal.records()).isZero();
      assertThat(journal.versions(Workload.ref(0))).isNull();
    }
  }

  @Test
  void retentionAfterLoadingDropsTheRecordsOfDeletedCyclesAndTheIndexDirectoryIsNotACycle() throws IOException {
    AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);
    JournalOptions forever = TestJournalOptions.builder()
        .rollCycle(JournalOptions.RollCycle.HOURLY).clockMs(clockMs::get).build();
    Node node = new Node(5, 2_000);
    try (EventJournal journal = EventJournal.open(dir, forever)) {
      for (int hour = 0; hour < 4; hour++) {
        node.append(journal, 100);
        clockMs.addAndGet(3_600_000L);
      }
      journal.sync();
      journal.saveIndex();
    }
    JournalOptions keepTwo = TestJournalOptions.builder()
        .rollCycle(JournalOptions.RollCycle.HOURLY).retainedCyclesMax(2).clockMs(clockMs::get).build();
    Path scanCopy = dir.resolveSibling(dir.getFileName() + "-scan");
    copyTree(dir, scanCopy);
    TestJournalOptions.forgetSavedIndex(scanCopy);
    try (EventJournal loaded = EventJournal.open(dir, keepTwo);
         EventJournal scanned = EventJournal.open(scanCopy, keepTwo)) {
      assertThat(loaded.excerptsScannedAtOpen()).isZero();
      assertThat(loaded.records()).isEqualTo(scanned.records()).isLessThan(400 * 2);
      assertThat(stateOf(loaded)).isEqualTo(stateOf(scanned));
      node.append(loaded, 10);
      assertThat(loaded.lastIndex()).isEqualTo(410);
    } finally {
      deleteTree(scanCopy);
    }
  }

  @Test
  void savingAnEmptyJournalWritesNothing() throws IOException {
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      journal.saveIndex();
      journal.awaitIndexWritten();
    }
    assertThat(indexFiles(dir)).isEmpty();
  }

  private static List<Path> indexFiles(Path journalDir) throws IOException {
    return IndexFile.listNewestFirst(journalDir.resolve(IndexFile.DIRECTORY));
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    List<Path> all = new ArrayList<>();
    try (var paths = Files.walk(root)) {
      paths.forEach(all::add);
    }
    for (int i = all.size() - 1; i >= 0; i--) {
      Files.deleteIfExists(all.get(i));
    }
  }
}
