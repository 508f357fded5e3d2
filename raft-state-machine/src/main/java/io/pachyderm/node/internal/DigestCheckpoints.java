package io.pachyderm.node.internal;

/**
 * The replica digest at the most recent applied indexes that are multiples of an interval, so that
 * a checker can compare nodes that are never at the same applied index at the same moment: every
 * replica passes through the same checkpoint indexes, and at each its digest must be the same.
 * Bounded: the oldest checkpoint gives way. Written by the apply thread, read by status queries.
 */
final class DigestCheckpoints {
  /** Receives one checkpoint. */
  interface Visitor {
    void accept(long index, long digest);
  }

  private final long interval;
  private final long[] indexes;
  private final long[] digests;
  private int next;
  private int size;

  DigestCheckpoints(long interval, int capacity) {
    if (interval < 1 || capacity < 1) {
      throw new IllegalArgumentException("interval and capacity must be >= 1, got " + interval + ", " + capacity);
    }
    this.interval = interval;
    this.indexes = new long[capacity];
    this.digests = new long[capacity];
  }

  /** Keeps {@code digest} if {@code index} is a checkpoint index newer than the last one kept. */
  synchronized void offer(long index, long digest) {
    if (index <= 0 || index % interval != 0) {
      return;
    }
    if (size > 0 && indexes[(next - 1 + indexes.length) % indexes.length] >= index) {
      return; // replayed after a restart or reload: kept already, or older than what is kept
    }
    indexes[next] = index;
    digests[next] = digest;
    next = (next + 1) % indexes.length;
    size = Math.min(size + 1, indexes.length);
  }

  /** Oldest first. */
  synchronized void forEach(Visitor visitor) {
    int first = (next - size + indexes.length) % indexes.length;
    for (int i = 0; i < size; i++) {
      int at = (first + i) % indexes.length;
      visitor.accept(indexes[at], digests[at]);
    }
  }

  synchronized void clear() {
    next = 0;
    size = 0;
  }
}
