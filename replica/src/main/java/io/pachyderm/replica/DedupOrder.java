package io.pachyderm.replica;

import io.pachyderm.protocol.Protos.RequestKey;
import java.nio.ByteBuffer;

/**
 * One {@code Tdo} record of the {@link DiskDedupTable}: at a sequence number (key order = the order
 * entries were remembered), the log index that remembered the entry, its request id, and what the
 * entry's outcome counts for in the table's bounds and digest, so that evicting the oldest entry
 * (once per new entry, at the count bound) reads no outcome.
 *
 * <p>Three encodings, told apart by length:
 * <ul>
 *   <li>33 bytes (index, a "held a reply" byte, request id), written by the first disk release: the
 *       sizes are unknown ({@link #sized} false), so eviction reads the outcome, and forgetting its
 *       reply rewrites the record in the 49-byte form;</li>
 *   <li>49 bytes (and entry bytes, reply bytes, digest, as they are now): an entry without a reply,
 *       one whose reply is forgotten, or one remembered by the release before this one;</li>
 *   <li>57 bytes and more: an entry remembered holding a reply, with the sizes and digest as
 *       remembered, then the digest and encoded bytes of its outcome without the reply ({@link
 *       #kept}), so that forgetting the reply (once per new entry, at the replies bound) is one
 *       write of those bytes: no read of the outcome (a RocksDB read from table files, ~15% of the
 *       local row's apply thread) and no rewrite of this record. Whether the reply is forgotten then
 *       follows from the table's reply cursor ({@link #at}), not from the record.</li>
 * </ul>
 *
 * @param heldReply the outcome held a reply when remembered (the reply cursor looks for these)
 * @param holdsReply the outcome holds its reply (false once it is forgotten); sized records only
 * @param entryBytes {@link DedupTable#entryBytes} of the outcome; -1 when not {@link #sized}
 * @param replyBytes {@link DedupTable#replyBytes} of the reply held, 0 when none
 * @param digest the outcome's share of the table's digest ({@link ReplicaDigest#dedup}), 0 undigested
 * @param kept the outcome without its reply ({@link DedupTable#withoutReply}), encoded; null unless
 *     the record was remembered holding a reply by this release
 * @param keptDigest {@link ReplicaDigest#dedup} of {@code kept} (0 undigested or without {@code kept})
 */
record DedupOrder(long index, boolean heldReply, RequestKey key, boolean holdsReply, int entryBytes,
                  int replyBytes, long digest, byte[] kept, long keptDigest) {
  static final int REQUEST_KEY_BYTES = 24;
  private static final int OLD_BYTES = 8 + 1 + REQUEST_KEY_BYTES;
  private static final int BYTES = OLD_BYTES + 4 + 4 + 8;
  private static final int KEPT_HEADER_BYTES = 8;
  private static final byte HELD_REPLY = 1;
  private static final byte HOLDS_REPLY = 2;

  DedupOrder {
    if (holdsReply && !heldReply) {
      throw new IllegalArgumentException("a dedup entry cannot hold a reply it did not hold when remembered: " + key);
    }
    if (kept != null && (!holdsReply || kept.length == 0)) {
      throw new IllegalArgumentException("a dedup order record carries the outcome without its reply only while it"
          + " holds the reply, and that outcome is never empty: " + key);
    }
  }

  /** A record without the outcome kept after its reply: as the releases before this one wrote them. */
  DedupOrder(long index, boolean heldReply, RequestKey key, boolean holdsReply, int entryBytes, int replyBytes,
             long digest) {
    this(index, heldReply, key, holdsReply, entryBytes, replyBytes, digest, null, 0);
  }

  /** Whether the record carries its outcome without the reply, so that forgetting the reply reads nothing. */
  boolean hasKept() {
    return kept != null;
  }

  /**
   * The record as it counts now, at {@code seq}, with the table's reply cursor at {@code
   * replyCursorSeq}: a record carrying {@link #kept} is written once and never rewritten, and its
   * reply is forgotten exactly when the cursor has passed it (replies are forgotten oldest first).
   */
  DedupOrder at(long seq, long replyCursorSeq) {
    return kept != null && seq < replyCursorSeq ? forgotten() : this;
  }

  /** A record carrying {@link #kept}, as it counts once its reply is forgotten. */
  DedupOrder forgotten() {
    return withoutReply(DedupTable.ENTRY_OVERHEAD_BYTES + kept.length, keptDigest);
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
    ByteBuffer b = ByteBuffer.allocate(BYTES + (kept == null ? 0 : KEPT_HEADER_BYTES + kept.length)).putLong(index)
        .put((byte) ((heldReply ? HELD_REPLY : 0) | (holdsReply ? HOLDS_REPLY : 0)))
        .putLong(key.clientHi()).putLong(key.clientLo()).putLong(key.sequence())
        .putInt(entryBytes).putInt(replyBytes).putLong(digest);
    if (kept != null) {
      b.putLong(keptDigest).put(kept);
    }
    return b.array();
  }

  static DedupOrder decode(byte[] v) {
    if (v.length != BYTES && v.length != OLD_BYTES && v.length <= BYTES + KEPT_HEADER_BYTES) {
      throw new IllegalStateException("a disk de-duplication order record is " + v.length + " bytes, not " + BYTES
          + ", more than " + (BYTES + KEPT_HEADER_BYTES) + " (or " + OLD_BYTES + " as written before): the state store"
          + " is corrupt");
    }
    ByteBuffer b = ByteBuffer.wrap(v);
    long index = b.getLong();
    byte flags = b.get();
    RequestKey key = new RequestKey(b.getLong(), b.getLong(), b.getLong());
    boolean held = (flags & HELD_REPLY) != 0;
    if (v.length == OLD_BYTES) {
      return new DedupOrder(index, held, key, false, -1, 0, 0);
    }
    boolean holds = (flags & HOLDS_REPLY) != 0;
    int entryBytes = b.getInt();
    int replyBytes = b.getInt();
    long digest = b.getLong();
    if (v.length == BYTES) {
      return new DedupOrder(index, held, key, holds, entryBytes, replyBytes, digest);
    }
    long keptDigest = b.getLong();
    byte[] kept = new byte[b.remaining()];
    b.get(kept);
    if (!holds) {
      throw new IllegalStateException("a disk de-duplication order record of request " + key + " carries the outcome"
          + " kept after its reply but does not hold one: the state store is corrupt");
    }
    return new DedupOrder(index, held, key, true, entryBytes, replyBytes, digest, kept, keptDigest);
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
