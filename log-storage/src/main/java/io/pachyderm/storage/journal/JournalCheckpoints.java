package io.pachyderm.storage.journal;

import java.util.Arrays;

/**
 * The journal index's checkpoints: (log index, excerpt) pairs in journal order, one every {@link
 * JournalIndex#CHECKPOINT_EVERY} records, so that {@link EventJournal#readFrom} starts its scan
 * near the log index asked for. Two growing arrays, 16 bytes a checkpoint. Not thread-safe: {@link
 * JournalIndex} calls it under its lock.
 */
final class JournalCheckpoints {
  private static final int INITIAL_CAPACITY = 64;

  private long[] logIndexes = new long[INITIAL_CAPACITY];
  private long[] excerpts = new long[INITIAL_CAPACITY];
  private int size;

  int size() {
    return size;
  }

  /** Heap the arrays retain, in bytes. */
  long heapBytes() {
    return logIndexes.length * 16L;
  }

  void add(long logIndex, long excerpt) {
    if (size == logIndexes.length) {
      logIndexes = Arrays.copyOf(logIndexes, size * 2);
      excerpts = Arrays.copyOf(excerpts, size * 2);
    }
    logIndexes[size] = logIndex;
    excerpts[size] = excerpt;
    size++;
  }

  /**
   * The excerpt of the last checkpoint strictly below {@code logIndex}, -1 if none. Strictly: the
   * entry {@code logIndex} may begin before a checkpoint that carries the same log index.
   */
  long excerptBefore(long logIndex) {
    long startExcerpt = -1;
    int lo = 0;
    int hi = size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (logIndexes[mid] < logIndex) {
        startExcerpt = excerpts[mid];
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return startExcerpt;
  }

  /** Drops the checkpoints at excerpts below {@code first} (retention). */
  void dropBefore(long first) {
    int drop = 0;
    while (drop < size && excerpts[drop] < first) {
      drop++;
    }
    System.arraycopy(logIndexes, drop, logIndexes, 0, size - drop);
    System.arraycopy(excerpts, drop, excerpts, 0, size - drop);
    size -= drop;
  }

  /** Drops the checkpoints at excerpts above {@code excerpt} (a truncation). */
  void dropAfter(long excerpt) {
    while (size > 0 && excerpts[size - 1] > excerpt) {
      size--;
    }
  }

  void clear() {
    logIndexes = new long[INITIAL_CAPACITY];
    excerpts = new long[INITIAL_CAPACITY];
    size = 0;
  }

  /** Takes {@code count} checkpoints from the arrays, which become owned by this object. */
  void install(long[] logIndexes, long[] excerpts, int count) {
    this.logIndexes = logIndexes;
    this.excerpts = excerpts;
    this.size = count;
  }

  long[] logIndexesCopy() {
    return Arrays.copyOf(logIndexes, size);
  }

  long[] excerptsCopy() {
    return Arrays.copyOf(excerpts, size);
  }
}
