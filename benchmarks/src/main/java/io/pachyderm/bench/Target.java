package io.pachyderm.bench;

import io.pachyderm.api.Entities;
import io.pachyderm.node.status.OutboxStats;

/** A running deployment under load. Closing it stops every node and client it started. */
interface Target extends AutoCloseable {

  /** Where the workload sends its calls. */
  Entities entities();

  /**
   * The most committed batch entries (log entries with a state machine payload) any running node
   * has counted since it started, or -1 when unknown. Read after every call of a phase has
   * returned, the leader has counted them all, so the delta over a phase is its batches.
   */
  long committedBatchesMax();

  /** The highest Raft term over the running nodes; a delta over a phase counts elections. */
  long termMax();

  /**
   * The outbox as the current leader has applied it (what a linearizable read sees), or null when
   * no node is leader at the moment.
   */
  OutboxStats leaderOutbox();

  @Override
  void close();
}
