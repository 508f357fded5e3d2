package io.pachyderm.node.internal;

import io.pachyderm.runtime.EntityKey;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The leader's private context for one batch, attached to its Ratis transaction. Its presence
 * at apply time is what marks "this node appended the entry": only such entries have their
 * effects dispatched here. It exists only in the process that ran {@code startTransaction}, so a
 * replayed or replicated entry never carries it.
 */
final class LeaderBatch {
  final long term;
  final int[] stripes;
  final List<EntityKey> keys;
  /** When the batch reached {@code startTransaction} ({@link System#nanoTime()}): the call latency's start. */
  final long arrivalNs;
  private final AtomicBoolean lanesReleased = new AtomicBoolean();

  LeaderBatch(long term, int[] stripes, List<EntityKey> keys, long arrivalNs) {
    this.term = term;
    this.stripes = stripes;
    this.keys = keys;
    this.arrivalNs = arrivalNs;
  }

  /** True exactly once: the caller must then release the lanes. */
  boolean releaseOnce() {
    return lanesReleased.compareAndSet(false, true);
  }
}
