package io.pachyderm.storage.journal;

import io.pachyderm.protocol.JournalRecord;
import java.nio.file.Path;

/**
 * Child JVM of {@link EventJournalCrashTest}: appends the {@link Workload} entries 1, 2, ... and
 * prints {@code ack <index>} after each whole entry, until it is killed (or a bound is reached).
 */
public final class JournalCrashWriter {
  private JournalCrashWriter() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long entriesMax = Long.parseLong(args[1]);
    Workload workload = new Workload(13, 120);
    try (EventJournal journal = EventJournal.open(dir, JournalOptions.defaults())) {
      for (long index = 1; index <= entriesMax; index++) {
        for (JournalRecord r : workload.entry(index)) {
          journal.append(r);
        }
        System.out.println("ack " + index);
      }
    }
    System.out.println("done");
  }
}
