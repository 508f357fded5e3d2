package io.pachyderm.replica;

import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Protos.RequestKey;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The de-duplication table in a disk store's {@link StoreTables} (a DISK node's), written in the
 * store's batch of each applied entry, so it is atomic with the entities and the applied index
 * and part of every checkpoint. Same rules and order as the heap {@link DedupTable} ({@link Dedup}).
 *
 * <p>On disk, three tables: {@code Tde} request id (24 bytes) to its outcome; {@code Tdo} sequence
 * number (8 bytes, big-endian, so key order is apply order) to the entry's remembered index, a
 * flag "held a reply when remembered" and its request id; {@code Tdm} the counters below. The heap
 * holds only those counters (a few dozen bytes, whatever the entry count): the oldest entry is the
 * one at {@link #headSeq}; the entries still holding a reply are those at or after {@link
 * #replyCursorSeq} whose flag is set (replies are forgotten oldest first, so none before it holds one).
 *
 * <p>Thread-safety: written by the apply thread only; {@link #get} from any thread reads the
 * store's tables, which show the entry being applied at once (as the heap table's map does).
 */
final class DiskDedupTable implements Dedup {
  private static final byte[] ENTRY = {StoreTables.PREFIX, 'd', 'e'};
  private static final byte[] ORDER = {StoreTables.PREFIX, 'd', 'o'};
  private static final byte[] META = {StoreTables.PREFIX, 'd', 'm'};
  private static final int META_LONGS = 9;
  private static final int REQUEST_KEY_BYTES = 24;

  private final StoreTables tables;
  private final int entriesMax;
  private final long bytesMax;
  private final int repliesMax;
  private final long replyBytesMax;
  private final long ageEntriesMax;
  private final boolean digested;
  /** Sequence number of the oldest entry; {@link #nextSeq} when empty. */
  private long headSeq;
  private long nextSeq;
  /** No entry before this sequence number holds a reply. */
  private long replyCursorSeq;
  /** The index that remembered the oldest entry (read once per eviction, not once per entry). */
  private long headIndex;
  private int repliesKept;
  private long bytes;
  private long replyBytes;
  private long digest;
  /** Whether the counters changed since {@link #beforeCommit} last wrote them. */
  private boolean dirty;

  /** One {@code Tdo} record. */
  private record Order(long index, boolean hadReply, RequestKey key) {}

  DiskDedupTable(StoreTables tables, int entriesMax, ReplicatedTableLimits limits, boolean digested) {
    if (entriesMax < 1) {
      throw new IllegalArgumentException("dedup entries max must be >= 1: " + entriesMax);
    }
    this.tables = tables;
    this.entriesMax = entriesMax;
    this.bytesMax = limits.dedupBytesMax();
    this.repliesMax = limits.dedupRepliesMax();
    this.replyBytesMax = limits.dedupReplyBytesMax();
    this.ageEntriesMax = limits.dedupAgeEntriesMax();
    this.digested = digested;
  }

  @Override
  public Outcome get(RequestKey key) {
    byte[] v = tables.get(entryKey(key));
    return v == null ? null : parseOutcome(v, key);
  }

  /** Apply thread; the replica looked {@code key} up just before (no second disk read here). */
  @Override
  public void remember(RequestKey key, Outcome outcome, long index) {
    add(key, entryKey(key), outcome, index);
    enforceLimits();
  }

  @Override
  public void restore(RequestKey key, Outcome outcome, long index) {
    byte[] entryKey = entryKey(key);
    if (tables.get(entryKey) != null) {
      throw new IllegalStateException("request " + key + " is in the snapshot's de-duplication table twice");
    }
    add(key, entryKey, outcome, index);
  }

  private void add(RequestKey key, byte[] entryKey, Outcome outcome, long index) {
    boolean hasReply = DedupTable.hasReply(outcome);
    tables.put(entryKey, outcome.toByteArray());
    tables.put(orderKey(nextSeq), order(index, hasReply, key));
    if (headSeq == nextSeq) {
      headIndex = index;
    }
    nextSeq++;
    bytes += DedupTable.entryBytes(outcome);
    digest += digested ? ReplicaDigest.dedup(key, outcome) : 0;
    if (hasReply) {
      repliesKept++;
      replyBytes += DedupTable.replyBytes(outcome);
    }
    dirty = true;
  }

  @Override
  public void enforceLimits() {
    while (repliesKept > 0 && (repliesKept > repliesMax || replyBytes > replyBytesMax)) {
      forgetOldestReply();
    }
    while (size() > 0 && (size() > entriesMax || bytes > bytesMax)) {
      evictOldest();
    }
  }

  @Override
  public void expire(long index) {
    while (size() > 0 && index - headIndex > ageEntriesMax) {
      evictOldest();
    }
  }

  private void forgetOldestReply() {
    for (long seq = Math.max(replyCursorSeq, headSeq); seq < nextSeq; seq++) {
      Order o = readOrder(seq);
      if (!o.hadReply()) {
        continue;
      }
      byte[] entryKey = entryKey(o.key());
      Outcome full = parseOutcome(requirePresent(tables.get(entryKey), o.key()), o.key());
      Outcome kept = DedupTable.withoutReply(full);
      tables.put(entryKey, kept.toByteArray());
      repliesKept--;
      replyBytes -= DedupTable.replyBytes(full);
      bytes += DedupTable.entryBytes(kept) - DedupTable.entryBytes(full);
      digest += digested ? ReplicaDigest.dedup(o.key(), kept) - ReplicaDigest.dedup(o.key(), full) : 0;
      replyCursorSeq = seq + 1;
      dirty = true;
      return;
    }
    throw new IllegalStateException("the disk de-duplication table counts " + repliesKept
        + " entries holding a reply but none is left after sequence " + replyCursorSeq + ": its counters are corrupt");
  }

  private void evictOldest() {
    Order o = readOrder(headSeq);
    byte[] entryKey = entryKey(o.key());
    Outcome outcome = parseOutcome(requirePresent(tables.get(entryKey), o.key()), o.key());
    tables.delete(entryKey);
    tables.delete(orderKey(headSeq));
    if (DedupTable.hasReply(outcome)) {
      repliesKept--;
      replyBytes -= DedupTable.replyBytes(outcome);
    }
    bytes -= DedupTable.entryBytes(outcome);
    digest -= digested ? ReplicaDigest.dedup(o.key(), outcome) : 0;
    headSeq++;
    replyCursorSeq = Math.max(replyCursorSeq, headSeq);
    headIndex = headSeq < nextSeq ? readOrder(headSeq).index() : 0;
    dirty = true;
  }

  @Override
  public void beforeCommit() {
    if (!dirty) {
      return;
    }
    CountersRow.write(tables, META, META_LONGS, headSeq, nextSeq, replyCursorSeq, headIndex, repliesKept, bytes,
        replyBytes, digest, digested ? 1 : 0);
    dirty = false;
  }

  /**
   * Takes the counters from the store (just replaced by a checkpoint that holds this table);
   * an empty table when the store holds none.
   */
  void load() {
    clear();
    ByteBuffer b = CountersRow.read(tables, META, META_LONGS, "the disk de-duplication table's counters");
    if (b == null) {
      return;
    }
    headSeq = b.getLong();
    nextSeq = b.getLong();
    replyCursorSeq = b.getLong();
    headIndex = b.getLong();
    repliesKept = (int) b.getLong();
    bytes = b.getLong();
    replyBytes = b.getLong();
    digest = b.getLong();
    if (headSeq > nextSeq || b.getLong() != (digested ? 1 : 0)) {
      throw new IllegalStateException("the disk de-duplication table's counters do not hold (head " + headSeq
          + ", next " + nextSeq + ") or were written with another digest setting: the state store is corrupt");
    }
    dirty = false;
  }

  @Override
  public boolean inStore() {
    return true;
  }

  @Override
  public long digest() {
    return digest;
  }

  @Override
  public int size() {
    return (int) (nextSeq - headSeq);
  }

  @Override
  public int repliesKept() {
    return repliesKept;
  }

  @Override
  public long bytes() {
    return bytes;
  }

  @Override
  public void forEach(Consumer<DedupSnapshot> action) {
    forEachIn(tables, action);
  }

  /**
   * Every committed entry of the table in {@code tables}, oldest first: what a HEAP node reads out
   * of a DISK node's checkpoint. Apply thread, or a store no replica writes.
   */
  static void forEachIn(StoreTables tables, Consumer<DedupSnapshot> action) {
    tables.forEach(ORDER, (k, v) -> {
      Order o = parseOrder(v);
      byte[] outcome = requirePresent(tables.get(entryKey(o.key())), o.key());
      action.accept(DedupSnapshot.newBuilder().setRequestId(o.key().toProto()).setOutcome(parseOutcome(outcome, o.key()))
          .setRememberedIndex(o.index()).build());
      return true;
    });
  }

  /** Resets the counters: the store was emptied or replaced (its tables with it). */
  @Override
  public void clear() {
    headSeq = 0;
    nextSeq = 0;
    replyCursorSeq = 0;
    headIndex = 0;
    repliesKept = 0;
    bytes = 0;
    replyBytes = 0;
    digest = 0;
    dirty = true;
  }

  private Order readOrder(long seq) {
    byte[] v = tables.get(orderKey(seq));
    if (v == null) {
      throw new IllegalStateException("the disk de-duplication table has no entry at sequence " + seq + " (head "
          + headSeq + ", next " + nextSeq + "): the state store is corrupt");
    }
    return parseOrder(v);
  }

  private static byte[] requirePresent(byte[] outcome, RequestKey key) {
    if (outcome == null) {
      throw new IllegalStateException("the disk de-duplication table orders request " + key
          + " but holds no outcome for it: the state store is corrupt");
    }
    return outcome;
  }

  private static byte[] entryKey(RequestKey key) {
    return ByteBuffer.allocate(ENTRY.length + REQUEST_KEY_BYTES).put(ENTRY).putLong(key.clientHi())
        .putLong(key.clientLo()).putLong(key.sequence()).array();
  }

  private static byte[] orderKey(long seq) {
    return ByteBuffer.allocate(ORDER.length + 8).put(ORDER).putLong(seq).array();
  }

  private static byte[] order(long index, boolean hadReply, RequestKey key) {
    return ByteBuffer.allocate(8 + 1 + REQUEST_KEY_BYTES).putLong(index).put((byte) (hadReply ? 1 : 0))
        .putLong(key.clientHi()).putLong(key.clientLo()).putLong(key.sequence()).array();
  }

  private static Order parseOrder(byte[] v) {
    if (v.length != 8 + 1 + REQUEST_KEY_BYTES) {
      throw new IllegalStateException("a disk de-duplication order record is " + v.length + " bytes, not "
          + (8 + 1 + REQUEST_KEY_BYTES) + ": the state store is corrupt");
    }
    ByteBuffer b = ByteBuffer.wrap(v);
    long index = b.getLong();
    boolean hadReply = b.get() == 1;
    return new Order(index, hadReply, new RequestKey(b.getLong(), b.getLong(), b.getLong()));
  }

  private static Outcome parseOutcome(byte[] v, RequestKey key) {
    try {
      return Outcome.parseFrom(v);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("the disk de-duplication table's outcome of request " + key
          + " cannot be decoded (" + e.getMessage() + "): the state store is corrupt", e);
    }
  }
}
