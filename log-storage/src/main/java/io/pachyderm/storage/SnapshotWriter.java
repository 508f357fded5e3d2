package io.pachyderm.storage;

import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.EntitySnapshot;
import io.pachyderm.protocol.OutboxItem;
import io.pachyderm.protocol.SnapshotHeader;
import io.pachyderm.protocol.SnapshotTrailer;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * Writes one snapshot file: header, exactly {@code header.entities} entity records, exactly
 * {@code header.dedup_entries} dedup records, then a CRC32C trailer. The data goes to a temporary
 * file that is fsynced and atomically renamed by {@link #commit()}, so a crash leaves either the
 * old set of snapshots or the new file whole. Not thread-safe.
 */
public final class SnapshotWriter implements AutoCloseable {
  /** 2 added the outbox section (messages, reliable effects, dead letters, timers, counters). */
  public static final int FORMAT_VERSION = 2;
  /**
   * 3 (issue 14): format 2 without the entity records, which a RocksDB checkpoint beside the file
   * holds (the header names it); a DISK node writes it. Format 2 stays what a HEAP node writes, so
   * that a release that reads only 1..2 still reads a HEAP node's snapshots and refuses these by version.
   */
  public static final int CHECKPOINT_FORMAT_VERSION = 3;

  private final Path target;
  private final Path temp;
  private final FileOutputStream file;
  private final CheckedOutputStream out;
  private final SnapshotHeader header;
  /** The entity records this file holds: none in format 3, where a checkpoint holds them. */
  private final long entitiesInFile;
  /** The dedup records this file holds: none when the checkpoint's store holds the table (dedup_in_checkpoint). */
  private final long dedupInFile;
  /** The outbox records this file holds: none when the checkpoint's store holds the outbox (outbox_in_checkpoint). */
  private final long outboxInFile;
  private long entitiesWritten;
  private long dedupWritten;
  private long outboxWritten;
  private boolean committed;

  public SnapshotWriter(Path target, SnapshotHeader header) throws IOException {
    entitiesInFile = entitiesInFile(header);
    if (header.getDedupInCheckpoint() && header.getCheckpoint().isEmpty()) {
      throw new IllegalArgumentException("only a format " + CHECKPOINT_FORMAT_VERSION
          + " header may say that its checkpoint holds the dedup table");
    }
    dedupInFile = header.getDedupInCheckpoint() ? 0 : header.getDedupEntries();
    if (header.getOutboxInCheckpoint() && header.getCheckpoint().isEmpty()) {
      throw new IllegalArgumentException("only a format " + CHECKPOINT_FORMAT_VERSION
          + " header may say that its checkpoint holds the outbox");
    }
    outboxInFile = header.getOutboxInCheckpoint() ? 0 : header.getOutboxItems();
    this.target = target;
    this.temp = target.resolveSibling(target.getFileName() + ".tmp");
    this.header = header;
    this.file = new FileOutputStream(temp.toFile());
    this.out = new CheckedOutputStream(new BufferedOutputStream(file, 1 << 16), new CRC32C());
    header.writeDelimitedTo(out);
  }

  /**
   * The entity records a file with {@code header} holds; checks that the header's format and its
   * checkpoint fields agree (a checkpoint named in format 3 only, and always there).
   */
  static long entitiesInFile(SnapshotHeader header) {
    int version = header.getFormatVersion();
    boolean checkpoint = !header.getCheckpoint().isEmpty();
    if (version == CHECKPOINT_FORMAT_VERSION && checkpoint) {
      return 0;
    }
    if (version == FORMAT_VERSION && !checkpoint) {
      return header.getEntities();
    }
    throw new IllegalArgumentException("header must carry format version " + FORMAT_VERSION
        + " without a checkpoint or " + CHECKPOINT_FORMAT_VERSION + " with one; it has version " + version
        + (checkpoint ? " and checkpoint '" + header.getCheckpoint() + "'" : " and no checkpoint"));
  }

  public void writeEntity(EntitySnapshot entity) throws IOException {
    if (dedupWritten > 0 || outboxWritten > 0 || entitiesWritten == entitiesInFile) {
      throw new IllegalStateException("entity record out of place: " + entitiesWritten + " of "
          + entitiesInFile + " written, " + dedupWritten + " dedup records already");
    }
    entity.writeDelimitedTo(out);
    entitiesWritten++;
  }

  public void writeDedup(DedupSnapshot dedup) throws IOException {
    if (entitiesWritten != entitiesInFile || outboxWritten > 0 || dedupWritten == dedupInFile) {
      throw new IllegalStateException("dedup record out of place: " + entitiesWritten + " entities of "
          + entitiesInFile + ", " + dedupWritten + " dedup of " + dedupInFile);
    }
    dedup.writeDelimitedTo(out);
    dedupWritten++;
  }

  public void writeOutbox(OutboxItem item) throws IOException {
    if (entitiesWritten != entitiesInFile || dedupWritten != dedupInFile
        || outboxWritten == outboxInFile) {
      throw new IllegalStateException("outbox record out of place: " + dedupWritten + " dedup of "
          + dedupInFile + ", " + outboxWritten + " outbox of " + outboxInFile);
    }
    item.writeDelimitedTo(out);
    outboxWritten++;
  }

  /** Writes the trailer, fsyncs and renames the file into place. */
  public void commit() throws IOException {
    if (entitiesWritten != entitiesInFile || dedupWritten != dedupInFile
        || outboxWritten != outboxInFile) {
      throw new IllegalStateException("snapshot incomplete: " + entitiesWritten + "/" + entitiesInFile
          + " entities, " + dedupWritten + "/" + dedupInFile + " dedup records, "
          + outboxWritten + "/" + outboxInFile + " outbox records");
    }
    int crc = (int) out.getChecksum().getValue();
    SnapshotTrailer.newBuilder().setCrc32C(crc).build().writeDelimitedTo(out);
    out.flush();
    file.getFD().sync();
    out.close();
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    committed = true;
    Fsync.directory(target.toAbsolutePath().getParent());
  }

  /** Without {@link #commit()}, discards the temporary file. */
  @Override
  public void close() throws IOException {
    if (!committed) {
      out.close();
      Files.deleteIfExists(temp);
    }
  }
}
