package io.pachyderm.node.settings;

import io.pachyderm.replica.ReplicatedTableLimits;

/**
 * Limits the node enforces before anything is replicated ({@link io.pachyderm.node.PachydermNode.Builder#limits}).
 * One record rather than a builder method per limit: the limits check each other (an entry holds
 * at least one record), so they are validated together, at once. Every node of a cluster must use
 * the same values, since the replicated tables' bounds are applied as entries are. Immutable.
 *
 * @param dedupEntriesMax request ids remembered for de-duplication (oldest evicted first); default 200,000
 * @param recordBytesMax largest encoded record of one command (events, effects, reply); default 1 MiB
 * @param entryBytesMax largest log entry (one batch); must fit Ratis' appender buffer; default 8 MiB
 * @param commandsPerBatchMax most commands one client request may carry; default 1,024
 * @param laneWaitMs how long a command waits for its entity's lane before the batch fails (retriable);
 *     default 10,000 ms
 * @param tables the byte and count bounds of the replicated tables (dedup replies, outbox, quota);
 *     default {@link ReplicatedTableLimits#DEFAULT}
 */
public record NodeLimits(int dedupEntriesMax, int recordBytesMax, int entryBytesMax,
                         int commandsPerBatchMax, long laneWaitMs, ReplicatedTableLimits tables) {
  /** The defaults above. */
  public static final NodeLimits DEFAULT = new NodeLimits(200_000, 1 << 20, 8 << 20, 1024, 10_000);

  public NodeLimits {
    if (dedupEntriesMax < 1 || recordBytesMax < 1024 || entryBytesMax < recordBytesMax
        || commandsPerBatchMax < 1 || laneWaitMs < 1 || tables == null) {
      throw new IllegalArgumentException("invalid limits " + this);
    }
  }

  /** With {@link ReplicatedTableLimits#DEFAULT} table bounds. */
  public NodeLimits(int dedupEntriesMax, int recordBytesMax, int entryBytesMax, int commandsPerBatchMax,
                    long laneWaitMs) {
    this(dedupEntriesMax, recordBytesMax, entryBytesMax, commandsPerBatchMax, laneWaitMs, ReplicatedTableLimits.DEFAULT);
  }

  public NodeLimits withTables(ReplicatedTableLimits t) {
    return new NodeLimits(dedupEntriesMax, recordBytesMax, entryBytesMax, commandsPerBatchMax, laneWaitMs, t);
  }
}
