package io.pachyderm.storage.journal;

import io.pachyderm.storage.Fsync;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The journal's persisted index: one file per save under {@code <journal dir>/index/}, named
 * {@code index-<through excerpt, 16 hex digits>.pji} so that name order is journal order.
 *
 * <p>Format (all integers unsigned LEB128 varints unless noted; excerpt lists are ascending and
 * stored as the first value then deltas):
 *
 * <pre>
 * magic "PJIX" (4 bytes), format 1, roll cycle name (varint length + UTF-8)
 * through excerpt, through excerpt CRC32
 * lastLogIndex, lastEntrySeq + 1, lastExcerpt + 1, lastTerm, lastEntryEvents, lastIsGap (0/1),
 * lastGapExcerpt + 1, gapFloorLogIndex
 * sinceCheckpoint, checkpoint count, log indexes (delta), excerpts (delta)
 * marker count, excerpts (delta), after_log_index of each
 * ref count, then per ref sorted by key: ecosystem, type, id (length + UTF-8), first version, record
 *   count, excerpts (delta)
 * CRC32 of every byte before it (4 bytes, big-endian)
 * </pre>
 *
 * <p>Written to a temporary file, fsynced, renamed atomically, then the directory is fsynced; the
 * newest {@link #KEPT_FILES} files are kept. Loading checks the checksum and every count against
 * the file size, so a torn or foreign file is refused, never half-used.
 */
final class IndexFile {
  static final String DIRECTORY = "index";
  static final int KEPT_FILES = 2;
  private static final int MAGIC = 0x504A4958; // "PJIX"
  private static final int FORMAT = 1;
  private static final String PREFIX = "index-";
  private static final String SUFFIX = ".pji";
  private static final int BUFFER_BYTES = 1 << 16;

  private IndexFile() {}

  /** A file that cannot be used, with the reason (for the WARN that names it). */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String reason) {
      super(reason);
    }
  }

  /** Index files in {@code indexDir}, newest first; empty when the directory does not exist. */
  static List<Path> listNewestFirst(Path indexDir) throws IOException {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(indexDir)) {
      return files;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(indexDir, PREFIX + "*" + SUFFIX)) {
      for (Path p : stream) {
        files.add(p);
      }
    }
    // Fixed-width hex names: name order is excerpt order.
    files.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
    return files;
  }

  /** Writes {@code image} durably and prunes older files; returns the file written. */
  static Path write(Path indexDir, IndexImage image) throws IOException {
    Files.createDirectories(indexDir);
    String name = PREFIX + String.format("%016x", image.throughExcerpt) + SUFFIX;
    Path file = indexDir.resolve(name);
    Path tmp = indexDir.resolve(name + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      Encoder out = new Encoder(Channels.newOutputStream(ch));
      encode(image, out);
      out.finish();
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Fsync.directory(indexDir);
    prune(indexDir);
    return file;
  }

  /** Deletes every index file but the newest {@link #KEPT_FILES}, and leftover temporary files. */
  private static void prune(Path indexDir) throws IOException {
    List<Path> files = listNewestFirst(indexDir);
    for (int i = KEPT_FILES; i < files.size(); i++) {
      Files.deleteIfExists(files.get(i));
    }
    // Only the single index writer thread creates temporary files, and it is here now.
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(indexDir, "*.tmp")) {
      for (Path p : stream) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void encode(IndexImage im, Encoder out) throws IOException {
    out.fixed32(MAGIC);
    out.varint(FORMAT);
    out.string(im.rollCycle);
    out.varint(im.throughExcerpt);
    out.varint(im.throughExcerptCrc);
    out.varint(im.last.logIndex());
    out.varint(im.last.entrySeq() + 1L);
    out.varint(im.last.excerpt() + 1);
    out.varint(im.last.term());
    out.varint(im.last.entryEvents());
    out.varint(im.last.gap() ? 1 : 0);
    out.varint(im.lastGapExcerpt + 1);
    out.varint(im.gapFloorLogIndex);
    out.varint(im.sinceCheckpoint);
    out.varint(im.checkpoints);
    out.ascending(im.cpLogIndex, im.checkpoints);
    out.ascending(im.cpExcerpt, im.checkpoints);
    out.varint(im.markers);
    out.ascending(im.markerExcerpt, im.markers);
    for (int i = 0; i < im.markers; i++) {
      out.varint(im.markerAfterLogIndex[i]);
    }
    // Sorted by key so that the same index always gives the same bytes (no HashMap order on disk).
    Integer[] order = new Integer[im.refs];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Comparator<RefIndex.Key> byKey = Comparator.comparing(RefIndex.Key::ecosystem)
        .thenComparing(RefIndex.Key::type).thenComparing(RefIndex.Key::id);
    Arrays.sort(order, (a, b) -> byKey.compare(im.keys[a], im.keys[b]));
    out.varint(im.refs);
    for (int i : order) {
      RefIndex.Key key = im.keys[i];
      out.string(key.ecosystem());
      out.string(key.type());
      out.string(key.id());
      out.varint(im.firstVersions[i]);
      out.varint(im.sizes[i]);
      out.ascending(im.excerpts[i], im.sizes[i]);
    }
  }

  /** Reads and checks {@code file}; the queue-side checks are the caller's. */
  static IndexImage read(Path file) throws IOException, Invalid {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < 8) {
      throw new Invalid("truncated (" + bytes.length + " bytes)");
    }
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 4);
    Decoder in = new Decoder(bytes, bytes.length - 4);
    long stored = in.fixed32At(bytes.length - 4);
    if (crc.getValue() != stored) {
      throw new Invalid("checksum mismatch (torn or corrupt file)");
    }
    if (in.fixed32() != MAGIC) {
      throw new Invalid("not a journal index file (bad magic)");
    }
    long format = in.varint();
    if (format != FORMAT) {
      throw new Invalid("unknown format " + format);
    }
    IndexImage im = new IndexImage();
    im.rollCycle = in.string();
    im.throughExcerpt = in.varint();
    im.throughExcerptCrc = in.varint();
    long logIndex = in.varint();
    int entrySeq = (int) in.varint() - 1;
    long excerpt = in.varint() - 1;
    long term = in.varint();
    int entryEvents = (int) in.varint();
    im.last = new Position(logIndex, entrySeq, term, entryEvents, excerpt, in.varint() == 1);
    im.lastGapExcerpt = in.varint() - 1;
    im.gapFloorLogIndex = in.varint();
    im.sinceCheckpoint = in.varint();
    im.checkpoints = in.count();
    // Two checkpoints may carry the same log index (an entry of more than CHECKPOINT_EVERY events).
    im.cpLogIndex = in.ascending(im.checkpoints, Math.max(64, im.checkpoints), false);
    im.cpExcerpt = in.ascending(im.checkpoints, Math.max(64, im.checkpoints), true);
    im.markers = in.count();
    im.markerExcerpt = in.ascending(im.markers, im.markers, true);
    im.markerAfterLogIndex = new long[im.markers];
    for (int i = 0; i < im.markers; i++) {
      im.markerAfterLogIndex[i] = in.varint();
    }
    im.refs = in.count();
    im.keys = new RefIndex.Key[im.refs];
    im.excerpts = new long[im.refs][];
    im.sizes = new int[im.refs];
    im.firstVersions = new long[im.refs];
    for (int i = 0; i < im.refs; i++) {
      im.keys[i] = new RefIndex.Key(in.string(), in.string(), in.string());
      im.firstVersions[i] = in.varint();
      im.sizes[i] = in.count();
      if (im.sizes[i] == 0 || im.firstVersions[i] < 1) {
        throw new Invalid("ref " + im.keys[i] + " has an empty run or version 0");
      }
      // Room to grow as appends continue, as RefIndex would have had.
      im.excerpts[i] = in.ascending(im.sizes[i], Math.max(4, im.sizes[i] + (im.sizes[i] >> 3)), true);
    }
    if (!in.atEnd()) {
      throw new Invalid("trailing bytes after the last ref");
    }
    return im;
  }

  /** Varint writer over a 64 KiB buffer that keeps the CRC32 of everything written. */
  private static final class Encoder {
    private final OutputStream out;
    private final byte[] buf = new byte[BUFFER_BYTES];
    private final CRC32 crc = new CRC32();
    private int pos;

    Encoder(OutputStream out) {
      this.out = out;
    }

    void varint(long v) throws IOException {
      if (pos > BUFFER_BYTES - 10) {
        drain();
      }
      while ((v & ~0x7FL) != 0) {
        buf[pos++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[pos++] = (byte) v;
    }

    void fixed32(long v) throws IOException {
      if (pos > BUFFER_BYTES - 4) {
        drain();
      }
      buf[pos++] = (byte) (v >>> 24);
      buf[pos++] = (byte) (v >>> 16);
      buf[pos++] = (byte) (v >>> 8);
      buf[pos++] = (byte) v;
    }

    void string(String s) throws IOException {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      varint(b.length);
      drain();
      crc.update(b);
      out.write(b);
    }

    void ascending(long[] values, int count) throws IOException {
      long previous = 0;
      for (int i = 0; i < count; i++) {
        varint(values[i] - previous);
        previous = values[i];
      }
    }

    private void drain() throws IOException {
      crc.update(buf, 0, pos);
      out.write(buf, 0, pos);
      pos = 0;
    }

    /** Appends the CRC32 of everything written and flushes. */
    void finish() throws IOException {
      drain();
      fixed32(crc.getValue());
      out.write(buf, 0, pos);
      pos = 0;
      out.flush();
    }
  }

  /** Reader of the format above; every read is bounds-checked against the end. */
  private static final class Decoder {
    private final byte[] b;
    private final int end;
    private int pos;

    Decoder(byte[] b, int end) {
      this.b = b;
      this.end = end;
    }

    long varint() throws Invalid {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) {
          throw new Invalid("truncated at byte " + pos);
        }
        byte x = b[pos++];
        v |= (long) (x & 0x7F) << shift;
        if (x >= 0) {
          return v;
        }
      }
      throw new Invalid("varint too long at byte " + pos);
    }

    /** A count that must fit in the rest of the file (every element takes at least one byte). */
    int count() throws Invalid {
      long n = varint();
      if (n < 0 || n > end - pos) {
        throw new Invalid("count " + n + " at byte " + pos + " exceeds the file");
      }
      return (int) n;
    }

    long fixed32() throws Invalid {
      if (pos + 4 > end) {
        throw new Invalid("truncated at byte " + pos);
      }
      long v = fixed32At(pos);
      pos += 4;
      return v;
    }

    long fixed32At(int at) {
      return ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFFL) << 16) | ((b[at + 2] & 0xFFL) << 8) | (b[at + 3] & 0xFFL);
    }

    String string() throws Invalid {
      int n = count();
      String s = new String(b, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    /**
     * {@code count} ascending values (first absolute, then deltas: > 0 when {@code strict}, else >= 0)
     * into an array of {@code capacity}.
     */
    long[] ascending(int count, int capacity, boolean strict) throws Invalid {
      if (count > end - pos) {
        throw new Invalid("count " + count + " at byte " + pos + " exceeds the file");
      }
      long[] out = new long[capacity];
      long value = 0;
      for (int i = 0; i < count; i++) {
        long delta = varint();
        if (delta < 0 || (strict && i > 0 && delta == 0)) {
          throw new Invalid("values not ascending at byte " + pos);
        }
        value += delta;
        out[i] = value;
      }
      return out;
    }

    boolean atEnd() {
      return pos == end;
    }
  }
}
