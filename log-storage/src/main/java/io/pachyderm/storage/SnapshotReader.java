package io.pachyderm.storage;

import com.google.protobuf.InvalidProtocolBufferException;
import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.EntitySnapshot;
import io.pachyderm.protocol.OutboxItem;
import io.pachyderm.protocol.SnapshotHeader;
import io.pachyderm.protocol.SnapshotTrailer;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;

/**
 * Reads a snapshot file written by {@link SnapshotWriter}, streaming: the caller consumes the
 * entity records, then the dedup records, then calls {@link #verify()}, which checks the record
 * counts and the CRC32C trailer. A caller must not trust what it read until {@code verify()}
 * returned. Not thread-safe.
 */
public final class SnapshotReader implements AutoCloseable {
  private final Path path;
  private final InputStream raw;
  private final CheckedInputStream in;
  private final SnapshotHeader header;
  /** The entity records this file holds: none in format 3, where a checkpoint holds them. */
  private final long entitiesInFile;
  /** The dedup records this file holds: none when the checkpoint's store holds the table (dedup_in_checkpoint). */
  private final long dedupInFile;
  /** The outbox records this file holds: none when the checkpoint's store holds the outbox (outbox_in_checkpoint). */
  private final long outboxInFile;
  private long entitiesRead;
  private long dedupRead;
  private long outboxRead;

  public SnapshotReader(Path path) throws IOException {
    this.path = path;
    this.raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
    this.in = new CheckedInputStream(raw, new CRC32C());
    SnapshotHeader h;
    try {
      h = SnapshotHeader.parseDelimitedFrom(in);
    } catch (IOException e) {
      raw.close();
      throw new SnapshotFormatException(path + ": unreadable header: " + e.getMessage());
    }
    if (h == null) {
      raw.close();
      throw new SnapshotFormatException(path + ": empty file");
    }
    // Format 1 is format 2 without the outbox section (its header has no outbox_items); format 3
    // is format 2 whose entities are in a checkpoint beside the file.
    if (h.getFormatVersion() < 1 || h.getFormatVersion() > SnapshotWriter.CHECKPOINT_FORMAT_VERSION) {
      raw.close();
      throw new SnapshotFormatException(path + ": snapshot format version " + h.getFormatVersion()
          + ", this code reads 1.." + SnapshotWriter.CHECKPOINT_FORMAT_VERSION);
    }
    boolean checkpoint = !h.getCheckpoint().isEmpty();
    if (checkpoint != (h.getFormatVersion() == SnapshotWriter.CHECKPOINT_FORMAT_VERSION)) {
      raw.close();
      throw new SnapshotFormatException(path + ": snapshot format version " + h.getFormatVersion()
          + (checkpoint ? " names checkpoint '" + h.getCheckpoint() + "'" : " names no checkpoint")
          + ", but only format " + SnapshotWriter.CHECKPOINT_FORMAT_VERSION + " has one, and always");
    }
    if (h.getDedupInCheckpoint() && !checkpoint) {
      raw.close();
      throw new SnapshotFormatException(path + ": the header says a checkpoint holds the dedup table, but it names"
          + " no checkpoint");
    }
    if (h.getOutboxInCheckpoint() && !checkpoint) {
      raw.close();
      throw new SnapshotFormatException(path + ": the header says a checkpoint holds the outbox, but it names"
          + " no checkpoint");
    }
    this.header = h;
    this.entitiesInFile = checkpoint ? 0 : h.getEntities();
    // dedup_in_checkpoint: the table is in the checkpoint's store; dedup_entries still counts it.
    this.dedupInFile = h.getDedupInCheckpoint() ? 0 : h.getDedupEntries();
    // outbox_in_checkpoint: the outbox is in the checkpoint's store; outbox_items still counts it.
    this.outboxInFile = h.getOutboxInCheckpoint() ? 0 : h.getOutboxItems();
  }

  public SnapshotHeader header() {
    return header;
  }

  /** The next entity record, or null after the last. */
  public EntitySnapshot nextEntity() throws IOException {
    if (entitiesRead == entitiesInFile) {
      return null;
    }
    EntitySnapshot e;
    try {
      e = EntitySnapshot.parseDelimitedFrom(in);
    } catch (InvalidProtocolBufferException x) {
      throw new SnapshotFormatException(path + ": entity record " + (entitiesRead + 1) + " of "
          + entitiesInFile + " is truncated or corrupt: " + x.getMessage());
    }
    if (e == null) {
      throw new SnapshotFormatException(path + ": truncated after " + entitiesRead + " of "
          + entitiesInFile + " entity records");
    }
    entitiesRead++;
    return e;
  }

  /** The next dedup record, or null after the last. Only after every entity record was read. */
  public DedupSnapshot nextDedup() throws IOException {
    if (entitiesRead != entitiesInFile) {
      throw new IllegalStateException("read all entity records before dedup records");
    }
    if (dedupRead == dedupInFile) {
      return null;
    }
    DedupSnapshot d;
    try {
      d = DedupSnapshot.parseDelimitedFrom(in);
    } catch (InvalidProtocolBufferException x) {
      throw new SnapshotFormatException(path + ": dedup record " + (dedupRead + 1) + " of "
          + dedupInFile + " is truncated or corrupt: " + x.getMessage());
    }
    if (d == null) {
      throw new SnapshotFormatException(path + ": truncated after " + dedupRead + " of "
          + dedupInFile + " dedup records");
    }
    dedupRead++;
    return d;
  }

  /** The next outbox record, or null after the last. Only after every dedup record was read. */
  public OutboxItem nextOutbox() throws IOException {
    if (entitiesRead != entitiesInFile || dedupRead != dedupInFile) {
      throw new IllegalStateException("read all entity and dedup records before outbox records");
    }
    if (outboxRead == outboxInFile) {
      return null;
    }
    OutboxItem item;
    try {
      item = OutboxItem.parseDelimitedFrom(in);
    } catch (InvalidProtocolBufferException x) {
      throw new SnapshotFormatException(path + ": outbox record " + (outboxRead + 1) + " of "
          + outboxInFile + " is truncated or corrupt: " + x.getMessage());
    }
    if (item == null) {
      throw new SnapshotFormatException(path + ": truncated after " + outboxRead + " of "
          + outboxInFile + " outbox records");
    }
    outboxRead++;
    return item;
  }

  /** Checks counts and checksum. @throws SnapshotFormatException if the file is not whole */
  public void verify() throws IOException {
    if (entitiesRead != entitiesInFile || dedupRead != dedupInFile
        || outboxRead != outboxInFile) {
      throw new IllegalStateException("verify() before every record was read");
    }
    int expected = (int) in.getChecksum().getValue();
    // The trailer is not covered by the checksum, and a stream parse takes end of file as end of
    // message, so a damaged length prefix would go unnoticed: compare the trailer byte for byte
    // with the one the writer writes for this content.
    ByteArrayOutputStream wanted = new ByteArrayOutputStream(8);
    SnapshotTrailer.newBuilder().setCrc32C(expected).build().writeDelimitedTo(wanted);
    byte[] want = wanted.toByteArray();
    byte[] rest = raw.readNBytes(want.length + 1);
    if (rest.length == 0) {
      throw new SnapshotFormatException(path + ": missing CRC trailer (truncated file)");
    }
    if (rest.length > want.length) {
      throw new SnapshotFormatException(path + ": trailing bytes after the CRC trailer");
    }
    if (!Arrays.equals(rest, want)) {
      throw new SnapshotFormatException(path + ": CRC32C mismatch or damaged trailer: content is "
          + Integer.toHexString(expected) + ", trailer bytes are " + HexFormat.of().formatHex(rest)
          + ", expected " + HexFormat.of().formatHex(want));
    }
  }

  @Override
  public void close() throws IOException {
    raw.close();
  }
}
