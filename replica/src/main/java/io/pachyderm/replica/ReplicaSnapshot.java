package io.pachyderm.replica;

import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.EntitySnapshot;
import io.pachyderm.protocol.OutboxItem;
import java.io.IOException;

/**
 * A replica's contents as a snapshot holds them, in the order it writes them: entities in key
 * order, the de-duplication table oldest first, the outbox (counters, messages, effects, dead
 * letters, timers). The file format is the caller's; these only carry the items.
 */
public final class ReplicaSnapshot {
  private ReplicaSnapshot() {}

  /** Receives a replica's contents; {@link #begin} first, with the counts and digest a header needs. */
  public interface Sink {
    void begin(int entities, int dedupEntries, int outboxItems, long digest, boolean effectsPaused) throws IOException;

    void entity(EntitySnapshot entity) throws IOException;

    void dedup(DedupSnapshot entry) throws IOException;

    void outbox(OutboxItem item) throws IOException;
  }

  /** Supplies a snapshot's contents in the order a {@link Sink} received them; each {@code next} is null at the end. */
  public interface Source {
    EntitySnapshot nextEntity() throws IOException;

    DedupSnapshot nextDedup() throws IOException;

    OutboxItem nextOutbox() throws IOException;

    boolean effectsPaused() throws IOException;
  }
}
