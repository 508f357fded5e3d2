package io.pachyderm.storage.journal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The row keys and values of {@link DiskRefIndex} (its class comment lists the rows). Integers are 8
 * bytes big-endian, so byte order is numeric order for the non-negative versions and excerpts; a
 * ref is its ecosystem, type and id, each a varint length then UTF-8, so no ref's bytes are a
 * prefix of another's and a ref's rows sort together, by version. Pure functions: any thread.
 */
final class DiskIndexRows {
  static final byte ROW = 'r';
  static final byte TAIL = 't';
  static final byte CHECKPOINT = 'c';
  static final byte MARKER = 'k';
  static final byte[] META = {'m'};
  static final byte[] SAVE_POINT = {'s'};

  private static final long META_FORMAT = 1;
  private static final int META_LONGS = 14;

  private DiskIndexRows() {}

  /** The 'm' row: the index's end, its record and ref counts, and the bound below which no 'r' row is. */
  record Meta(RefRuns.IndexEnd end, long records, long refs, long excerptsFrom) {}

  static byte[] meta(RefRuns.IndexEnd end, long records, long refs, long excerptsFrom) {
    ByteBuffer m = ByteBuffer.allocate(META_LONGS * 8);
    Position last = end.last();
    m.putLong(META_FORMAT);
    m.putLong(last.logIndex()).putLong(last.entrySeq()).putLong(last.term()).putLong(last.entryEvents())
        .putLong(last.excerpt()).putLong(last.gap() ? 1 : 0);
    m.putLong(end.lastGapExcerpt()).putLong(end.gapFloorLogIndex()).putLong(end.indexedExcerpt())
        .putLong(end.sinceCheckpoint());
    m.putLong(records).putLong(refs).putLong(excerptsFrom);
    return m.array();
  }

  /** The 'm' row decoded, or null when it is of another format or size. */
  static Meta readMeta(byte[] meta) {
    ByteBuffer m = ByteBuffer.wrap(meta);
    if (meta.length != META_LONGS * 8 || m.getLong() != META_FORMAT) {
      return null;
    }
    Position last = new Position(m.getLong(), (int) m.getLong(), m.getLong(), (int) m.getLong(), m.getLong(),
        m.getLong() == 1);
    RefRuns.IndexEnd end = new RefRuns.IndexEnd(last, m.getLong(), m.getLong(), m.getLong(), m.getLong());
    return new Meta(end, m.getLong(), m.getLong(), m.getLong());
  }

  static byte[] refBytes(RefIndex.Key key) {
    byte[] e = key.ecosystem().getBytes(StandardCharsets.UTF_8);
    byte[] t = key.type().getBytes(StandardCharsets.UTF_8);
    byte[] i = key.id().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(15 + e.length + t.length + i.length);
    varint(b, e.length).put(e);
    varint(b, t.length).put(t);
    varint(b, i.length).put(i);
    return Arrays.copyOf(b.array(), b.position());
  }

  static ByteBuffer varint(ByteBuffer b, int v) {
    while ((v & ~0x7F) != 0) {
      b.put((byte) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    return b.put((byte) v);
  }

  static byte[] rowKey(byte[] ref, long version) {
    return ByteBuffer.allocate(1 + ref.length + 8).put(ROW).put(ref).putLong(version).array();
  }

  static byte[] tailKey(byte[] ref) {
    return ByteBuffer.allocate(1 + ref.length).put(TAIL).put(ref).array();
  }

  static byte[] tailValue(long first, long last, long lastExcerpt) {
    return ByteBuffer.allocate(24).putLong(first).putLong(last).putLong(lastExcerpt).array();
  }

  static byte[] prefixKey(byte prefix, long value) {
    return ByteBuffer.allocate(9).put(prefix).putLong(value).array();
  }

  static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  static long longAt(byte[] b, int at) {
    return ByteBuffer.wrap(b, at, 8).getLong();
  }
}
