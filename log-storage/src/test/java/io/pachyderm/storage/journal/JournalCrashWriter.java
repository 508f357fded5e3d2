package io.pachyderm.storage.journal;

import io.pachyderm.protocol.JournalRecord;
import java.nio.file.Path;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Child JVM of {@link EventJournalCrashTest}: appends the {@link Workload} entries 1, 2, ... and
 * prints {@code ack <index>} after each whole entry, until it is killed (or a bound is reached).
 * With {@code until-write-fails} (a journal on a small tmpfs) it prints {@code failed <exception>}
 * when an append throws and halts at once, as the node's fail-stop does: nothing is closed. With
 * {@code save-every-300} it syncs and saves the index every 300 entries, as a node's snapshots do.
 */
public final class JournalCrashWriter {
  private JournalCrashWriter() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long entriesMax = Long.parseLong(args[1]);
    boolean dieInsideExcerpt = args.length > 2 && args[2].equals("die-inside-excerpt");
    boolean untilWriteFails = args.length > 2 && args[2].equals("until-write-fails");
    // As a node does at each snapshot: sync, then save the index (the disk kind flushes its rows).
    boolean saveEvery300 = args.length > 2 && args[2].equals("save-every-300");
    // 2 KB events as in issue 12's reproduction: most records then span a page boundary, so the
    // disk fills mid-excerpt rather than between excerpts.
    Workload workload = new Workload(13, untilWriteFails ? EventJournalCrashTest.DISK_FULL_EVENT_BYTES : 120);
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      for (long index = 1; index <= entriesMax; index++) {
        for (JournalRecord r : workload.entry(index)) {
          try {
            journal.append(r);
          } catch (RuntimeException | Error e) {
            if (!untilWriteFails) {
              throw e;
            }
            System.out.println("failed " + e.getClass().getName() + ": " + String.valueOf(e.getMessage()).replace('\n', ' '));
            System.out.flush();
            Runtime.getRuntime().halt(3);
          }
        }
        if (saveEvery300 && index % 300 == 0) {
          journal.sync();
          journal.saveIndex();
        }
        System.out.println("ack " + index);
      }
      if (dieInsideExcerpt) {
        // A second writer (Chronicle allows several) starts an excerpt, writes half of a record
        // and the process dies while holding the queue's write lock: the kill -9 worst case.
        try (ChronicleQueue raw = ChronicleQueue.singleBuilder(dir).rollCycle(RollCycles.FAST_DAILY).build();
             ExcerptAppender appender = raw.createAppender()) {
          DocumentContext dc = appender.writingDocument();
          byte[] record = workload.entry(entriesMax + 1).get(0).toByteArray();
          dc.wire().bytes().write(record, 0, record.length / 2);
          System.out.println("dying");
          System.out.flush();
          Runtime.getRuntime().halt(137);
        }
      }
    }
    System.out.println("done");
  }
}
