package io.pachyderm.storage.journal;

import static io.pachyderm.storage.journal.EventJournalCrashTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Ref;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventJournalTest {
  @TempDir
  Path dir;

  private static final int REFS = 13;

  /** Appends entries 1..toIndex and returns every record in order. */
  private static List<JournalRecord> appendEntries(EventJournal journal, Workload workload, long fromIndex, long toIndex) {
    List<JournalRecord> out = new ArrayList<>();
    for (long index = fromIndex; index <= toIndex; index++) {
      for (JournalRecord r : workload.entry(index)) {
        assertThat(journal.append(r)).as("append %d/%d", r.getLogIndex(), r.getEntrySeq()).isTrue();
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

  @Test
  void manyRecordsRoundTripInOrderAndPerRef() throws IOException {
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      List<JournalRecord> written = appendEntries(journal, new Workload(REFS, 100), 1, 5_000);
      assertThat(journal.lastIndex()).isEqualTo(5_000);
      assertThat(journal.records()).isEqualTo(written.size());
      assertThat(journal.refs()).isEqualTo(REFS);
      assertThat(readAll(journal)).containsExactlyElementsOf(written);
      for (int n = 0; n < REFS; n++) {
        Ref ref = Workload.ref(n);
        assertThat(journal.history(ref, 1, Integer.MAX_VALUE)).containsExactlyElementsOf(ofRef(written, ref));
      }
    }
  }

  @Test
  void historyStartsAtTheRequestedVersionAndStopsAtTheLimit() throws IOException {
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      List<JournalRecord> written = appendEntries(journal, new Workload(REFS, 50), 1, 1_000);
      Ref ref = Workload.ref(5);
      List<JournalRecord> all = ofRef(written, ref);
      List<JournalRecord> page = journal.history(ref, 40, 25);
      assertThat(page).containsExactlyElementsOf(all.subList(39, 64));
      assertThat(page.get(0).getVersion()).isEqualTo(40);
      assertThat(journal.history(ref, all.size(), 10)).containsExactly(all.get(all.size() - 1));
      assertThat(journal.history(ref, all.size() + 1, 10)).isEmpty();
      assertThat(journal.history(ref, 0, 3)).containsExactlyElementsOf(all.subList(0, 3));
      assertThat(journal.history(Workload.ref(REFS + 1), 1, 10)).isEmpty();
    }
  }

  @Test
  void reopenFindsLastIndexAndServesHistoryAndAcceptsTheNextEntry() throws IOException {
    Workload workload = new Workload(REFS, 80);
    List<JournalRecord> written;
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      written = appendEntries(journal, workload, 1, 2_000);
    }
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      assertThat(journal.lastIndex()).isEqualTo(2_000);
      assertThat(journal.lastEntrySeq()).isEqualTo(written.get(written.size() - 1).getEntrySeq());
      assertThat(journal.records()).isEqualTo(written.size());
      Ref ref = Workload.ref(3);
      assertThat(journal.history(ref, 1, 10_000)).containsExactlyElementsOf(ofRef(written, ref));
      written.addAll(appendEntries(journal, workload, 2_001, 2_010));
      assertThat(readAll(journal)).containsExactlyElementsOf(written);
    }
  }

  @Test
  void appendAtOrBeforeTheLastPositionIsSkippedAndGapsAreRefused() throws IOException {
    Workload workload = new Workload(REFS, 40);
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      List<JournalRecord> written = appendEntries(journal, workload, 1, 10);
      long bytes = journal.bytesAppended();
      assertThat(bytes).as("bytes appended, for the node's metrics").isGreaterThanOrEqualTo(
          written.stream().mapToLong(JournalRecord::getSerializedSize).sum());
      for (JournalRecord r : written) {
        assertThat(journal.append(r)).isFalse();
      }
      assertThat(journal.records()).isEqualTo(written.size());
      assertThat(journal.bytesAppended()).as("skipped replays write nothing").isEqualTo(bytes);

      List<JournalRecord> entry11 = workload.entry(11); // 3 events (11 % 3 == 2)
      assertThat(entry11).hasSize(3);
      assertThat(journal.append(entry11.get(0))).isTrue();
      assertThatThrownBy(() -> journal.append(entry11.get(2)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry_seq 2 after 0 leaves a gap");
      JournalRecord versionGap = entry11.get(1).toBuilder().setVersion(entry11.get(1).getVersion() + 5).build();
      assertThatThrownBy(() -> journal.append(versionGap))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected " + entry11.get(1).getVersion());
      assertThatThrownBy(() -> journal.append(entry11.get(1).toBuilder().setEntryEvents(4).build()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry_events 4 differs from 3");
      assertThatThrownBy(() -> journal.append(entry11.get(1).toBuilder().setEntryEvents(1).build()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry_seq 1 of 1");
      assertThatThrownBy(() -> journal.append(entry11.get(1).toBuilder().clearRef().build()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without a ref");
      assertThat(journal.append(entry11.get(1))).isTrue();
      assertThat(journal.append(entry11.get(2))).isTrue();
      assertThat(journal.lastIndex()).isEqualTo(11);
      assertThat(journal.lastEntrySeq()).isEqualTo(2);
      assertThat(journal.lastCompleteIndex()).isEqualTo(11);
      List<JournalRecord> entry12 = workload.entry(12); // 1 event
      List<JournalRecord> entry13 = workload.entry(13); // 2 events
      assertThat(journal.append(entry12.get(0))).isTrue();
      assertThatThrownBy(() -> journal.append(entry13.get(1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must start at entry_seq 0");
    }
  }

  @Test
  void recordsOverTheSizeLimitAreRefusedBeforeWriting() throws IOException {
    JournalOptions options = TestJournalOptions.builder().recordBytesMax(256).build();
    try (EventJournal journal = EventJournal.open(dir, options)) {
      JournalRecord big = new Workload(REFS, 400).entry(1).get(0);
      assertThatThrownBy(() -> journal.append(big))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("over recordBytesMax 256");
      assertThat(journal.records()).isZero();
      assertThat(journal.lastIndex()).isZero();
    }
  }

  @Test
  void truncateAfterVoidsTheTailAndReplayFillsItAgain() throws IOException {
    Workload original = new Workload(REFS, 60);
    List<JournalRecord> kept;
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      kept = appendEntries(journal, original, 1, 300);
      appendEntries(journal, original, 301, 400);
      assertThat(journal.truncateAfter(400)).isFalse();
      assertThat(journal.truncateAfter(300)).isTrue();
      assertThat(journal.lastIndex()).isEqualTo(300);
      assertThat(journal.lastEntrySeq()).isEqualTo(kept.get(kept.size() - 1).getEntrySeq());
      assertThat(journal.records()).isEqualTo(kept.size());
      assertThat(readAll(journal)).containsExactlyElementsOf(kept);
      Ref ref = Workload.ref(7);
      assertThat(journal.history(ref, 1, 10_000)).containsExactlyElementsOf(ofRef(kept, ref));
    }
    // Survives reopen; replaying the Raft log from lastIndex + 1 gives one history again.
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      assertThat(journal.lastIndex()).isEqualTo(300);
      assertThat(readAll(journal)).containsExactlyElementsOf(kept);
      Workload replay = new Workload(REFS, 60);
      List<JournalRecord> all = new ArrayList<>();
      for (long index = 1; index <= 300; index++) {
        all.addAll(replay.entry(index));
      }
      all.addAll(appendEntries(journal, replay, 301, 350));
      assertThat(readAll(journal)).containsExactlyElementsOf(all);
      // A second, deeper truncation also voids records written before the first marker.
      assertThat(journal.truncateAfter(120)).isTrue();
      List<JournalRecord> upTo120 = new ArrayList<>();
      for (JournalRecord r : all) {
        if (r.getLogIndex() <= 120) {
          upTo120.add(r);
        }
      }
      assertThat(journal.lastIndex()).isEqualTo(120);
      assertThat(readAll(journal)).containsExactlyElementsOf(upTo120);
      assertThat(journal.readFrom(100).next().getLogIndex()).isEqualTo(100);
    }
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      assertThat(journal.lastIndex()).isEqualTo(120);
      Ref ref = Workload.ref(2);
      List<JournalRecord> history = journal.history(ref, 1, 10_000);
      assertThat(history).allMatch(r -> r.getLogIndex() <= 120).isNotEmpty();
      assertThat(history.get(history.size() - 1).getVersion()).isEqualTo(history.size());
    }
  }

  @Test
  void truncationInsideAnEntryIsRepairedByReplayingThatEntry() throws IOException {
    Workload original = new Workload(REFS, 60);
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      appendEntries(journal, original, 1, 10);
      // Entry 11 only partly journaled (the process died between its events).
      assertThat(journal.append(original.entry(11).get(0))).isTrue();
      assertThat(journal.lastIndex()).isEqualTo(11);
      assertThat(journal.lastEntrySeq()).isZero();
      assertThat(journal.lastCompleteIndex()).isEqualTo(10);
      JournalRecord entry12 = new Workload(REFS, 60).entry(12).get(0);
      assertThatThrownBy(() -> journal.append(entry12))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("which is incomplete (1 of 3 records)");
    }
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      Workload replay = new Workload(REFS, 60);
      List<JournalRecord> all = new ArrayList<>();
      for (long index = 1; index <= 12; index++) {
        for (JournalRecord r : replay.entry(index)) {
          journal.append(r);
          all.add(r);
        }
      }
      assertThat(readAll(journal)).containsExactlyElementsOf(all);
      assertThat(journal.lastCompleteIndex()).isEqualTo(12);
    }
  }

  @Test
  void tailerReturnsRecordsFromALogIndexAndThenNewAppends() throws IOException {
    Workload workload = new Workload(REFS, 60);
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      List<JournalRecord> written = appendEntries(journal, workload, 1, 2_000);
      try (JournalTailer tailer = journal.readFrom(1_234)) {
        List<JournalRecord> expected = new ArrayList<>();
        for (JournalRecord r : written) {
          if (r.getLogIndex() >= 1_234) {
            expected.add(r);
          }
        }
        List<JournalRecord> read = new ArrayList<>();
        for (int i = 0; i <= expected.size(); i++) {
          JournalRecord r = tailer.next();
          if (r == null) {
            break;
          }
          read.add(r);
        }
        assertThat(read).containsExactlyElementsOf(expected);
        assertThat(tailer.next()).isNull();
        List<JournalRecord> more = appendEntries(journal, workload, 2_001, 2_002);
        assertThat(tailer.next()).isEqualTo(more.get(0));
      }
      try (JournalTailer past = journal.readFrom(5_000)) {
        assertThat(past.next()).isNull();
      }
    }
  }

  @Test
  void retentionKeepsTheNewestCyclesAndHistoryStartsAtTheOldestRetainedVersion() throws IOException {
    AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);
    JournalOptions options = TestJournalOptions.builder()
        .rollCycle(JournalOptions.RollCycle.HOURLY).retainedCyclesMax(2).clockMs(clockMs::get).build();
    Workload workload = new Workload(REFS, 60);
    List<JournalRecord> lastTwoHours = new ArrayList<>();
    try (EventJournal journal = EventJournal.open(dir, options)) {
      for (int hour = 0; hour < 4; hour++) {
        List<JournalRecord> written = appendEntries(journal, workload, hour * 100L + 1, hour * 100L + 100);
        if (hour >= 2) {
          lastTwoHours.addAll(written);
        }
        clockMs.addAndGet(3_600_000L);
      }
      assertThat(cycleFiles()).hasSize(2);
      assertThat(journal.records()).isEqualTo(lastTwoHours.size());
      assertThat(readAll(journal)).containsExactlyElementsOf(lastTwoHours);
      Ref ref = Workload.ref(4);
      List<JournalRecord> expected = ofRef(lastTwoHours, ref);
      assertThat(journal.history(ref, 1, 10_000)).containsExactlyElementsOf(expected);
    }
    try (EventJournal journal = EventJournal.open(dir, options)) {
      assertThat(journal.lastIndex()).isEqualTo(400);
      assertThat(readAll(journal)).containsExactlyElementsOf(lastTwoHours);
    }
  }

  @Test
  void keepForeverIsTheDefault() throws IOException {
    AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);
    JournalOptions options = TestJournalOptions.builder().rollCycle(JournalOptions.RollCycle.HOURLY).clockMs(clockMs::get).build();
    try (EventJournal journal = EventJournal.open(dir, options)) {
      Workload workload = new Workload(REFS, 60);
      for (int hour = 0; hour < 4; hour++) {
        appendEntries(journal, workload, hour * 10L + 1, hour * 10L + 10);
        clockMs.addAndGet(3_600_000L);
      }
      assertThat(cycleFiles()).hasSize(4);
      assertThat(readAll(journal)).hasSize((int) journal.records());
    }
  }

  /** Not the last excerpt, so not a torn write: corruption (a bad last one is cut, EventJournalIntegrityTest). */
  @Test
  void anExcerptThatIsNotAJournalEntryBeforeTheLastStopsOpenAndNamesTheFile() throws IOException {
    Workload workload = new Workload(REFS, 40);
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      appendEntries(journal, workload, 1, 5);
    }
    try (ChronicleQueue raw = ChronicleQueue.singleBuilder(dir).rollCycle(RollCycles.FAST_DAILY).build();
         ExcerptAppender appender = raw.createAppender()) {
      try (DocumentContext dc = appender.writingDocument()) {
        dc.wire().bytes().write(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
      }
      try (DocumentContext dc = appender.writingDocument()) {
        dc.wire().bytes().write(RecordFrame.checkedExcerpt(
            io.pachyderm.protocol.JournalEntry.newBuilder().setRecord(workload.entry(6).get(0)).build()));
      }
    }
    List<Path> files = cycleFiles();
    assertThat(files).hasSize(1);
    assertThatThrownBy(() -> EventJournal.open(dir, TestJournalOptions.defaults()))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining(files.get(0).toString()).hasMessageContaining("not a JournalEntry");
  }

  @Test
  void syncForcesTheFilesAndTheJournalStaysUsable() throws IOException {
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      Workload workload = new Workload(REFS, 40);
      List<JournalRecord> written = appendEntries(journal, workload, 1, 50);
      journal.flush();
      journal.sync();
      written.addAll(appendEntries(journal, workload, 51, 60));
      journal.sync();
      assertThat(readAll(journal)).containsExactlyElementsOf(written);
    }
  }

  /** The recipe of JOURNAL.md for projections: a plain read-only Chronicle tailer and protobuf. */
  @Test
  void anExternalReaderWithPlainChronicleReadsTheDocumentedFormat() throws Exception {
    List<JournalRecord> written;
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      Workload workload = new Workload(REFS, 40);
      written = appendEntries(journal, workload, 1, 20);
      journal.truncateAfter(15);
      written.removeIf(r -> r.getLogIndex() > 15);
      Workload replay = new Workload(REFS, 40);
      for (long index = 1; index <= 15; index++) {
        replay.entry(index); // advance the versions to where the journal now ends
      }
      written.addAll(appendEntries(journal, replay, 16, 18));
      // A snapshot installed up to 30: entries 19..30 never reach this journal.
      for (long index = 19; index <= 30; index++) {
        replay.entry(index);
      }
      assertThat(journal.markGap(30)).isTrue();
      written.addAll(appendEntries(journal, replay, 31, 33));
    }
    List<io.pachyderm.protocol.JournalEntry> excerpts = new ArrayList<>();
    try (ChronicleQueue queue = ChronicleQueue.singleBuilder(dir).readOnly(true).build();
         net.openhft.chronicle.queue.ExcerptTailer tailer = queue.createTailer()) {
      for (int i = 0; i < 10_000; i++) {
        try (DocumentContext dc = tailer.readingDocument()) {
          if (!dc.isPresent()) {
            break;
          }
          byte[] bytes = dc.wire().bytes().toByteArray();
          // The recipe's check: 0x7D, then the CRC32C (little-endian) of the bytes after those five.
          assertThat(bytes[0]).isEqualTo((byte) 0x7D);
          java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
          crc.update(bytes, 5, bytes.length - 5);
          int stored = java.nio.ByteBuffer.wrap(bytes, 1, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
          assertThat(stored).isEqualTo((int) crc.getValue());
          io.pachyderm.protocol.JournalEntry entry = io.pachyderm.protocol.JournalEntry.parseFrom(bytes);
          assertThat(entry.getCrc32C()).isEqualTo(stored);
          excerpts.add(entry);
        }
      }
    }
    // Apply the documented rule: a marker voids earlier records above its after_log_index.
    List<JournalRecord> valid = new ArrayList<>();
    for (io.pachyderm.protocol.JournalEntry e : excerpts) {
      if (e.hasTruncation()) {
        long after = e.getTruncation().getAfterLogIndex();
        valid.removeIf(r -> r.getLogIndex() > after);
      } else if (e.hasGap()) {
        continue; // records of (after, to] are not on this node
      } else {
        valid.add(e.getRecord());
      }
    }
    assertThat(excerpts.stream().filter(io.pachyderm.protocol.JournalEntry::hasTruncation).count()).isEqualTo(1);
    assertThat(excerpts.stream().filter(io.pachyderm.protocol.JournalEntry::hasGap).count()).isEqualTo(1);
    assertThat(valid).containsExactlyElementsOf(written);
  }

  @Test
  void syncCoversEveryCycleFileWrittenSinceTheLastSync() throws IOException {
    AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);
    for (JournalOptions.RollCycle cycle : JournalOptions.RollCycle.values()) {
      Path sub = dir.resolve(cycle.name());
      JournalOptions options = TestJournalOptions.builder().rollCycle(cycle).clockMs(clockMs::get).build();
      try (EventJournal journal = EventJournal.open(sub, options)) {
        Workload workload = new Workload(REFS, 40);
        for (int step = 0; step < 3; step++) {
          appendEntries(journal, workload, step * 10L + 1, step * 10L + 10);
          clockMs.addAndGet(8L * 24 * 3_600_000L); // past every roll cycle's length
        }
        journal.sync(); // throws if a written cycle file is not where Chronicle names it
        assertThat(journal.records()).isEqualTo(60);
        assertThat(readAll(journal)).as("records read back with roll cycle %s", cycle).hasSize(60);
      }
    }
  }

  private List<Path> cycleFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.cq4")) {
      for (Path p : stream) {
        files.add(p);
      }
    }
    return files;
  }
}
