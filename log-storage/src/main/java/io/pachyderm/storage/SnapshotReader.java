package io.pachyderm.storage;

import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.EntitySnapshot;
import io.pachyderm.protocol.SnapshotHeader;
import io.pachyderm.protocol.SnapshotTrailer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
  private long entitiesRead;
  private long dedupRead;

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
    if (h.getFormatVersion() != SnapshotWriter.FORMAT_VERSION) {
      raw.close();
      throw new SnapshotFormatException(path + ": snapshot format version " + h.getFormatVersion()
          + ", this code reads " + SnapshotWriter.FORMAT_VERSION);
    }
    this.header = h;
  }

  public SnapshotHeader header() {
    return header;
  }

  /** The next entity record, or null after the last. */
  public EntitySnapshot nextEntity() throws IOException {
    if (entitiesRead == header.getEntities()) {
      return null;
    }
    EntitySnapshot e = EntitySnapshot.parseDelimitedFrom(in);
    if (e == null) {
      throw new SnapshotFormatException(path + ": truncated after " + entitiesRead + " of "
          + header.getEntities() + " entity records");
    }
    entitiesRead++;
    return e;
  }

  /** The next dedup record, or null after the last. Only after every entity record was read. */
  public DedupSnapshot nextDedup() throws IOException {
    if (entitiesRead != header.getEntities()) {
      throw new IllegalStateException("read all entity records before dedup records");
    }
    if (dedupRead == header.getDedupEntries()) {
      return null;
    }
    DedupSnapshot d = DedupSnapshot.parseDelimitedFrom(in);
    if (d == null) {
      throw new SnapshotFormatException(path + ": truncated after " + dedupRead + " of "
          + header.getDedupEntries() + " dedup records");
    }
    dedupRead++;
    return d;
  }

  /** Checks counts and checksum. @throws SnapshotFormatException if the file is not whole */
  public void verify() throws IOException {
    if (entitiesRead != header.getEntities() || dedupRead != header.getDedupEntries()) {
      throw new IllegalStateException("verify() before every record was read");
    }
    int expected = (int) in.getChecksum().getValue();
    SnapshotTrailer trailer = SnapshotTrailer.parseDelimitedFrom(raw);
    if (trailer == null) {
      throw new SnapshotFormatException(path + ": missing CRC trailer (truncated file)");
    }
    if (trailer.getCrc32C() != expected) {
      throw new SnapshotFormatException(path + ": CRC32C mismatch, file says "
          + Integer.toHexString(trailer.getCrc32C()) + ", content is " + Integer.toHexString(expected));
    }
    if (raw.read() != -1) {
      throw new SnapshotFormatException(path + ": trailing bytes after the CRC trailer");
    }
  }

  @Override
  public void close() throws IOException {
    raw.close();
  }
}
