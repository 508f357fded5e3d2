package io.pachyderm.api;

/** How fresh a query must be. */
public enum ReadMode {
  /** Reflects every call that completed before the query started (Raft ReadIndex). The default. */
  LINEARIZABLE,
  /** Served by any node from its applied state; may miss recent writes. Cheaper, works without a leader. */
  STALE
}
