package io.pachyderm.api;

import java.util.Objects;

/**
 * Where a read is served and how fresh it must be: {@link #LINEARIZABLE} (the default), {@link
 * #STALE} (any node), or {@link #onNode(String) one named node} (to compare what each replica holds).
 */
public sealed interface ReadMode permits ReadMode.Linearizable, ReadMode.Stale, ReadMode.OnNode {

  /** Reflects every call that completed before the read started (Raft ReadIndex). The default. */
  ReadMode LINEARIZABLE = new Linearizable();

  /** Served by any node from its applied state; may miss recent writes. Cheaper, works without a leader. */
  ReadMode STALE = new Stale();

  /**
   * Served by node {@code nodeId} alone, from what it has applied: may miss recent writes, like
   * {@link #STALE}, but always that node's replica. For checking that replicas agree, or reading a
   * node cut off from the others. A cluster client rejects ids that are not among its peers
   * ({@link IllegalArgumentException}); the embedded local store's one node is {@code "local"}; a
   * simulation has one logical replica, which every node id reads.
   */
  static ReadMode onNode(String nodeId) {
    return new OnNode(nodeId);
  }

  /** See {@link ReadMode#LINEARIZABLE}. */
  record Linearizable() implements ReadMode {
    @Override
    public String toString() {
      return "LINEARIZABLE";
    }
  }

  /** See {@link ReadMode#STALE}. */
  record Stale() implements ReadMode {
    @Override
    public String toString() {
      return "STALE";
    }
  }

  /** See {@link ReadMode#onNode}. */
  record OnNode(String nodeId) implements ReadMode {
    public OnNode {
      Objects.requireNonNull(nodeId, "nodeId");
      if (nodeId.isBlank()) {
        throw new IllegalArgumentException("ReadMode.onNode needs a node id, was blank");
      }
    }

    @Override
    public String toString() {
      return "ON_NODE(" + nodeId + ")";
    }
  }
}
