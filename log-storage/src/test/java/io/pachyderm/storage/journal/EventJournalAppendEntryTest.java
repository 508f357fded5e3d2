package io.pachyderm.storage.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.Ref;
import io.pachyderm.protocol.RequestId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EventJournal#appendEntry}: the records of one log entry appended together, their index
 * rows committed once. Runs on both index kinds (the pom runs EventJournal*Test on each); the
 * batch counts are the disk kind's.
 */
class EventJournalAppendEntryTest {
  private static final int REFS = 17;
  private static final long ENTRIES = 3_000;

  @TempDir
  Path dir;

  @Test
  void anEntryAppendedWholeIndexesAsItsRecordsAppendedOneByOneAndTheDiskKindWritesOneBatchPerFewThousandRecords()
      throws Exception {
    JournalState oneByOne;
    long recordsAppended = 0;
    long oneByOneBatches = -1;
    try (EventJournal journal = EventJournal.open(dir.resolve("one-by-one"), TestJournalOptions.defaults())) {
      Workload w = new Workload(REFS, 16);
      long before = batches(journal);
      for (long i = 1; i <= ENTRIES; i++) {
        for (JournalRecord r : w.entry(i)) {
          assertThat(journal.append(r)).isTrue();
          recordsAppended++;
        }
      }
      oneByOneBatches = batches(journal) - before;
      oneByOne = JournalState.of(journal, REFS);
    }
    Path whole = dir.resolve("whole");
    try (EventJournal journal = EventJournal.open(whole, TestJournalOptions.defaults())) {
      Workload w = new Workload(REFS, 16);
      long before = batches(journal);
      long expectedBatches = 0;
      long waiting = 0;
      for (long i = 1; i <= ENTRIES; i++) {
        List<JournalRecord> entry = w.entry(i);
        assertThat(journal.appendEntry(entry)).isEqualTo(entry.size());
        waiting += entry.size();
        if (waiting >= JournalIndex.DEFERRED_RECORDS_MAX) { // the entry that reaches the bound writes the batch
          expectedBatches++;
          waiting = 0;
        }
      }
      if (journal.diskRefIndex() != null) {
        assertThat(expectedBatches).as("the workload crosses the bound").isPositive();
        assertThat(batches(journal) - before).as("index batches, one per %d records at an entry's end",
            JournalIndex.DEFERRED_RECORDS_MAX).isEqualTo(expectedBatches);
        assertThat(oneByOneBatches).as("index batches, one per record").isEqualTo(recordsAppended);
      }
      assertThat(JournalState.of(journal, REFS)).isEqualTo(oneByOne);
      // A replay of the last entry is skipped whole.
      Workload again = new Workload(REFS, 16);
      List<JournalRecord> last = List.of();
      for (long i = 1; i <= ENTRIES; i++) {
        last = again.entry(i);
      }
      assertThat(journal.appendEntry(last)).isZero();
    }
    try (EventJournal journal = EventJournal.open(whole, TestJournalOptions.defaults())) {
      assertThat(JournalState.of(journal, REFS)).as("after reopening").isEqualTo(oneByOne);
    }
  }

  @Test
  void aRecordThatIsRefusedInsideAnEntryLeavesTheRecordsBeforeItAppendedAndIndexed() throws Exception {
    Ref ref = Workload.ref(3);
    List<JournalRecord> entry = new ArrayList<>();
    for (int seq = 0; seq < 3; seq++) {
      entry.add(record(ref, seq + 1, 1, seq, 4));
    }
    entry.add(record(ref, 9, 1, 3, 4)); // version 9 after 3: refused
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      assertThatThrownBy(() -> journal.appendEntry(entry)).isInstanceOf(IllegalArgumentException.class);
      assertThat(journal.versions(ref)).isEqualTo(new VersionRange(1, 3));
      assertThat(journal.history(ref, 1, 10)).containsExactlyElementsOf(entry.subList(0, 3));
    }
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      assertThat(journal.history(ref, 1, 10)).containsExactlyElementsOf(entry.subList(0, 3));
    }
  }

  /**
   * A reader on another thread while entries of one hot ref are appended: the index answers with
   * records not yet committed to the disk kind's database (they are committed before its rows are
   * read), and every page is the ref's versions in order, never a "missing row".
   */
  @Test
  void historyReadWhileEntriesOfOneRefAreAppendedSeesContiguousVersionsAndNeverAMissingRow() throws Exception {
    Ref hot = Workload.ref(0);
    int entries = 400;
    int recordsPerEntry = 32;
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Throwable> readerFailure = new AtomicReference<>();
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      Thread reader = new Thread(() -> {
        try {
          while (!done.get()) {
            VersionRange v = journal.versions(hot);
            List<JournalRecord> page = journal.history(hot, 1, 64);
            for (int i = 0; i < page.size(); i++) {
              if (page.get(i).getVersion() != i + 1) {
                throw new AssertionError("version " + page.get(i).getVersion() + " at " + i + " of " + v);
              }
            }
            if (v != null) {
              List<JournalRecord> last = journal.history(hot, v.last(), 1);
              if (last.isEmpty() || last.get(0).getVersion() < v.last()) {
                throw new AssertionError("versions say " + v + ", history's last is " + last);
              }
            }
          }
        } catch (Throwable t) {
          readerFailure.set(t);
        }
      }, "history-reader");
      reader.start();
      long version = 0;
      for (long logIndex = 1; logIndex <= entries && readerFailure.get() == null; logIndex++) {
        List<JournalRecord> entry = new ArrayList<>();
        for (int seq = 0; seq < recordsPerEntry; seq++) {
          entry.add(record(hot, ++version, logIndex, seq, recordsPerEntry));
        }
        journal.appendEntry(entry);
      }
      done.set(true);
      reader.join(60_000);
      assertThat(reader.isAlive()).as("reader ended").isFalse();
      assertThat(readerFailure.get()).as("reader's failure").isNull();
      assertThat(journal.versions(hot)).isEqualTo(new VersionRange(1, (long) entries * recordsPerEntry));
    }
  }

  private static long batches(EventJournal journal) {
    DiskRefIndex disk = journal.diskRefIndex();
    return disk == null ? 0 : disk.batchesWritten();
  }

  private static JournalRecord record(Ref ref, long version, long logIndex, int seq, int events) {
    return JournalRecord.newBuilder().setRef(ref).setVersion(version).setLogIndex(logIndex).setTerm(1)
        .setEntrySeq(seq).setEntryEvents(events).setTimestampMs(1_700_000_000_000L + logIndex)
        .setRequest(RequestId.newBuilder().setClientHi(7).setClientLo(logIndex).setSequence(seq))
        .setEvent(Payload.newBuilder().setType("Deposited").setSchemaVersion(1)
            .setData(ByteString.copyFromUtf8("{\"v\":" + version + "}")))
        .build();
  }
}
