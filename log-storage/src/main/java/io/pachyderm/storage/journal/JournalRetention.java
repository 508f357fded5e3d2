package io.pachyderm.storage.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The journal's retention: deletes the oldest cycle files beyond {@code retainedCyclesMax} when the
 * writer enters a new cycle ({@link #afterAppend()}) and on demand ({@link #compact()}, which also
 * deletes by the clock), and drops what they held from the {@link JournalIndex}.
 *
 * <p>Threads: {@link #afterAppend()} from the appending thread only (it alone writes {@link
 * #appendCycle}, volatile because a compaction on another thread reads it); {@link #compact()}
 * and {@link #apply} from any thread, one pass at a time under {@link #passLock}: the writer's roll
 * and an operator's compaction may run together. Lock order: {@link #passLock}, then the index's
 * lock or the writer's sync lock (each deletion goes through {@link JournalWriter#deleteCycleFile},
 * which excludes a concurrent sync); neither is held by anyone taking {@link #passLock}.
 */
final class JournalRetention {
  private final JournalQueue queue;
  private final JournalIndex index;
  private final JournalWriter writer;
  private final JournalOptions options;
  private final Object passLock = new Object();
  /** The cycle the writer appended in when {@link #afterAppend()} last looked, MIN_VALUE before. */
  private volatile int appendCycle = Integer.MIN_VALUE;

  JournalRetention(JournalQueue queue, JournalIndex index, JournalWriter writer, JournalOptions options) {
    this.queue = queue;
    this.index = index;
    this.writer = writer;
    this.options = options;
  }

  /** After each append: applies retention when the writer entered a new cycle (a roll). */
  void afterAppend() {
    if (options.retainedCyclesMax() == JournalOptions.RETAIN_FOREVER) {
      return;
    }
    int cycle = writer.appenderCycle();
    if (cycle == appendCycle) {
      return;
    }
    appendCycle = cycle;
    try {
      apply(false);
    } catch (IOException e) {
      throw new UncheckedIOException("journal " + queue.dir() + ": retention failed", e);
    }
  }

  /** See {@link EventJournal#compact()}. */
  EventJournal.Compaction compact() throws IOException {
    return apply(true);
  }

  /**
   * Deletes the oldest cycle files beyond {@code retainedCyclesMax} (and, {@code byClock}, those
   * older than the retained cycles by the clock) and drops them from the index. Null when
   * retention keeps everything and {@code byClock} is false (the writer's path: nothing to list).
   */
  EventJournal.Compaction apply(boolean byClock) throws IOException {
    int keep = options.retainedCyclesMax();
    if (keep == JournalOptions.RETAIN_FOREVER && !byClock) {
      return null;
    }
    synchronized (passLock) {
      List<Path> files = new ArrayList<>();
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(queue.dir(), "*.cq4")) {
        for (Path p : stream) {
          files.add(p);
        }
      }
      // Cycle file names are fixed-width UTC timestamps: name order is time order.
      files.sort(null);
      if (keep == JournalOptions.RETAIN_FOREVER) {
        return new EventJournal.Compaction(List.of(), 0, files.size());
      }
      int deleteCount = Math.max(0, files.size() - keep);
      if (byClock) {
        String oldestKept = queue.cycleFileName(queue.cycle() - keep + 1);
        while (deleteCount < files.size() && files.get(deleteCount).getFileName().toString().compareTo(oldestKept) < 0) {
          deleteCount++;
        }
      }
      // Never the newest file, nor the one the writer appends to (they differ only if the clock went back).
      deleteCount = Math.min(deleteCount, files.size() - 1);
      String writing = writingFileName();
      List<String> deleted = new ArrayList<>();
      long bytes = 0;
      for (Path p : files.subList(0, Math.max(0, deleteCount))) {
        String name = p.getFileName().toString();
        if (name.equals(writing)) {
          continue;
        }
        long size = Files.size(p);
        if (writer.deleteCycleFile(p)) {
          deleted.add(name);
          bytes += size;
        }
      }
      if (deleteCount > 0) {
        queue.refreshDirectoryListing();
        index.trimBefore(queue.firstIndex());
      }
      return new EventJournal.Compaction(deleted, bytes, files.size() - deleted.size());
    }
  }

  /** The file of the cycle this process last appended to (since open), or null. */
  private String writingFileName() {
    int cycle = appendCycle;
    return cycle == Integer.MIN_VALUE ? null : queue.cycleFileName(cycle);
  }
}
