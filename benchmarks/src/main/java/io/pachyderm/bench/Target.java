package io.pachyderm.bench;

import io.pachyderm.api.Entities;

/** A running deployment under load. Closing it stops every node and client it started. */
interface Target extends AutoCloseable {

  /** Where the workload sends its calls. */
  Entities entities();

  /**
   * The highest applied log index over the running nodes. Read after every call of a phase has
   * returned, the leader has applied them all, so the delta over a phase counts its log entries
   * (plus the odd configuration or no-op entry of an election).
   */
  long appliedIndexMax();

  /** The highest Raft term over the running nodes; a delta over a phase counts elections. */
  long termMax();

  @Override
  void close();
}
