package io.pachyderm.storage.journal;

import static io.pachyderm.storage.journal.EventJournalCrashTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.protocol.JournalRecord;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EventJournal#compact()}: retention applied now, on an idle journal whose clock moved on
 * (the writer's roll alone never removes those files, since an idle writer never rolls).
 */
class EventJournalCompactionTest {
  private static final long HOUR_MS = 3_600_000L;

  @TempDir
  Path dir;

  @Test
  void compactionOfAnIdleJournalDeletesCyclesOlderThanRetentionAndKeepsTheNewestFile() throws IOException {
    AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);
    JournalOptions options = TestJournalOptions.builder()
        .rollCycle(JournalOptions.RollCycle.HOURLY).retainedCyclesMax(3).clockMs(clockMs::get).build();
    Workload workload = new Workload(7, 40);
    try (EventJournal journal = EventJournal.open(dir, options)) {
      List<JournalRecord> hour0 = append(journal, workload, 1, 20);
      clockMs.addAndGet(HOUR_MS);
      List<JournalRecord> hour1 = append(journal, workload, 21, 40);
      clockMs.addAndGet(HOUR_MS);
      List<JournalRecord> hour2 = append(journal, workload, 41, 60);
      List<String> before = cycleFileNames();
      assertThat(before).hasSize(3); // within retention: the roll deleted nothing

      // Within the window, compaction changes nothing.
      EventJournal.Compaction nothing = journal.compact();
      assertThat(nothing.deletedFiles()).isEmpty();
      assertThat(nothing.keptFiles()).isEqualTo(3);

      // Idle for two hours: hours 0 and 1 are now older than the 3 retained cycles (hours 2..4).
      clockMs.addAndGet(2 * HOUR_MS);
      EventJournal.Compaction done = journal.compact();
      assertThat(done.deletedFiles()).containsExactlyElementsOf(before.subList(0, 2));
      assertThat(done.deletedBytes()).isPositive();
      assertThat(done.keptFiles()).isEqualTo(1);
      assertThat(cycleFileNames()).containsExactly(before.get(2));
      // The deleted files were written since the last sync: a sync must not look for them.
      journal.sync();
      assertThat(readAll(journal)).containsExactlyElementsOf(hour2);
      assertThat(journal.records()).isEqualTo(hour2.size());
      assertThat(hour0).isNotEmpty();
      assertThat(hour1).isNotEmpty();

      // Much later still: the newest file (the one written last) is never deleted.
      clockMs.addAndGet(100 * HOUR_MS);
      assertThat(journal.compact().deletedFiles()).isEmpty();
      assertThat(cycleFileNames()).containsExactly(before.get(2));
      assertThat(journal.lastIndex()).isEqualTo(60);

      // The journal goes on: appends continue after the kept position.
      List<JournalRecord> later = append(journal, workload, 61, 70);
      List<JournalRecord> expected = new ArrayList<>(hour2);
      expected.addAll(later);
      assertThat(readAll(journal)).containsExactlyElementsOf(expected);
    }
    try (EventJournal journal = EventJournal.open(dir, options)) {
      assertThat(journal.lastIndex()).isEqualTo(70);
    }
  }

  @Test
  void compactionUnderKeepForeverDeletesNothing() throws IOException {
    AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);
    JournalOptions options = TestJournalOptions.builder()
        .rollCycle(JournalOptions.RollCycle.HOURLY).clockMs(clockMs::get).build();
    Workload workload = new Workload(7, 40);
    try (EventJournal journal = EventJournal.open(dir, options)) {
      for (int hour = 0; hour < 3; hour++) {
        append(journal, workload, hour * 10L + 1, hour * 10L + 10);
        clockMs.addAndGet(HOUR_MS);
      }
      clockMs.addAndGet(1000 * HOUR_MS);
      EventJournal.Compaction done = journal.compact();
      assertThat(done.deletedFiles()).isEmpty();
      assertThat(done.keptFiles()).isEqualTo(3);
      assertThat(cycleFileNames()).hasSize(3);
    }
  }

  private static List<JournalRecord> append(EventJournal journal, Workload workload, long fromIndex, long toIndex) {
    List<JournalRecord> out = new ArrayList<>();
    for (long index = fromIndex; index <= toIndex; index++) {
      for (JournalRecord r : workload.entry(index)) {
        assertThat(journal.append(r)).isTrue();
        out.add(r);
      }
    }
    return out;
  }

  private List<String> cycleFileNames() throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.cq4")) {
      for (Path p : stream) {
        names.add(p.getFileName().toString());
      }
    }
    names.sort(null);
    return names;
  }
}
