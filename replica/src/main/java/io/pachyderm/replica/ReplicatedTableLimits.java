package io.pachyderm.replica;

/**
 * Bounds of the replicated tables that grow with use. Every one is counted in entries or encoded
 * bytes, never in time, so that every replica trims and refuses at the same log index (the
 * replicas must therefore run with the same values).
 *
 * @param dedupBytesMax encoded bytes of the whole de-duplication table (request ids and outcomes,
 *     replies included); the oldest entries are evicted first. Default 64 MiB.
 * @param dedupRepliesMax how many of the newest de-duplication entries keep their full reply;
 *     older ones keep only the version they were applied at (a late retry of a call is then told
 *     that version, not given a reply). Default 200,000 (as many as request ids: bytes bound it).
 * @param dedupReplyBytesMax encoded bytes of the replies those newest entries keep. Default 16 MiB.
 * @param outboxItemsMax pending messages, at-least-once effects and timers in the replicated
 *     outbox (the same on every node); a client command that would add to a full outbox is
 *     rejected. Default 1,000,000.
 * @param entitiesPerEcosystemMax entities one ecosystem may hold; a client command that would
 *     create one more is rejected. 0 (the default) means no quota.
 * @param dedupAgeEntriesMax how old a de-duplication entry may grow, counted in log entries (not
 *     time: the log carries no clock, and every replica must expire it at the same index): an entry
 *     remembered at index {@code i} is forgotten once an entry past {@code i + dedupAgeEntriesMax}
 *     is applied. A retry after that is a new request (it runs again). Default 10,000,000.
 */
public record ReplicatedTableLimits(long dedupBytesMax, int dedupRepliesMax, long dedupReplyBytesMax,
                                    int outboxItemsMax, long entitiesPerEcosystemMax, long dedupAgeEntriesMax) {
  public static final long DEDUP_BYTES_MAX_DEFAULT = 64L << 20;
  public static final int DEDUP_REPLIES_MAX_DEFAULT = 200_000;
  public static final long DEDUP_REPLY_BYTES_MAX_DEFAULT = 16L << 20;
  public static final int OUTBOX_ITEMS_MAX_DEFAULT = 1_000_000;
  public static final long DEDUP_AGE_ENTRIES_MAX_DEFAULT = 10_000_000;
  /** No quota. */
  public static final long ENTITIES_PER_ECOSYSTEM_MAX_OFF = 0;

  public static final ReplicatedTableLimits DEFAULT = new ReplicatedTableLimits(DEDUP_BYTES_MAX_DEFAULT,
      DEDUP_REPLIES_MAX_DEFAULT, DEDUP_REPLY_BYTES_MAX_DEFAULT, OUTBOX_ITEMS_MAX_DEFAULT, ENTITIES_PER_ECOSYSTEM_MAX_OFF,
      DEDUP_AGE_ENTRIES_MAX_DEFAULT);

  public ReplicatedTableLimits {
    require(dedupBytesMax >= 1024, "dedupBytesMax must be at least 1024 bytes", dedupBytesMax);
    require(dedupRepliesMax >= 0, "dedupRepliesMax must be >= 0", dedupRepliesMax);
    require(dedupReplyBytesMax >= 0 && dedupReplyBytesMax <= dedupBytesMax,
        "dedupReplyBytesMax must be between 0 and dedupBytesMax (" + dedupBytesMax + ")", dedupReplyBytesMax);
    require(outboxItemsMax >= 1, "outboxItemsMax must be >= 1", outboxItemsMax);
    require(entitiesPerEcosystemMax >= 0, "entitiesPerEcosystemMax must be >= 0 (0 = no quota)",
        entitiesPerEcosystemMax);
    require(dedupAgeEntriesMax >= 1, "dedupAgeEntriesMax must be >= 1 log entry", dedupAgeEntriesMax);
  }

  /** The bounds with the default {@code dedupAgeEntriesMax}. */
  public ReplicatedTableLimits(long dedupBytesMax, int dedupRepliesMax, long dedupReplyBytesMax, int outboxItemsMax,
                               long entitiesPerEcosystemMax) {
    this(dedupBytesMax, dedupRepliesMax, dedupReplyBytesMax, outboxItemsMax, entitiesPerEcosystemMax,
        DEDUP_AGE_ENTRIES_MAX_DEFAULT);
  }

  public ReplicatedTableLimits withEntitiesPerEcosystemMax(long entities) {
    return new ReplicatedTableLimits(dedupBytesMax, dedupRepliesMax, dedupReplyBytesMax, outboxItemsMax, entities,
        dedupAgeEntriesMax);
  }

  public ReplicatedTableLimits withOutboxItemsMax(int items) {
    return new ReplicatedTableLimits(dedupBytesMax, dedupRepliesMax, dedupReplyBytesMax, items, entitiesPerEcosystemMax,
        dedupAgeEntriesMax);
  }

  public ReplicatedTableLimits withDedup(long bytesMax, int repliesMax, long replyBytesMax) {
    return new ReplicatedTableLimits(bytesMax, repliesMax, replyBytesMax, outboxItemsMax, entitiesPerEcosystemMax,
        dedupAgeEntriesMax);
  }

  public ReplicatedTableLimits withDedupAgeEntriesMax(long entries) {
    return new ReplicatedTableLimits(dedupBytesMax, dedupRepliesMax, dedupReplyBytesMax, outboxItemsMax,
        entitiesPerEcosystemMax, entries);
  }

  private static void require(boolean ok, String what, long value) {
    if (!ok) {
      throw new IllegalArgumentException(what + ", got " + value);
    }
  }
}
