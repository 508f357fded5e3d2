package io.pachyderm.node.internal;

import io.pachyderm.runtime.EntityKey;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Per-entity lanes on the leader, striped: a lane is held from {@code startTransaction} until the
 * entry reaches the log ({@code preAppendTransaction}) or is cancelled. While held, no other
 * command for an entity of the same stripe can run {@code handle}, so entries for one entity
 * reach the log in the order their {@code handle} ran and each sees the previous one's
 * speculative state. Stripes (not one lock per entity) bound memory without any cleanup; a
 * collision only serialises two unrelated entities for the length of one append.
 *
 * <p>Semaphores, not locks: the lane is released by the thread that appends, which need not be
 * the one that acquired it.
 */
final class Lanes {
  private final Semaphore[] stripes;

  Lanes(int stripeCount) {
    if (Integer.bitCount(stripeCount) != 1) {
      throw new IllegalArgumentException("stripe count must be a power of two: " + stripeCount);
    }
    stripes = new Semaphore[stripeCount];
    for (int i = 0; i < stripeCount; i++) {
      stripes[i] = new Semaphore(1);
    }
  }

  /** Distinct stripe indexes of {@code keys}, ascending: the global acquisition order that rules out deadlock. */
  int[] stripesOf(Iterable<EntityKey> keys) {
    int[] tmp = new int[16];
    int n = 0;
    for (EntityKey key : keys) {
      if (n == tmp.length) {
        tmp = Arrays.copyOf(tmp, n * 2);
      }
      tmp[n++] = stripe(key);
    }
    int[] sorted = Arrays.copyOf(tmp, n);
    Arrays.sort(sorted);
    int distinct = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || sorted[i] != sorted[i - 1]) {
        sorted[distinct++] = sorted[i];
      }
    }
    return Arrays.copyOf(sorted, distinct);
  }

  /** Acquires all stripes in order; on timeout releases what it took and returns false. */
  boolean acquire(int[] stripeIndexes, long timeoutMs) throws InterruptedException {
    long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    for (int i = 0; i < stripeIndexes.length; i++) {
      long leftNs = deadlineNs - System.nanoTime();
      if (!stripes[stripeIndexes[i]].tryAcquire(Math.max(0, leftNs), TimeUnit.NANOSECONDS)) {
        for (int j = 0; j < i; j++) {
          stripes[stripeIndexes[j]].release();
        }
        return false;
      }
    }
    return true;
  }

  void release(int[] stripeIndexes) {
    for (int index : stripeIndexes) {
      stripes[index].release();
    }
  }

  private int stripe(EntityKey key) {
    int h = key.hashCode();
    h ^= (h >>> 16);
    return h & (stripes.length - 1);
  }
}
