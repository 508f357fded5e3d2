package io.pachyderm.replica;

import io.pachyderm.protocol.Protos.RequestKey;
import java.nio.ByteBuffer;

/**
 * One {@code Tdo} record of the {@link DiskDedupTable}: at a sequence number (key order = the order
 * entries were remembered), the log index that remembered the entry, its request id, and what the
 * entry's outcome counts for in the table's bounds and digest now, so that evicting the oldest entry
 * (once per new entry, at the count bound) reads no outcome.
 *
 * <p>Two encodings: 49 bytes (index, flags, request id, entry bytes, reply bytes, digest) written by
 * this release; 33 bytes (index, a "held a reply" byte, request id) written before it, whose sizes
 * are unknown ({@link #sized} false): eviction then reads the outcome, and forgetting its reply
 * rewrites the record in the new form.
 *
 * @param heldReply the outcome held a reply when remembered (the reply cursor looks for these)
 * @param holdsReply the outcome holds its reply now (false once it is forgotten); sized records only
 * @param entryBytes {@link DedupTable#entryBytes} of the outcome now; -1 when not {@link #sized}
 * @param replyBytes {@link DedupTable#replyBytes} of the reply held now, 0 when none
 * @param digest the outcome's share of the table's digest now ({@link ReplicaDigest#dedup}), 0 undigested
 */
record DedupOrder(long index, boolean heldReply, RequestKey key, boolean holdsReply, int entryBytes,
                  int replyBytes, long digest) {
  static final int REQUEST_KEY_BYTES = 24;
  private static final int OLD_BYTES = 8 + 1 + REQUEST_KEY_BYTES;
  private static final int BYTES = OLD_BYTES + 4 + 4 + 8;
  private static final byte HELD_REPLY = 1;
  private static final byte HOLDS_REPLY = 2;

  DedupOrder {
    if (holdsReply && !heldReply) {
      throw new IllegalArgumentException("a dedup entry cannot hold a reply it did not hold when remembered: " + key);
    }
  }

  /** Whether the record knows the outcome's sizes and digest (written by this release). */
  boolean sized() {
    return entryBytes >= 0;
  }

  /** The same entry after its reply is forgotten: {@code kept} bytes, no reply, {@code keptDigest}. */
  DedupOrder withoutReply(long keptEntryBytes, long keptDigest) {
    return new DedupOrder(index, heldReply, key, false, Math.toIntExact(keptEntryBytes), 0, keptDigest);
  }

  byte[] encode() {
    if (!sized()) {
      throw new IllegalStateException("an unsized dedup order record is never written: " + this);
    }
    return ByteBuffer.allocate(BYTES).putLong(index).put((byte) ((heldReply ? HELD_REPLY : 0) | (holdsReply ? HOLDS_REPLY : 0)))
        .putLong(key.clientHi()).putLong(key.clientLo()).putLong(key.sequence())
        .putInt(entryBytes).putInt(replyBytes).putLong(digest).array();
  }

  static DedupOrder decode(byte[] v) {
    if (v.length != BYTES && v.length != OLD_BYTES) {
      throw new IllegalStateException("a disk de-duplication order record is " + v.length + " bytes, not " + BYTES
          + " (or " + OLD_BYTES + " as written before): the state store is corrupt");
    }
    ByteBuffer b = ByteBuffer.wrap(v);
    long index = b.getLong();
    byte flags = b.get();
    RequestKey key = new RequestKey(b.getLong(), b.getLong(), b.getLong());
    boolean held = (flags & HELD_REPLY) != 0;
    if (v.length == OLD_BYTES) {
      return new DedupOrder(index, held, key, false, -1, 0, 0);
    }
    return new DedupOrder(index, held, key, (flags & HOLDS_REPLY) != 0, b.getInt(), b.getInt(), b.getLong());
  }

  /**
   * A window of consecutive order records read from the committed table in one scan, so that the
   * table's two cursors (the oldest entry, the oldest reply) cost a page read per {@link #capacity}
   * records instead of a point read each. Holds at most {@code capacity} records.
   */
  static final class Page {
    private final DedupOrder[] records;
    private long first;
    private int count;

    Page(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("a dedup order page holds at least one record: " + capacity);
      }
      this.records = new DedupOrder[capacity];
    }

    int capacity() {
      return records.length;
    }

    /** The record at {@code seq}, or null when this page does not hold it. */
    DedupOrder at(long seq) {
      return seq >= first && seq < first + count ? records[(int) (seq - first)] : null;
    }

    /** Replaces the held copy of {@code seq}'s record, if this page holds it. */
    void update(long seq, DedupOrder record) {
      if (seq >= first && seq < first + count) {
        records[(int) (seq - first)] = record;
      }
    }

    void clear() {
      java.util.Arrays.fill(records, 0, count, null);
      count = 0;
    }

    /** Starts the page at {@code seq}; then {@link #add} the records that follow it, in order. */
    void reset(long seq) {
      clear();
      first = seq;
    }

    /** Appends the record at {@code seq}; false when it is not the next one or the page is full. */
    boolean add(long seq, DedupOrder record) {
      if (count == records.length || seq != first + count) {
        return false;
      }
      records[count++] = record;
      return true;
    }
  }
}
