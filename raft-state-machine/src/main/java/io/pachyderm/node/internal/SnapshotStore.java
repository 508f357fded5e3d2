package io.pachyderm.node.internal;

import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.protocol.CheckpointFile;
import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.EcosystemEntities;
import io.pachyderm.protocol.EntitySnapshot;
import io.pachyderm.protocol.OutboxItem;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.SnapshotHeader;
import io.pachyderm.replica.Replica;
import io.pachyderm.replica.ReplicaDigest;
import io.pachyderm.replica.ReplicaSnapshot;
import io.pachyderm.replica.StateStore;
import io.pachyderm.statestore.RocksStateStore;
import io.pachyderm.storage.SnapshotReader;
import io.pachyderm.storage.SnapshotWriter;
import io.pachyderm.storage.journal.EventJournal;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica's snapshots as files in Ratis' state machine storage: the format is
 * {@link SnapshotWriter}'s (a header, then the {@link ReplicaSnapshot} items), with an MD5 file
 * beside each. A HEAP node writes every entity into the file (format 2); a DISK node writes a
 * RocksDB checkpoint beside it instead ({@link CheckpointSnapshots}, format 3). Either kind of node
 * loads either format: a DISK node opens a format 2 file once (issue 14's migration; its next
 * snapshot is a checkpoint), a HEAP node reads a checkpoint's entities out of a copy of it. Apply
 * thread (Ratis takes snapshots there) or before the server runs; {@link #latestInfo} any thread.
 */
final class SnapshotStore {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);

  /** A snapshot loaded: the applied index it holds, and the journal position recorded when it was taken. */
  record Loaded(TermIndex last, long journalIndex) {}

  private final String nodeId;
  private final SimpleStateMachineStorage storage;
  private final Replica replica;
  private final NodeMetrics metrics;
  private final EntityTypes types;
  /** The replica's store when it is a DISK one (its snapshots are checkpoints), else null. */
  private final RocksStateStore disk;
  /** MD5s of the last checkpoint's files, so the next reads only new ones. Apply thread only. */
  private final CheckpointDigests checkpointDigests = new CheckpointDigests();
  /** What {@link #latestInfo} built for the latest snapshot: its header is read once. */
  private volatile SnapshotInfo latestInfo;

  SnapshotStore(String nodeId, SimpleStateMachineStorage storage, Replica replica, NodeMetrics metrics,
                EntityTypes types, StateStore store) {
    this.nodeId = nodeId;
    this.storage = storage;
    this.replica = replica;
    this.metrics = metrics;
    this.types = types;
    this.disk = store instanceof RocksStateStore rocks ? rocks : null;
  }

  /**
   * The latest snapshot as Ratis ships it to a follower: the file alone (format 2), or the file and
   * every file of its checkpoint with the MD5s the header recorded (format 3). Any thread.
   */
  SnapshotInfo latestInfo() {
    SingleFileSnapshotInfo single = storage.getLatestSnapshot();
    if (single == null) {
      return null;
    }
    SnapshotInfo cached = latestInfo;
    if (cached != null && cached.getTermIndex().equals(single.getTermIndex())) {
      return cached;
    }
    SnapshotHeader header;
    try (SnapshotReader reader = new SnapshotReader(single.getFile().getPath())) {
      header = reader.header();
    } catch (IOException e) {
      // Ratis then ships the file alone, and the follower's load names what is wrong with it.
      LOG.warn("{}: cannot read the header of snapshot {}: {}", nodeId, single.getFile().getPath(), e.getMessage());
      return single;
    }
    SnapshotInfo info = header.getCheckpoint().isEmpty() ? single
        : new FileListSnapshotInfo(CheckpointSnapshots.files(single.getFile(), header), single.getTermIndex());
    latestInfo = info;
    return info;
  }

  /** The index of the latest snapshot, 0 when none. Any thread. */
  long latestIndex() {
    SingleFileSnapshotInfo snap = storage.getLatestSnapshot();
    return snap == null ? 0 : snap.getIndex();
  }

  /**
   * Takes a snapshot at {@code last} (the applied index), then {@code written} with its index;
   * returns that index, or -1 when nothing was applied yet.
   *
   * <p>Ratis' apply loop survives only an IOException here: anything else puts it in a state where,
   * while the server stops, it retries the snapshot and logs the failure in a tight loop and close()
   * waits for it forever (issue 12's ~17,000 lines a second: a journal whose files were gone could
   * not sync). A journal that cannot sync is a durability failure: fail-stop, then the IOException.
   */
  long take(TermIndex last, EventJournal journal, FailStop failStop, java.util.function.LongConsumer written)
      throws IOException {
    if (failStop.failed()) {
      // The state may be behind its journal or half applied: it must not become a snapshot.
      throw new IOException(nodeId + " stopped after a fatal error and takes no snapshot: " + failStop.failure());
    }
    if (last == null || last.getIndex() < 0) {
      return -1;
    }
    try {
      write(last, journal);
      written.accept(last.getIndex());
      return last.getIndex();
    } catch (RuntimeException | Error e) {
      failStop.fatal("taking a snapshot", e);
      throw new IOException(nodeId + ": snapshot failed: " + e, e);
    }
  }

  /**
   * Writes the replica's state at {@code last} and registers the file with Ratis.
   *
   * @param journal the node's journal (null when none): its events up to now are synced first,
   *     because Ratis purges the log behind this snapshot and from then on only the journal holds them
   */
  private void write(TermIndex last, EventJournal journal) throws IOException {
    long startNs = System.nanoTime();
    File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    long journalIndex = 0;
    if (journal != null) {
      // saveIndex lets the next open skip the full scan.
      journal.sync();
      journal.saveIndex();
      journalIndex = journal.lastCompleteIndex();
    }
    Path smDir = file.toPath().getParent();
    SnapshotHeader.Builder base;
    if (disk != null && file.exists() && MD5FileUtil.getDigestFileForFile(file).exists()) {
      // Taken before at this index (Ratis snapshots again as it stops): rewriting would delete the
      // checkpoint the existing file names before its replacement is whole.
      LOG.debug("{}: the snapshot at {} exists already", nodeId, last);
      return;
    }
    if (disk != null) {
      CheckpointSnapshots.deleteOrphans(nodeId, smDir);
      base = CheckpointSnapshots.writeCheckpoint(nodeId, smDir, disk, last, checkpointDigests)
          .setEntityDigest(replica.entityDigest()).setDedupInCheckpoint(replica.dedupInStore())
          .setOutboxInCheckpoint(replica.outboxInStore());
      for (Map.Entry<String, Long> e : replica.entitiesByEcosystem().entrySet()) {
        base.addEntitiesByEcosystem(EcosystemEntities.newBuilder().setEcosystem(e.getKey()).setEntities(e.getValue()));
      }
    } else {
      base = SnapshotHeader.newBuilder().setFormatVersion(SnapshotWriter.FORMAT_VERSION);
    }
    FileSink sink = new FileSink(file.toPath(), base, last, journalIndex);
    try {
      if (disk != null) {
        replica.writeSnapshotBesideStore(sink);
      } else {
        replica.writeSnapshot(sink);
      }
      sink.writer.commit();
    } finally {
      if (sink.writer != null) {
        sink.writer.close();
      }
    }
    MD5Hash md5 = SnapshotFiles.saveMd5OrDelete(nodeId, file);
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
    // On DISK the snapshot is its header file plus the checkpoint's files (what an install ships).
    long bytes = file.length();
    for (CheckpointFile f : sink.header.getCheckpointFilesList()) {
      bytes += f.getBytes();
    }
    metrics.snapshotTaken(System.nanoTime() - startNs, bytes);
    LOG.info("{} took snapshot at {}{} in {} ms ({} entities, {} dedup entries, digest {})", nodeId, last,
        disk != null ? " (checkpoint " + sink.header.getCheckpointFilesCount() + " files)" : "",
        (System.nanoTime() - startNs) / 1_000_000, sink.header.getEntities(), sink.header.getDedupEntries(), ReplicaDigest.hex(sink.header.getDigest()));
  }

  /**
   * Replaces the replica's state with the latest snapshot's; with none, empties it and returns null.
   * A snapshot that cannot be read, or whose contents do not give the digest it recorded, fails the load.
   */
  Loaded loadLatest() throws IOException {
    long startNs = System.nanoTime();
    // An install may have replaced every checkpoint: inodes remembered may be freed and reused.
    checkpointDigests.forget();
    Path snapshotDir = storage.getSnapshotFile(0, 0).toPath().getParent();
    SnapshotFiles.setAsideUnreadable(nodeId, snapshotDir);
    CheckpointSnapshots.deleteOrphans(nodeId, snapshotDir);
    SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
    if (snapshot == null && SnapshotFiles.any(snapshotDir)) {
      // Ratis returns null for a snapshot it cannot read; starting empty over a log that no
      // longer begins at index 1 would leave a node that never applies anything.
      throw new IOException(nodeId + ": the snapshots in " + snapshotDir + " cannot be read (Ratis found none"
          + " usable); in a cluster, re-seed it from the leader: with it stopped, run 'pachyderm reseed --data"
          + " <its data directory> --peers ...', then start it (README, Re-seeding a node)");
    }
    replica.clear();
    if (snapshot == null) {
      return null;
    }
    Path path = snapshot.getFile().getPath();
    if (!Files.exists(path)) {
      throw new IOException(nodeId + ": latest snapshot file " + path + " is missing");
    }
    MD5Hash md5 = snapshot.getFile().getFileDigest();
    if (md5 != null) {
      MD5FileUtil.verifySavedMD5(path.toFile(), md5);
    }
    try (SnapshotReader reader = new SnapshotReader(path)) {
      SnapshotHeader header = reader.header();
      long asWritten;
      try {
        asWritten = restore(reader, header, path);
      } catch (IOException e) {
        throw new IOException(path + ": " + e.getMessage(), e);
      }
      reader.verify();
      TermIndex last = TermIndex.valueOf(header.getLastAppliedTerm(), header.getLastAppliedIndex());
      if (!last.equals(snapshot.getTermIndex())) {
        throw new IOException(path + ": header says " + last + " but the file name says " + snapshot.getTermIndex());
      }
      if (header.hasDigest() && header.getDigest() != asWritten) {
        throw new IOException(nodeId + ": snapshot " + path + " records replica digest "
            + ReplicaDigest.hex(header.getDigest()) + " but its contents give " + ReplicaDigest.hex(asWritten)
            + ": the file does not hold the state it was written with");
      }
      LOG.info("{} loaded snapshot {} ({} entities, {} dedup entries, digest {}) in {} ms", nodeId, last,
          replica.entities(), replica.dedupEntries(), ReplicaDigest.hex(replica.digest()),
          (System.nanoTime() - startNs) / 1_000_000);
      return new Loaded(last, header.getJournalIndex());
    }
  }

  /** Loads the replica from the file {@code reader} reads, and from its checkpoint when it names one. */
  private long restore(SnapshotReader reader, SnapshotHeader header, Path path) throws IOException {
    if (header.getCheckpoint().isEmpty()) {
      return replica.restore(new FileSource(reader));
    }
    Path dir = path.resolveSibling(header.getCheckpoint());
    CheckpointSnapshots.verify(nodeId, dir, header);
    if (disk == null) {
      return restoreIntoHeap(reader, dir);
    }
    checkpointDigests.rememberLoaded(dir, header.getCheckpointFilesList());
    // Links, not a copy of the entities: what makes a DISK node's start independent of its entity count.
    disk.replaceWith(dir);
    if (disk.size() != header.getEntities() || disk.appliedIndex() > header.getLastAppliedIndex()) {
      throw new IOException("checkpoint " + dir + " holds " + disk.size() + " entities at entry "
          + disk.appliedIndex() + ", the snapshot recorded " + header.getEntities() + " at entry "
          + header.getLastAppliedIndex());
    }
    Map<String, Long> counts = new TreeMap<>();
    for (EcosystemEntities e : header.getEntitiesByEcosystemList()) {
      counts.put(e.getEcosystem(), e.getEntities());
    }
    return replica.restoreBesideStore(new FileSource(reader), header.getEntityDigest(), counts,
        header.getDedupInCheckpoint(), header.getOutboxInCheckpoint());
  }

  /**
   * A HEAP node given a DISK node's snapshot (installed from a DISK leader, or its own data
   * directory after a switch of kind): reads every entity out of a copy of the checkpoint, so the
   * replica's digest check covers them as for a format 2 file.
   */
  private long restoreIntoHeap(SnapshotReader reader, Path dir) throws IOException {
    Path copy = dir.resolveSibling(dir.getFileName() + CheckpointSnapshots.READ_SUFFIX);
    CheckpointSnapshots.deleteTree(copy);
    try (RocksStateStore read = RocksStateStore.open(copy, types, 0)) {
      read.replaceWith(dir);
      // The table a DISK node keeps in its store; an older checkpoint's is in the file.
      Iterator<DedupSnapshot> dedup = reader.header().getDedupInCheckpoint()
          ? Replica.dedupOfCheckpoint(read.tables()).iterator() : null;
      Iterator<OutboxItem> outbox = reader.header().getOutboxInCheckpoint()
          ? Replica.outboxOfCheckpoint(read.tables()).iterator() : null;
      try (RocksStateStore.EntityCursor cursor = read.cursor()) {
        return replica.restore(new CheckpointSource(reader, cursor, types, dedup, outbox));
      }
    } finally {
      CheckpointSnapshots.deleteTree(copy);
    }
  }

  /**
   * Entities from a checkpoint, the rest from the snapshot file; the de-duplication entries from
   * {@code dedup} and the outbox records from {@code outbox} when the checkpoint holds them (null:
   * the file does).
   */
  private record CheckpointSource(SnapshotReader reader, RocksStateStore.EntityCursor cursor, EntityTypes types,
                                  Iterator<DedupSnapshot> dedup, Iterator<OutboxItem> outbox)
      implements ReplicaSnapshot.Source {
    @Override
    public EntitySnapshot nextEntity() throws IOException {
      RocksStateStore.Entity e = cursor.next();
      if (e == null) {
        return null;
      }
      EntityType<?, ?, ?> type = types.find(e.key().type());
      return EntitySnapshot.newBuilder().setRef(Protos.ref(e.key())).setVersion(e.value().version())
          .setState(Protos.payload(type.codec().encode(e.value().state()))).build();
    }

    @Override
    public DedupSnapshot nextDedup() throws IOException {
      if (dedup != null) {
        return dedup.hasNext() ? dedup.next() : null;
      }
      return reader.nextDedup();
    }

    @Override
    public OutboxItem nextOutbox() throws IOException {
      if (outbox != null) {
        return outbox.hasNext() ? outbox.next() : null;
      }
      return reader.nextOutbox();
    }

    @Override
    public boolean effectsPaused() {
      return reader.header().getEffectsPaused();
    }
  }

  /** Opens the file once the replica says what its header holds. */
  private static final class FileSink implements ReplicaSnapshot.Sink {
    private final Path path;
    private final SnapshotHeader.Builder base;
    private final TermIndex last;
    private final long journalIndex;
    private SnapshotWriter writer;
    private SnapshotHeader header;

    /** @param base the format, and for a checkpoint its fields */
    FileSink(Path path, SnapshotHeader.Builder base, TermIndex last, long journalIndex) {
      this.path = path;
      this.base = base;
      this.last = last;
      this.journalIndex = journalIndex;
    }

    @Override
    public void begin(int entities, int dedupEntries, int outboxItems, long digest, boolean effectsPaused)
        throws IOException {
      header = base
          .setLastAppliedTerm(last.getTerm())
          .setLastAppliedIndex(last.getIndex())
          .setEntities(entities)
          .setDedupEntries(dedupEntries)
          .setOutboxItems(outboxItems)
          .setJournalIndex(journalIndex)
          .setDigest(digest)
          .setEffectsPaused(effectsPaused)
          .build();
      writer = new SnapshotWriter(path, header);
    }

    @Override
    public void entity(EntitySnapshot entity) throws IOException {
      writer.writeEntity(entity);
    }

    @Override
    public void dedup(DedupSnapshot entry) throws IOException {
      writer.writeDedup(entry);
    }

    @Override
    public void outbox(OutboxItem item) throws IOException {
      writer.writeOutbox(item);
    }
  }

  private record FileSource(SnapshotReader reader) implements ReplicaSnapshot.Source {
    @Override
    public EntitySnapshot nextEntity() throws IOException {
      return reader.nextEntity();
    }

    @Override
    public DedupSnapshot nextDedup() throws IOException {
      return reader.nextDedup();
    }

    @Override
    public OutboxItem nextOutbox() throws IOException {
      return reader.nextOutbox();
    }

    @Override
    public boolean effectsPaused() {
      return reader.header().getEffectsPaused();
    }
  }
}
