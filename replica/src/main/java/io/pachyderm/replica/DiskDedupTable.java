package io.pachyderm.replica;

import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Protos.RequestKey;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The de-duplication table in a disk store's {@link StoreTables} (a DISK node's), committed with
 * each applied entry, so it is atomic with the entities and the applied index
 * and part of every checkpoint. Same rules and order as the heap {@link DedupTable} ({@link Dedup}).
 *
 * <p>On disk, three tables: {@code Tde} request id (24 bytes) to its outcome; {@code Tdo} sequence
 * number (8 bytes, big-endian, so key order is apply order) to a {@link DedupOrder} (the entry's
 * remembered index, a flag "held a reply when remembered", its request id, its outcome's sizes
 * and digest, and for an entry holding a reply its outcome without it); {@code Tdm} the counters
 * below. The oldest entry is the one at {@link #headSeq}; the entries still holding a reply are
 * those at or after {@link #replyCursorSeq} whose flag is set (replies are forgotten oldest first,
 * so none before it holds one).
 *
 * <p>What the heap holds is bounded whatever the entry count: the counters, and two pages of at most
 * {@link #PAGE_RECORDS} order records, one at each cursor, read in one scan of the committed table.
 * At the count bound every new entry evicts the oldest one; with the sizes in its order record that
 * costs no read of its outcome, and the order records a page read per {@link #PAGE_RECORDS} entries
 * (before: three point reads per eviction, most from table files: 13% of the apply thread's wall
 * time in a profile of the local load row past the 200,000-entry bound). At the replies bound every
 * new entry forgets the oldest reply: one write of the outcome without it, which its order record
 * carries (before: a point read of the outcome and a rewrite of the record, ~15% of that thread).
 *
 * <p>Thread-safety: written by the apply thread only; {@link #get} from any thread reads the
 * store's tables, which show the entry being applied at once (as the heap table's map does).
 */
final class DiskDedupTable implements Dedup {
  private static final byte[] ENTRY = {StoreTables.PREFIX, 'd', 'e'};
  private static final byte[] ORDER = {StoreTables.PREFIX, 'd', 'o'};
  private static final byte[] META = {StoreTables.PREFIX, 'd', 'm'};
  private static final int META_LONGS = 9;
  /** Order records a page holds: 1,024 x ~100 bytes of heap per page. */
  static final int PAGE_RECORDS = 1024;

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
  /** Order records from {@link #headSeq} on. */
  private final DedupOrder.Page headPage;
  /** Order records from the reply cursor on. */
  private final DedupOrder.Page replyPage;
  /**
   * Order records rewritten by the entry being applied, which a scan of the committed table would
   * still read in their old form; cleared at {@link #beforeCommit}. At most one per forgotten reply
   * of a record written by an earlier release (this release's records are never rewritten).
   */
  private final Map<Long, DedupOrder> rewritten = new HashMap<>();
  /** The held request ids, as generations of bloom filters: most new ids are told apart without a read. */
  private final RequestFilter held;

  DiskDedupTable(StoreTables tables, int entriesMax, ReplicatedTableLimits limits, boolean digested) {
    this(tables, entriesMax, limits, digested, PAGE_RECORDS);
  }

  /**
   * @param pageRecords order records per page (tests page through small tables with a few; they get
   *     filter generations of as many sequence numbers, so that generations are dropped too)
   */
  DiskDedupTable(StoreTables tables, int entriesMax, ReplicatedTableLimits limits, boolean digested, int pageRecords) {
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
    this.headPage = new DedupOrder.Page(pageRecords);
    this.replyPage = new DedupOrder.Page(pageRecords);
    this.held = new RequestFilter(pageRecords == PAGE_RECORDS ? RequestFilter.GENERATION_SEQS : pageRecords);
  }

  @Override
  public Outcome get(RequestKey key) {
    byte[] v = tables.get(entryKey(key));
    return v == null ? null : parseOutcome(v, key);
  }

  /** A new request id (nearly every command) is answered from {@link #held}, without a store read. */
  @Override
  public Outcome getApplying(RequestKey key) {
    return held.mayContain(key) ? get(key) : null;
  }

  /** Asks the store only for the ids {@link #held} may hold (its filters are readable from any thread). */
  @Override
  public boolean holds(RequestKey key) {
    return held.mayContain(key) && get(key) != null;
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
    long entryBytes = DedupTable.entryBytes(outcome);
    long entryReplyBytes = hasReply ? DedupTable.replyBytes(outcome) : 0;
    long entryDigest = digested ? ReplicaDigest.dedup(key, outcome) : 0;
    tables.put(entryKey, outcome.toByteArray());
    byte[] kept = null;
    long keptDigest = 0;
    if (hasReply) {
      // What forgetting the reply will write, computed now, so that it reads nothing then.
      Outcome withoutReply = DedupTable.withoutReply(outcome);
      kept = withoutReply.toByteArray();
      keptDigest = digested ? ReplicaDigest.dedup(key, withoutReply) : 0;
    }
    tables.put(orderKey(nextSeq), new DedupOrder(index, hasReply, key, hasReply, Math.toIntExact(entryBytes),
        Math.toIntExact(entryReplyBytes), entryDigest, kept, keptDigest).encode());
    if (headSeq == nextSeq) {
      headIndex = index;
    }
    held.add(nextSeq, key);
    nextSeq++;
    bytes += entryBytes;
    digest += entryDigest;
    if (hasReply) {
      repliesKept++;
      replyBytes += entryReplyBytes;
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
      DedupOrder o = order(seq, replyPage);
      if (!o.heldReply()) {
        continue;
      }
      // At or after the cursor, a record that held a reply holds it still.
      byte[] entryKey = entryKey(o.key());
      DedupOrder forgotten;
      long fullBytes;
      long fullReplyBytes;
      long fullDigest;
      if (o.hasKept()) {
        // The outcome without its reply is in the record, which the cursor's move marks as forgotten.
        tables.put(entryKey, o.kept());
        forgotten = o.forgotten();
        fullBytes = o.entryBytes();
        fullReplyBytes = o.replyBytes();
        fullDigest = o.digest();
      } else {
        // Written by an earlier release: read the outcome, and rewrite the record without the reply.
        Outcome full = parseOutcome(requirePresent(tables.get(entryKey), o.key()), o.key());
        Outcome kept = DedupTable.withoutReply(full);
        tables.put(entryKey, kept.toByteArray());
        forgotten = o.withoutReply(DedupTable.entryBytes(kept), digested ? ReplicaDigest.dedup(o.key(), kept) : 0);
        rewrite(seq, forgotten);
        fullBytes = o.sized() ? o.entryBytes() : DedupTable.entryBytes(full);
        fullReplyBytes = DedupTable.replyBytes(full);
        fullDigest = o.sized() ? o.digest() : digested ? ReplicaDigest.dedup(o.key(), full) : 0;
      }
      repliesKept--;
      replyBytes -= fullReplyBytes;
      bytes += forgotten.entryBytes() - fullBytes;
      digest += forgotten.digest() - fullDigest;
      replyCursorSeq = seq + 1;
      dirty = true;
      return;
    }
    throw new IllegalStateException("the disk de-duplication table counts " + repliesKept
        + " entries holding a reply but none is left after sequence " + replyCursorSeq + ": its counters are corrupt");
  }

  private void evictOldest() {
    DedupOrder o = order(headSeq, headPage).at(headSeq, replyCursorSeq);
    byte[] entryKey = entryKey(o.key());
    if (!o.sized()) {
      // Written before order records knew their outcome's sizes: read it once more.
      Outcome outcome = parseOutcome(requirePresent(tables.get(entryKey), o.key()), o.key());
      boolean holds = DedupTable.hasReply(outcome);
      o = new DedupOrder(o.index(), o.heldReply(), o.key(), holds, Math.toIntExact(DedupTable.entryBytes(outcome)),
          holds ? Math.toIntExact(DedupTable.replyBytes(outcome)) : 0,
          digested ? ReplicaDigest.dedup(o.key(), outcome) : 0);
    }
    tables.delete(entryKey);
    tables.delete(orderKey(headSeq));
    rewritten.remove(headSeq);
    if (o.holdsReply()) {
      repliesKept--;
      replyBytes -= o.replyBytes();
    }
    bytes -= o.entryBytes();
    digest -= o.digest();
    headSeq++;
    held.dropBefore(headSeq);
    replyCursorSeq = Math.max(replyCursorSeq, headSeq);
    headIndex = headSeq < nextSeq ? order(headSeq, headPage).index() : 0;
    dirty = true;
  }

  /** Writes {@code seq}'s record anew, and every copy the heap holds of it. */
  private void rewrite(long seq, DedupOrder record) {
    tables.put(orderKey(seq), record.encode());
    headPage.update(seq, record);
    replyPage.update(seq, record);
    rewritten.put(seq, record);
  }

  /**
   * The order record at {@code seq}, from {@code page}, which reads the committed table from
   * {@code seq} on when it does not hold it; a record the entry being applied wrote is not in the
   * committed table yet, and is read by itself (the table's reads see the entry being applied).
   */
  private DedupOrder order(long seq, DedupOrder.Page page) {
    DedupOrder o = page.at(seq);
    if (o == null) {
      fill(page, seq);
      o = page.at(seq);
    }
    return o != null ? o : readOrder(seq);
  }

  private void fill(DedupOrder.Page page, long seq) {
    page.reset(seq);
    long end = Math.min(nextSeq, seq + page.capacity());
    if (seq >= end) {
      return;
    }
    tables.forEachFrom(ORDER, orderKey(seq), (k, v) -> {
      long s = ByteBuffer.wrap(k, ORDER.length, 8).getLong();
      if (s >= end) {
        return false;
      }
      DedupOrder r = rewritten.get(s);
      return page.add(s, r != null ? r : DedupOrder.decode(v));
    });
  }

  @Override
  public void beforeCommit() {
    rewritten.clear();
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
    // The held ids' filters, from the order records, a page per scan (a missing one: a corrupt store).
    for (long seq = headSeq; seq < nextSeq; seq++) {
      held.add(seq, order(seq, headPage).key());
    }
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
      DedupOrder o = DedupOrder.decode(v);
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
    headPage.clear();
    replyPage.clear();
    rewritten.clear();
    held.clear();
  }

  private DedupOrder readOrder(long seq) {
    byte[] v = tables.get(orderKey(seq));
    if (v == null) {
      throw new IllegalStateException("the disk de-duplication table has no entry at sequence " + seq + " (head "
          + headSeq + ", next " + nextSeq + "): the state store is corrupt");
    }
    return DedupOrder.decode(v);
  }

  private static byte[] requirePresent(byte[] outcome, RequestKey key) {
    if (outcome == null) {
      throw new IllegalStateException("the disk de-duplication table orders request " + key
          + " but holds no outcome for it: the state store is corrupt");
    }
    return outcome;
  }

  private static byte[] entryKey(RequestKey key) {
    return ByteBuffer.allocate(ENTRY.length + DedupOrder.REQUEST_KEY_BYTES).put(ENTRY).putLong(key.clientHi())
        .putLong(key.clientLo()).putLong(key.sequence()).array();
  }

  private static byte[] orderKey(long seq) {
    return ByteBuffer.allocate(ORDER.length + 8).put(ORDER).putLong(seq).array();
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
