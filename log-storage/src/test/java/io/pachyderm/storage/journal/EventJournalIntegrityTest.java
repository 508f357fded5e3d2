package io.pachyderm.storage.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.protocol.JournalEntry;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Ref;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every journal excerpt carries a CRC32C: a damaged record is never returned (open's scan, history
 * and tailers name the file and the record instead), a damaged <b>last</b> excerpt is a torn write
 * that open cuts and replay refills, and journals written before checksums still open.
 */
class EventJournalIntegrityTest {
  private static final int REFS = 13;
  private static final int EVENT_BYTES = 120;
  /** Where record bytes live in a fresh cycle file: far less than Chronicle's sparse file size. */
  private static final int SEARCHED_BYTES_MAX = 16 << 20;

  @TempDir
  Path dir;

  @Test
  void aFlippedByteInAnEventStopsOpensScanNamingTheFileAndTheRecord() throws IOException {
    appendEntries(100);
    JournalRecord victim = expectedEntry(50).get(0);
    Path file = flipFirst("\"amount\":50,", "\"amount\":90,");

    assertThatThrownBy(() -> EventJournal.open(dir, TestJournalOptions.defaults()))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining("journal " + file)
        .hasMessageContaining("fails its CRC32C check")
        .hasMessageContaining("claims to be account/" + victim.getRef().getId() + " v" + victim.getVersion() + " at 50");
  }

  @Test
  void aFlippedByteBehindTheSavedIndexFailsHistoryAndTailersAndNeverReturnsTheEvent() throws IOException {
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      append(journal, new Workload(REFS, EVENT_BYTES), 1, 100);
      journal.sync();
      journal.saveIndex();
      journal.awaitIndexWritten();
    }
    JournalRecord victim = expectedEntry(50).get(0);
    Ref ref = victim.getRef();
    Path file = flipFirst("\"amount\":50,", "\"amount\":90,");

    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      assertThat(journal.excerptsScannedAtOpen()).as("open used the saved index: the record was not scanned").isZero();
      assertThatThrownBy(() -> journal.history(ref, 1, Integer.MAX_VALUE))
          .isInstanceOf(JournalCorruptException.class)
          .hasMessageContaining("journal " + file)
          .hasMessageContaining("account/" + ref.getId() + " version " + victim.getVersion() + " by the index")
          .hasMessageContaining("fails its CRC32C check");
      // The versions around it are served; the damaged one never is.
      List<JournalRecord> before = journal.history(ref, 1, (int) victim.getVersion() - 1);
      assertThat(before).extracting(JournalRecord::getVersion).doesNotContain(victim.getVersion());
      assertThat(journal.history(ref, victim.getVersion() + 1, 1_000)).isNotEmpty();
      Ref other = Workload.ref(0).equals(ref) ? Workload.ref(1) : Workload.ref(0);
      assertThat(journal.history(other, 1, 1_000)).isNotEmpty();
      try (JournalTailer tailer = journal.readFrom(1)) {
        assertThatThrownBy(() -> {
          for (int i = 0; i < 1_000; i++) {
            JournalRecord r = tailer.next();
            assertThat(r).as("the tailer reaches the damaged record before the end").isNotNull();
            assertThat(r.getEvent().getData().toStringUtf8()).doesNotContain("\"amount\":90,");
          }
        }).isInstanceOf(JournalCorruptException.class).hasMessageContaining("fails its CRC32C check");
      }
    }
  }

  /** The ways a crash or a full disk leaves the last excerpt complete but wrong. */
  enum Torn {
    /** The record's pages were never written (a full tmpfs, a machine crash): zeros. */
    ZEROS,
    /** The first half was written, the rest never was. */
    HALF_THEN_ZEROS,
    /** The whole record is there but one byte differs (a failed CRC on the last record only). */
    LAST_RECORD_BYTE_FLIPPED
  }

  @ParameterizedTest
  @EnumSource(Torn.class)
  void aTornLastExcerptIsCutOnOpenAndReplayRefillsIt(Torn torn) throws IOException {
    appendEntries(50);
    if (torn == Torn.LAST_RECORD_BYTE_FLIPPED) {
      flipLast("\"amount\":50,", "\"amount\":90,"); // entry 50 has 3 events: the last one's
    } else {
      byte[] whole = RecordFrame.checkedExcerpt(JournalEntry.newBuilder().setRecord(expectedEntry(51).get(0)).build());
      byte[] written = new byte[whole.length];
      if (torn == Torn.HALF_THEN_ZEROS) {
        System.arraycopy(whole, 0, written, 0, whole.length / 2);
      }
      appendRaw(written);
    }

    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      long complete = torn == Torn.LAST_RECORD_BYTE_FLIPPED ? 49 : 50;
      assertThat(journal.lastCompleteIndex()).isEqualTo(complete);
      assertThat(readAll(journal)).containsExactlyElementsOf(expected(50).subList(0, (int) journal.records()));
      // What the node does next: replay the Raft log; journaled records are skipped.
      append(journal, new Workload(REFS, EVENT_BYTES), 1, 60);
      assertThat(readAll(journal)).containsExactlyElementsOf(expected(60));
    }
    try (EventJournal reopened = EventJournal.open(dir, TestJournalOptions.defaults())) {
      assertThat(reopened.lastIndex()).isEqualTo(60);
      assertThat(readAll(reopened)).containsExactlyElementsOf(expected(60));
      for (JournalRecord r : expected(60)) {
        assertThat(reopened.history(r.getRef(), r.getVersion(), 1)).containsExactly(r);
      }
    }
    // An external reader sees the torn excerpt, then the marker that names it (JOURNAL.md's rule).
    List<Long> cut = new ArrayList<>();
    long tornIndex = -1;
    try (ChronicleQueue queue = ChronicleQueue.singleBuilder(dir).readOnly(true).build();
         ExcerptTailer tailer = queue.createTailer()) {
      for (int i = 0; i < 10_000; i++) {
        try (DocumentContext dc = tailer.readingDocument()) {
          if (!dc.isPresent()) {
            break;
          }
          byte[] bytes = dc.wire().bytes().toByteArray();
          if (RecordFrame.decode(bytes, bytes.length) instanceof RecordFrame.Valid v) {
            if (v.entry().hasTruncation()) {
              cut.add(v.entry().getTruncation().getTornExcerpt());
            }
          } else {
            assertThat(tornIndex).as("one bad excerpt").isEqualTo(-1);
            tornIndex = dc.index();
          }
        }
      }
    }
    assertThat(cut).containsExactly(tornIndex);
  }

  @Test
  void aBadExcerptThatIsNotTheLastIsCorruptionNotATornTail() throws IOException {
    appendEntries(50);
    appendRaw(new byte[200]);
    appendRaw(RecordFrame.checkedExcerpt(JournalEntry.newBuilder().setRecord(expectedEntry(51).get(0)).build()));

    assertThatThrownBy(() -> EventJournal.open(dir, TestJournalOptions.defaults()))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining(".cq4: record at index 0x")
        .hasMessageContaining("unreadable) is not a JournalEntry");
  }

  @Test
  void aJournalWrittenBeforeChecksumsOpensUncheckedAndNewRecordsAreChecked() throws IOException {
    // As the previous version wrote it: bare JournalEntry bytes, no checksum.
    try (ChronicleQueue raw = ChronicleQueue.singleBuilder(dir).rollCycle(RollCycles.FAST_DAILY).build();
         ExcerptAppender appender = raw.createAppender()) {
      for (long index = 1; index <= 30; index++) {
        for (JournalRecord r : expectedEntry(index)) {
          try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().write(JournalEntry.newBuilder().setRecord(r).build().toByteArray());
          }
        }
      }
    }
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      assertThat(journal.lastIndex()).isEqualTo(30);
      assertThat(readAll(journal)).containsExactlyElementsOf(expected(30));
      append(journal, new Workload(REFS, EVENT_BYTES), 1, 40);
    }
    List<Boolean> checked = new ArrayList<>();
    try (ChronicleQueue queue = ChronicleQueue.singleBuilder(dir).readOnly(true).build();
         ExcerptTailer tailer = queue.createTailer()) {
      for (int i = 0; i < 10_000; i++) {
        try (DocumentContext dc = tailer.readingDocument()) {
          if (!dc.isPresent()) {
            break;
          }
          checked.add(dc.wire().bytes().readByte(dc.wire().bytes().readPosition()) == RecordFrame.CHECKSUM_TAG);
        }
      }
    }
    int oldRecords = expected(30).size();
    assertThat(checked.subList(0, oldRecords)).containsOnly(false);
    assertThat(checked.subList(oldRecords, checked.size())).hasSize(expected(40).size() - oldRecords).containsOnly(true);
    try (EventJournal reopened = EventJournal.open(dir, TestJournalOptions.defaults())) {
      assertThat(readAll(reopened)).containsExactlyElementsOf(expected(40));
      JournalRecord first = expected(1).get(0);
      assertThat(reopened.history(first.getRef(), 1, 1)).containsExactly(first);
    }
  }

  @Test
  void aRecordWithoutChecksumInAJournalThatBeganWithThemIsCorruption() throws IOException {
    appendEntries(30);
    List<JournalRecord> entry31 = expectedEntry(31);
    appendRaw(JournalEntry.newBuilder().setRecord(entry31.get(0)).build().toByteArray()); // as if its tag byte changed
    appendRaw(RecordFrame.checkedExcerpt(JournalEntry.newBuilder().setRecord(entry31.get(1)).build()));

    assertThatThrownBy(() -> EventJournal.open(dir, TestJournalOptions.defaults()))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining("has no checksum, but this journal has checked records from its first one on");
  }

  @Test
  void checksumFramingRoundTripsAndRejectsEveryFlippedBitOfARecord() {
    JournalRecord r = expectedEntry(7).get(0);
    byte[] excerpt = RecordFrame.checkedExcerpt(JournalEntry.newBuilder().setRecord(r).build());
    assertThat(RecordFrame.decode(excerpt, excerpt.length))
        .isEqualTo(new RecordFrame.Valid(JournalEntry.newBuilder().setRecord(r).build(), true));
    for (int i = 0; i < excerpt.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] flipped = Arrays.copyOf(excerpt, excerpt.length);
        flipped[i] ^= (byte) (1 << bit);
        RecordFrame.Decoded decoded = RecordFrame.decode(flipped, flipped.length);
        // The tag byte's flips read as a legacy excerpt: EventJournal refuses those in a checked journal.
        boolean legacyLooking = decoded instanceof RecordFrame.Valid v && !v.checked();
        assertThat(decoded instanceof RecordFrame.Bad || legacyLooking)
            .as("byte %d bit %d: %s", i, bit, decoded).isTrue();
      }
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------

  /**
   * Journals entries 1..to through EventJournal, then closes it, leaving no saved index: the next
   * open scans (and checks) every record, whichever the index kind.
   */
  private void appendEntries(long to) throws IOException {
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      append(journal, new Workload(REFS, EVENT_BYTES), 1, to);
      assertThat(journal.lastIndex()).isEqualTo(to);
    }
    TestJournalOptions.forgetSavedIndex(dir);
  }

  /** Appends (or skips, when journaled) the records of entries 1..to of a fresh workload. */
  private static void append(EventJournal journal, Workload workload, long from, long to) {
    for (long index = from; index <= to; index++) {
      for (JournalRecord r : workload.entry(index)) {
        journal.append(r);
      }
    }
  }

  private void appendRaw(byte[] bytes) {
    try (ChronicleQueue raw = ChronicleQueue.singleBuilder(dir).rollCycle(RollCycles.FAST_DAILY).build();
         ExcerptAppender appender = raw.createAppender()) {
      try (DocumentContext dc = appender.writingDocument()) {
        dc.wire().bytes().write(bytes);
      }
    }
  }

  private static List<JournalRecord> expected(long toIndex) {
    Workload w = new Workload(REFS, EVENT_BYTES);
    List<JournalRecord> out = new ArrayList<>();
    for (long index = 1; index <= toIndex; index++) {
      out.addAll(w.entry(index));
    }
    return out;
  }

  private static List<JournalRecord> expectedEntry(long index) {
    Workload w = new Workload(REFS, EVENT_BYTES);
    for (long i = 1; i < index; i++) {
      w.entry(i);
    }
    return w.entry(index);
  }

  private static List<JournalRecord> readAll(EventJournal journal) {
    return JournalState.readAll(journal, 1);
  }

  private Path flipFirst(String find, String replace) throws IOException {
    return flip(find, replace, false);
  }

  private Path flipLast(String find, String replace) throws IOException {
    return flip(find, replace, true);
  }

  /** Overwrites the first (or last) occurrence of {@code find} in the cycle file with {@code replace}. */
  private Path flip(String find, String replace, boolean last) throws IOException {
    byte[] needle = find.getBytes(StandardCharsets.UTF_8);
    byte[] with = replace.getBytes(StandardCharsets.UTF_8);
    assertThat(with).hasSameSizeAs(needle);
    Path file = onlyCycleFile();
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      byte[] head = new byte[(int) Math.min(raf.length(), SEARCHED_BYTES_MAX)];
      raf.readFully(head);
      long at = -1;
      for (int i = 0; i + needle.length <= head.length; i++) {
        if (Arrays.equals(head, i, i + needle.length, needle, 0, needle.length)) {
          at = i;
          if (!last) {
            break;
          }
        }
      }
      assertThat(at).as("%s found in %s", find, file).isNotNegative();
      raf.seek(at);
      raf.write(with);
    }
    return file;
  }

  private Path onlyCycleFile() throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.cq4")) {
      for (Path p : stream) {
        files.add(p);
      }
    }
    assertThat(files).hasSize(1);
    return files.get(0);
  }
}
