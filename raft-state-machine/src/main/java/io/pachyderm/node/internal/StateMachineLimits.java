package io.pachyderm.node.internal;

import io.pachyderm.replica.ReplicatedTableLimits;

/**
 * Limits enforced by the state machine, before anything is replicated.
 *
 * @param dedupEntriesMax request ids remembered for de-duplication (oldest evicted first)
 * @param recordBytesMax largest encoded record of one command (events, effects, reply)
 * @param entryBytesMax largest log entry (one batch); must fit Ratis' appender buffer
 * @param commandsPerBatchMax most commands one client request may carry
 * @param laneWaitMs how long a command waits for its entity's lane before the batch fails (retriable)
 * @param tables the byte and count bounds of the replicated tables (dedup replies, outbox, quota)
 */
public record StateMachineLimits(int dedupEntriesMax, int recordBytesMax, int entryBytesMax,
                                 int commandsPerBatchMax, long laneWaitMs, ReplicatedTableLimits tables) {
  public StateMachineLimits {
    if (dedupEntriesMax < 1 || recordBytesMax < 1024 || entryBytesMax < recordBytesMax
        || commandsPerBatchMax < 1 || laneWaitMs < 1 || tables == null) {
      throw new IllegalArgumentException("invalid limits " + this);
    }
  }

  /** With {@link ReplicatedTableLimits#DEFAULT} table bounds. */
  public StateMachineLimits(int dedupEntriesMax, int recordBytesMax, int entryBytesMax, int commandsPerBatchMax,
                            long laneWaitMs) {
    this(dedupEntriesMax, recordBytesMax, entryBytesMax, commandsPerBatchMax, laneWaitMs, ReplicatedTableLimits.DEFAULT);
  }

  public StateMachineLimits withTables(ReplicatedTableLimits t) {
    return new StateMachineLimits(dedupEntriesMax, recordBytesMax, entryBytesMax, commandsPerBatchMax, laneWaitMs, t);
  }
}
