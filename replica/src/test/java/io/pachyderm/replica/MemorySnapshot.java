package io.pachyderm.replica;

import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.EntitySnapshot;
import io.pachyderm.protocol.OutboxItem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A replica's snapshot in memory: the items as written, and their bytes (a header line, then each
 * item length-delimited), which must be the same on replicas holding the same state.
 */
final class MemorySnapshot {
  final long index;
  private final List<EntitySnapshot> entities = new ArrayList<>();
  private final List<DedupSnapshot> dedup = new ArrayList<>();
  private final List<OutboxItem> outbox = new ArrayList<>();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private boolean effectsPaused;
  private long digest;

  private MemorySnapshot(long index) {
    this.index = index;
  }

  /** The snapshot of {@code replica}, which has applied up to {@code index}. */
  static MemorySnapshot of(Replica replica, long index) {
    MemorySnapshot s = new MemorySnapshot(index);
    try {
      replica.writeSnapshot(s.new Sink());
    } catch (IOException e) {
      throw new IllegalStateException("memory cannot fail", e);
    }
    return s;
  }

  byte[] bytes() {
    return bytes.toByteArray();
  }

  long digest() {
    return digest;
  }

  ReplicaSnapshot.Source source() {
    Iterator<EntitySnapshot> e = entities.iterator();
    Iterator<DedupSnapshot> d = dedup.iterator();
    Iterator<OutboxItem> o = outbox.iterator();
    return new ReplicaSnapshot.Source() {
      @Override
      public EntitySnapshot nextEntity() {
        return e.hasNext() ? e.next() : null;
      }

      @Override
      public DedupSnapshot nextDedup() {
        return d.hasNext() ? d.next() : null;
      }

      @Override
      public OutboxItem nextOutbox() {
        return o.hasNext() ? o.next() : null;
      }

      @Override
      public boolean effectsPaused() {
        return effectsPaused;
      }
    };
  }

  private final class Sink implements ReplicaSnapshot.Sink {
    @Override
    public void begin(int entityCount, int dedupEntries, int outboxItems, long digest, boolean paused)
        throws IOException {
      MemorySnapshot.this.digest = digest;
      effectsPaused = paused;
      bytes.write((entityCount + "," + dedupEntries + "," + outboxItems + "," + digest + "," + paused + "\n")
          .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public void entity(EntitySnapshot entity) throws IOException {
      entities.add(entity);
      entity.writeDelimitedTo(bytes);
    }

    @Override
    public void dedup(DedupSnapshot entry) throws IOException {
      dedup.add(entry);
      entry.writeDelimitedTo(bytes);
    }

    @Override
    public void outbox(OutboxItem item) throws IOException {
      outbox.add(item);
      item.writeDelimitedTo(bytes);
    }
  }
}
