package io.pachyderm.replica;

import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.EntitySnapshot;
import io.pachyderm.protocol.OutboxItem;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Protos.RequestKey;
import io.pachyderm.runtime.EntityKey;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Writes a {@link Replica}'s state to a snapshot and restores it from one (split out of {@link
 * Replica}): the whole state (a HEAP node's snapshot file), or everything beside what a disk
 * store's checkpoint holds (entities, and the de-duplication table and outbox when they live in
 * the store). What is written and read, and in which order, is the snapshot format
 * ({@link ReplicaSnapshot}); this class only moves the replica's parts to and from it.
 *
 * <p>Thread-safety: the apply thread only, as the {@link Replica} methods that call it.
 */
final class ReplicaSnapshots {
  /**
   * Entities loaded from a snapshot per store commit: a disk store buffers a commit's writes in one
   * batch, so a million-entity snapshot must not become one batch. Nothing depends on the
   * boundaries: a crash while loading starts the load again from the snapshot.
   */
  private static final int RESTORE_COMMIT_ENTITIES = 10_000;

  private final Replica replica;
  private final String nodeId;
  private final EntityTypes types;
  private final StateStore store;
  private final Dedup dedup;
  private final ReplicatedBounds bounds;
  private final Outbox outbox;
  private final RecordApplier records;

  ReplicaSnapshots(Replica replica, String nodeId, EntityTypes types, StateStore store, Dedup dedup,
                   ReplicatedBounds bounds, Outbox outbox, RecordApplier records) {
    this.replica = replica;
    this.nodeId = nodeId;
    this.types = types;
    this.store = store;
    this.dedup = dedup;
    this.bounds = bounds;
    this.outbox = outbox;
    this.records = records;
  }

  /** See {@link Replica#writeSnapshot}. */
  void writeSnapshot(ReplicaSnapshot.Sink sink) throws IOException {
    replica.requireDigest("snapshot");
    sink.begin(store.size(), dedup.size(), outbox.itemCount(), replica.digest(), replica.effectsPaused());
    store.forEachInOrder((key, v) -> {
      EntityType<?, ?, ?> type = types.find(key.type());
      sink.entity(EntitySnapshot.newBuilder().setRef(Protos.ref(key)).setVersion(v.version())
          .setState(Protos.payload(type.codec().encode(v.state()))).build());
    });
    writeDedupAndOutbox(sink, true, true);
  }

  private void writeDedupAndOutbox(ReplicaSnapshot.Sink sink, boolean withDedup, boolean withOutbox)
      throws IOException {
    if (withDedup) {
      writeEach(dedup::forEach, sink::dedup);
    }
    if (withOutbox) {
      writeEach(outbox::forEachItem, sink::outbox);
    }
  }

  /** A sink's write of one record, which may fail. */
  private interface RecordWrite<T> {
    void write(T record) throws IOException;
  }

  /** Writes every record {@code forEach} visits; after the first failure, skips the rest and throws it. */
  private static <T> void writeEach(Consumer<Consumer<T>> forEach, RecordWrite<T> write) throws IOException {
    IOException[] failure = new IOException[1];
    forEach.accept(record -> {
      if (failure[0] == null) {
        try {
          write.write(record);
        } catch (IOException e) {
          failure[0] = e;
        }
      }
    });
    if (failure[0] != null) {
      throw failure[0];
    }
  }


  /** See {@link Replica#restore}. */
  long restore(ReplicaSnapshot.Source source) throws IOException {
    replica.clear();
    int sinceCommit = 0;
    for (EntitySnapshot e = source.nextEntity(); e != null; e = source.nextEntity()) {
      EntityKey key = Protos.key(e.getRef());
      EntityType<?, ?, ?> type = types.find(key.type());
      if (type == null) {
        throw new IOException(nodeId + ": the snapshot holds entity type '" + key.type()
            + "' which this node does not have; registered: " + types.names());
      }
      Encoded state = Protos.encoded(e.getState());
      long itemDigest = ReplicaDigest.entity(key, e.getVersion(), state);
      store.put(key, new Versioned(type.codec().decode(state), e.getVersion(), itemDigest));
      bounds.entityAdded(key);
      records.addEntityDigest(itemDigest);
      if (++sinceCommit == RESTORE_COMMIT_ENTITIES) {
        store.commit(0);
        sinceCommit = 0;
      }
    }
    store.commit(0);
    restoreDedup(source);
    restoreOutbox(source);
    return finishRestore(source);
  }

  /** Loads the snapshot's outbox records, committing a disk outbox's writes in bounded batches. */
  private void restoreOutbox(ReplicaSnapshot.Source source) throws IOException {
    int sinceCommit = 0;
    for (OutboxItem item = source.nextOutbox(); item != null; item = source.nextOutbox()) {
      outbox.restore(item);
      if (outbox.inStore() && ++sinceCommit == RESTORE_COMMIT_ENTITIES) {
        outbox.beforeCommit();
        store.commit(0);
        sinceCommit = 0;
      }
    }
  }

  /** Loads the snapshot's de-duplication records, committing a disk table's writes in bounded batches. */
  private void restoreDedup(ReplicaSnapshot.Source source) throws IOException {
    int sinceCommit = 0;
    for (DedupSnapshot d = source.nextDedup(); d != null; d = source.nextDedup()) {
      dedup.restore(RequestKey.of(d.getRequestId()), d.getOutcome(), d.getRememberedIndex());
      if (dedup.inStore() && ++sinceCommit == RESTORE_COMMIT_ENTITIES) {
        dedup.beforeCommit();
        store.commit(0);
        sinceCommit = 0;
      }
    }
  }

  /** See {@link Replica#writeSnapshotBesideStore}. */
  void writeSnapshotBesideStore(ReplicaSnapshot.Sink sink) throws IOException {
    sink.begin(store.size(), dedup.size(), outbox.itemCount(), replica.digest(), replica.effectsPaused());
    writeDedupAndOutbox(sink, !dedup.inStore(), !outbox.inStore());
  }

  /** See {@link Replica#restoreBesideStore}. */
  long restoreBesideStore(ReplicaSnapshot.Source source, long entityDigest,
                                 java.util.Map<String, Long> entitiesByEcosystem, boolean dedupInStore,
                                 boolean outboxInStore) throws IOException {
    if (source.nextEntity() != null) {
      throw new IOException(nodeId + ": the snapshot holds entity records, but its entities were to be in the"
          + " state store already");
    }
    bounds.restore(entitiesByEcosystem);
    records.entityDigest(entityDigest);
    outbox.clear();
    if (dedupInStore) {
      if (!(dedup instanceof DiskDedupTable disk)) {
        throw new IllegalStateException(nodeId + ": the snapshot's de-duplication table is in its checkpoint, but"
            + " this replica keeps its table in the heap; read the checkpoint's table with dedupOfCheckpoint");
      }
      disk.load();
      if (source.nextDedup() != null) {
        throw new IOException(nodeId + ": the snapshot holds de-duplication records, but its table was to be in"
            + " the checkpoint");
      }
    } else {
      dedup.clear();
      restoreDedup(source);
    }
    if (outboxInStore) {
      if (!outbox.inStore()) {
        throw new IllegalStateException(nodeId + ": the snapshot's outbox is in its checkpoint, but this replica"
            + " keeps its outbox in the heap; read the checkpoint's outbox with outboxOfCheckpoint");
      }
      outbox.load(() -> store.commit(0)); // a store from before the timers' due index gets it here, in pages
      if (source.nextOutbox() != null) {
        throw new IOException(nodeId + ": the snapshot holds outbox records, but its outbox was to be in the"
            + " checkpoint");
      }
    } else {
      restoreOutbox(source);
    }
    return finishRestore(source);
  }

  /**
   * The end of both restores: the effects setting, the digest as the snapshot was written, then the
   * bounds this node enforces and one commit of the tables' counters.
   */
  private long finishRestore(ReplicaSnapshot.Source source) throws IOException {
    replica.effectsPaused(source.effectsPaused());
    long asWritten = replica.digest();
    dedup.enforceLimits();
    dedup.beforeCommit();
    outbox.beforeCommit();
    store.commit(0);
    return asWritten;
  }
}
