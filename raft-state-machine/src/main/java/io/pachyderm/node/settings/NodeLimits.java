package io.pachyderm.node.settings;

/**
 * Limits the node enforces before anything is replicated ({@link io.pachyderm.node.PachydermNode.Builder#limits}).
 * One record rather than a builder method per limit: the limits check each other (an entry holds
 * at least one record, the replies kept fit in the table), so they are validated together, at
 * once, and a bad value is refused naming the limit. Every node of a cluster must use the same
 * values, since the replicated tables' bounds are applied as entries are. Immutable.
 *
 * @param dedupEntriesMax request ids remembered for de-duplication (oldest evicted first); default 200,000
 * @param recordBytesMax largest encoded record of one command (events, effects, reply); default 1 MiB
 * @param entryBytesMax largest log entry (one batch); must fit Ratis' appender buffer; default 8 MiB
 * @param commandsPerBatchMax most commands one client request may carry; default 1,024
 * @param laneWaitMs how long a command waits for its entity's lane before the batch fails (retriable);
 *     default 10,000 ms
 * @param dedupBytesMax encoded bytes of the whole de-duplication table (request ids and outcomes,
 *     replies included); the oldest entries are evicted first; at least 1,024; default 64 MiB
 * @param dedupRepliesMax how many of the newest de-duplication entries keep their full reply; older
 *     ones keep only the version they were applied at (a late retry of a call is told that version);
 *     default 200,000
 * @param dedupReplyBytesMax encoded bytes of the replies those newest entries keep; at most
 *     {@code dedupBytesMax}; default 16 MiB
 * @param outboxItemsMax pending messages, at-least-once effects, timers and dead letters in the
 *     replicated outbox; a client command that would add to a full outbox is rejected; default 1,000,000
 * @param entitiesPerEcosystemMax entities one ecosystem may hold; a client command that would
 *     create one more is rejected; 0 (the default) means no quota. {@link PachydermNode.Builder#quota}
 *     overrides it when called.
 * @param dedupAgeEntriesMax how old a de-duplication entry may grow, in log entries (the log
 *     carries no clock, and every replica must forget it at the same index): an entry remembered by
 *     entry {@code i} is evicted when entry {@code i + dedupAgeEntriesMax + 1} is applied, whatever
 *     room the table has. A retry after that is a new request: it runs again. At least 1; default
 *     10,000,000 (at 10,000 entries a second, about 17 minutes; far longer on a quiet node).
 */
public record NodeLimits(int dedupEntriesMax, int recordBytesMax, int entryBytesMax, int commandsPerBatchMax,
                         long laneWaitMs, long dedupBytesMax, int dedupRepliesMax, long dedupReplyBytesMax,
                         int outboxItemsMax, long entitiesPerEcosystemMax, long dedupAgeEntriesMax) {
  public static final long DEDUP_BYTES_MAX_DEFAULT = 64L << 20;
  public static final int DEDUP_REPLIES_MAX_DEFAULT = 200_000;
  public static final long DEDUP_REPLY_BYTES_MAX_DEFAULT = 16L << 20;
  public static final int OUTBOX_ITEMS_MAX_DEFAULT = 1_000_000;
  public static final long DEDUP_AGE_ENTRIES_MAX_DEFAULT = 10_000_000;
  /** No quota on entities per ecosystem. */
  public static final long ENTITIES_PER_ECOSYSTEM_MAX_OFF = 0;

  /** The defaults above. */
  public static final NodeLimits DEFAULT = new NodeLimits(200_000, 1 << 20, 8 << 20, 1024, 10_000);

  public NodeLimits {
    require(dedupEntriesMax >= 1, "dedupEntriesMax must be >= 1", dedupEntriesMax);
    require(recordBytesMax >= 1024, "recordBytesMax must be at least 1024 bytes", recordBytesMax);
    require(entryBytesMax >= recordBytesMax, "entryBytesMax must be at least recordBytesMax (" + recordBytesMax + ")",
        entryBytesMax);
    require(commandsPerBatchMax >= 1, "commandsPerBatchMax must be >= 1", commandsPerBatchMax);
    require(laneWaitMs >= 1, "laneWaitMs must be >= 1", laneWaitMs);
    require(dedupBytesMax >= 1024, "dedupBytesMax must be at least 1024 bytes", dedupBytesMax);
    require(dedupRepliesMax >= 0, "dedupRepliesMax must be >= 0", dedupRepliesMax);
    require(dedupReplyBytesMax >= 0 && dedupReplyBytesMax <= dedupBytesMax,
        "dedupReplyBytesMax must be between 0 and dedupBytesMax (" + dedupBytesMax + ")", dedupReplyBytesMax);
    require(outboxItemsMax >= 1, "outboxItemsMax must be >= 1", outboxItemsMax);
    require(entitiesPerEcosystemMax >= 0, "entitiesPerEcosystemMax must be >= 0 (0 = no quota)",
        entitiesPerEcosystemMax);
    require(dedupAgeEntriesMax >= 1, "dedupAgeEntriesMax must be >= 1 log entry", dedupAgeEntriesMax);
  }

  /** With the default {@code dedupAgeEntriesMax}. */
  public NodeLimits(int dedupEntriesMax, int recordBytesMax, int entryBytesMax, int commandsPerBatchMax,
                    long laneWaitMs, long dedupBytesMax, int dedupRepliesMax, long dedupReplyBytesMax,
                    int outboxItemsMax, long entitiesPerEcosystemMax) {
    this(dedupEntriesMax, recordBytesMax, entryBytesMax, commandsPerBatchMax, laneWaitMs, dedupBytesMax,
        dedupRepliesMax, dedupReplyBytesMax, outboxItemsMax, entitiesPerEcosystemMax, DEDUP_AGE_ENTRIES_MAX_DEFAULT);
  }

  /** With the default bounds of the replicated tables (de-duplication bytes and replies, outbox, no quota). */
  public NodeLimits(int dedupEntriesMax, int recordBytesMax, int entryBytesMax, int commandsPerBatchMax,
                    long laneWaitMs) {
    this(dedupEntriesMax, recordBytesMax, entryBytesMax, commandsPerBatchMax, laneWaitMs, DEDUP_BYTES_MAX_DEFAULT,
        DEDUP_REPLIES_MAX_DEFAULT, DEDUP_REPLY_BYTES_MAX_DEFAULT, OUTBOX_ITEMS_MAX_DEFAULT,
        ENTITIES_PER_ECOSYSTEM_MAX_OFF);
  }

  /** These limits with other de-duplication table bounds (see the parameters of the same names). */
  public NodeLimits withDedup(long bytesMax, int repliesMax, long replyBytesMax) {
    return new NodeLimits(dedupEntriesMax, recordBytesMax, entryBytesMax, commandsPerBatchMax, laneWaitMs, bytesMax,
        repliesMax, replyBytesMax, outboxItemsMax, entitiesPerEcosystemMax, dedupAgeEntriesMax);
  }

  /** These limits with another outbox bound. */
  public NodeLimits withOutboxItemsMax(int items) {
    return new NodeLimits(dedupEntriesMax, recordBytesMax, entryBytesMax, commandsPerBatchMax, laneWaitMs,
        dedupBytesMax, dedupRepliesMax, dedupReplyBytesMax, items, entitiesPerEcosystemMax, dedupAgeEntriesMax);
  }

  /** These limits with another entity quota per ecosystem (0 = none). */
  public NodeLimits withEntitiesPerEcosystemMax(long entities) {
    return new NodeLimits(dedupEntriesMax, recordBytesMax, entryBytesMax, commandsPerBatchMax, laneWaitMs,
        dedupBytesMax, dedupRepliesMax, dedupReplyBytesMax, outboxItemsMax, entities, dedupAgeEntriesMax);
  }

  /** These limits with another de-duplication age bound, in log entries. */
  public NodeLimits withDedupAgeEntriesMax(long entries) {
    return new NodeLimits(dedupEntriesMax, recordBytesMax, entryBytesMax, commandsPerBatchMax, laneWaitMs,
        dedupBytesMax, dedupRepliesMax, dedupReplyBytesMax, outboxItemsMax, entitiesPerEcosystemMax, entries);
  }

  private static void require(boolean ok, String what, long value) {
    if (!ok) {
      throw new IllegalArgumentException("NodeLimits: " + what + ", got " + value);
    }
  }
}
