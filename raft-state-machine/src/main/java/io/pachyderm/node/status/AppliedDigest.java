package io.pachyderm.node.status;

/**
 * A node's replica digest together with the applied index it belongs to. Every node of a cluster
 * that has applied the same index must hold the same digest: it summarises the replicated state
 * (entities with versions and states, the de-duplication table, the outbox with timers), which is a
 * function of the log alone. A difference means a replica left the log's state at or before that
 * index.
 *
 * @param appliedIndex the last log index the state machine has applied
 * @param digest the replica digest of the state at {@code appliedIndex}
 */
public record AppliedDigest(long appliedIndex, long digest) {
  @Override
  public String toString() {
    return String.format("%016x@%d", digest, appliedIndex);
  }
}
