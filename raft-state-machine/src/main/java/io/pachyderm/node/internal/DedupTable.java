package io.pachyderm.node.internal;

import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Protos.RequestKey;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The replicated de-duplication table: request id to the outcome it produced. Part of the
 * state machine's state and of snapshots, so a retried request is answered from here after leader
 * changes and restarts, not re-run.
 *
 * <p>Bounded: when full, the oldest entry (in apply order) is evicted, which is the same on every
 * replica. Written only by the apply thread; {@link #get} may be called from any thread.
 */
final class DedupTable {
  private final int entriesMax;
  private final Map<RequestKey, Outcome> outcomes = new ConcurrentHashMap<>();
  private final ArrayDeque<RequestKey> order = new ArrayDeque<>();
  /** {@link ReplicaDigest} of the remembered outcomes; apply thread only. */
  private long digest;

  DedupTable(int entriesMax) {
    if (entriesMax < 1) {
      throw new IllegalArgumentException("dedup entries max must be >= 1: " + entriesMax);
    }
    this.entriesMax = entriesMax;
  }

  Outcome get(RequestKey key) {
    return outcomes.get(key);
  }

  /** Apply thread only. */
  void remember(RequestKey key, Outcome outcome) {
    if (outcomes.put(key, outcome) != null) {
      throw new IllegalStateException("request " + key + " remembered twice; apply must check first");
    }
    order.addLast(key);
    digest += ReplicaDigest.dedup(key, outcome);
    while (order.size() > entriesMax) {
      RequestKey evicted = order.removeFirst();
      digest -= ReplicaDigest.dedup(evicted, outcomes.remove(evicted));
    }
  }

  /** This table's part of the replica digest. Apply thread only. */
  long digest() {
    return digest;
  }

  int size() {
    return order.size();
  }

  /** Oldest first. Apply thread only (snapshots run there). */
  void forEach(BiConsumer<RequestKey, Outcome> action) {
    for (RequestKey key : order) {
      action.accept(key, outcomes.get(key));
    }
  }

  void clear() {
    outcomes.clear();
    order.clear();
    digest = 0;
  }
}
