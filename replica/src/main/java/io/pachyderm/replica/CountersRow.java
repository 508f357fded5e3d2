package io.pachyderm.replica;

import java.nio.ByteBuffer;

/**
 * The counters of a disk table ({@link DiskDedupTable}'s sequence numbers, bytes and digest;
 * {@link DiskOutboxTables}' counts and digest) as one row under the table's META key: a fixed
 * number of longs, big-endian. The two tables' counters differ in meaning, not in how they are
 * stored and checked, which is what lives here: a row of another length is a corrupt store, and
 * the error names the table. Each table checks what its values mean itself after {@link #read}.
 *
 * <p>Stateless; the callers' threads rules apply ({@link #write} on the apply thread).
 */
final class CountersRow {
  private CountersRow() {}

  /** Writes {@code values} (exactly {@code longs} of them) under {@code key} in the entry being applied. */
  static void write(StoreTables tables, byte[] key, int longs, long... values) {
    if (values.length != longs) {
      throw new IllegalArgumentException("a counters row of " + longs + " longs given " + values.length);
    }
    ByteBuffer b = ByteBuffer.allocate(8 * longs);
    for (long v : values) {
      b.putLong(v);
    }
    tables.put(key, b.array());
  }

  /**
   * The row under {@code key}, positioned at its first long, or null when the store holds none.
   *
   * @param what names the counters in the error, e.g. "the disk outbox's counts"
   * @throws IllegalStateException when the row is not {@code longs} longs: the state store is corrupt
   */
  static ByteBuffer read(StoreTables tables, byte[] key, int longs, String what) {
    byte[] m = tables.get(key);
    if (m == null) {
      return null;
    }
    if (m.length != 8 * longs) {
      throw new IllegalStateException(what + " are " + m.length + " bytes, not " + 8 * longs
          + ": the state store is corrupt");
    }
    return ByteBuffer.wrap(m);
  }
}
