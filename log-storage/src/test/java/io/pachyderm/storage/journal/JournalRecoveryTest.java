package io.pachyderm.storage.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.protocol.JournalEntry;
import io.pachyderm.protocol.JournalRecord;
import java.nio.file.Path;
import java.util.Arrays;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Open's recovery on its own, over a queue written by the journal's writer and then damaged as a
 * crash or a full disk damages it: a torn last excerpt is cut by a marker that names it, once, and
 * a bad excerpt before the end is corruption.
 */
class JournalRecoveryTest {
  private static final int REFS = 7;
  private static final int EVENT_BYTES = 60;
  private static final JournalOptions OPTIONS = TestJournalOptions.defaults();

  @TempDir
  Path dir;

  /** The journal's parts over {@link #dir}, as open wires them; closing closes the queue. */
  private final class Parts implements AutoCloseable {
    final JournalQueue queue = new JournalQueue(dir, OPTIONS);
    final JournalIndex index = new JournalIndex(queue);
    final JournalReader reader = new JournalReader(queue, index);
    final JournalWriter writer = new JournalWriter(queue, index, OPTIONS);
    final JournalRecovery recovery =
        new JournalRecovery(queue, index, new JournalIndexFiles(queue, index, reader), writer, OPTIONS);

    /** The queue's last excerpt and its decoded content. */
    JournalQueue.Read lastExcerpt() {
      try (ExcerptTailer tailer = queue.createTailer()) {
        tailer.direction(TailerDirection.BACKWARD).toEnd();
        try (DocumentContext dc = tailer.readingDocument()) {
          assertThat(dc.isPresent()).isTrue();
          RecordFrame.Decoded decoded = queue.decode(dc, new JournalQueue.ReadBuffer());
          assertThat(decoded).isInstanceOf(RecordFrame.Valid.class);
          return new JournalQueue.Read(dc.index(), ((RecordFrame.Valid) decoded).entry());
        }
      }
    }

    @Override
    public void close() {
      reader.close();
      writer.close();
      queue.close();
    }
  }

  @Test
  void aTornLastExcerptIsCutOnceByAMarkerNamingItAndReplayAppendsItsRecordAgain() {
    Workload workload = new Workload(REFS, EVENT_BYTES);
    int records = 0;
    try (Parts parts = new Parts()) {
      parts.recovery.run();
      for (long logIndex = 1; logIndex <= 20; logIndex++) {
        for (JournalRecord r : workload.entry(logIndex)) {
          assertThat(parts.writer.append(r)).isTrue();
          records++;
        }
      }
    }
    JournalRecord torn = workload.entry(21).get(0);
    byte[] whole = RecordFrame.checkedExcerpt(JournalEntry.newBuilder().setRecord(torn).build());
    long tornExcerpt = appendRaw(Arrays.copyOf(whole, whole.length / 2)); // a write cut short

    long markerExcerpt;
    try (Parts parts = new Parts()) {
      parts.recovery.run();
      assertThat(parts.recovery.excerptsScanned()).isEqualTo(records + 1);
      assertThat(parts.index.last().logIndex()).isEqualTo(20);
      JournalQueue.Read marker = parts.lastExcerpt();
      markerExcerpt = marker.excerpt();
      assertThat(markerExcerpt).isGreaterThan(tornExcerpt);
      assertThat(marker.entry().hasTruncation()).isTrue();
      assertThat(marker.entry().getTruncation().getTornExcerpt()).isEqualTo(tornExcerpt);
      assertThat(marker.entry().getTruncation().getAfterLogIndex()).isEqualTo(20);
    }
    try (Parts parts = new Parts()) {
      parts.recovery.run();
      assertThat(parts.recovery.excerptsScanned()).as("every record, the torn excerpt and its marker")
          .isEqualTo(records + 2);
      assertThat(parts.lastExcerpt().excerpt()).as("cut once: no second marker").isEqualTo(markerExcerpt);
      assertThat(parts.writer.append(torn)).as("the replay appends the torn record again").isTrue();
      assertThat(parts.index.last().logIndex()).isEqualTo(21);
    }
  }

  @Test
  void aBadExcerptBeforeTheEndIsCorruptionNamingIt() {
    Workload workload = new Workload(REFS, EVENT_BYTES);
    try (Parts parts = new Parts()) {
      parts.recovery.run();
      for (long logIndex = 1; logIndex <= 5; logIndex++) {
        for (JournalRecord r : workload.entry(logIndex)) {
          parts.writer.append(r);
        }
      }
    }
    byte[] whole = RecordFrame.checkedExcerpt(JournalEntry.newBuilder().setRecord(workload.entry(6).get(0)).build());
    long bad = appendRaw(Arrays.copyOf(whole, whole.length / 2));
    appendRaw(RecordFrame.checkedExcerpt(JournalEntry.newBuilder().setRecord(workload.entry(7).get(0)).build()));

    try (Parts parts = new Parts()) {
      assertThatThrownBy(parts.recovery::run).isInstanceOf(JournalCorruptException.class)
          .hasMessageContaining("record at index 0x" + Long.toHexString(bad))
          .hasMessageContaining("fails its CRC32C check");
    }
  }

  /** Appends one excerpt of {@code bytes} as another writer would, and returns its index. */
  private long appendRaw(byte[] bytes) {
    try (ChronicleQueue raw = ChronicleQueue.singleBuilder(dir).rollCycle(RollCycles.FAST_DAILY).build();
         ExcerptAppender appender = raw.createAppender()) {
      try (DocumentContext dc = appender.writingDocument()) {
        dc.wire().bytes().write(bytes);
      }
      return appender.lastIndexAppended();
    }
  }
}
