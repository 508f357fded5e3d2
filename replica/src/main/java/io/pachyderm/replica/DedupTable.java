package io.pachyderm.replica;

import io.pachyderm.protocol.Applied;
import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Protos.RequestKey;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The replicated de-duplication table in the heap ({@link Dedup}'s rules): request id to the outcome it produced. Part of the
 * state machine's state and of snapshots, so a retried request is answered from here after leader
 * changes and restarts, not re-run.
 *
 * <p>Bounded twice, in apply order and by encoded sizes only, so every replica trims and evicts
 * the same entries at the same log index:
 * <ol>
 *   <li>Only the newest entries keep their full reply ({@code repliesMax} of them, and
 *       {@code replyBytesMax} of reply bytes): retries normally come within seconds, and a reply
 *       can be as large as an entity's state. An older entry keeps what de-duplication needs (the
 *       version it was applied at) and is marked {@code reply_forgotten}, so that a late retry of a
 *       call learns that version instead of receiving a reply it did not produce.</li>
 *   <li>The whole table holds at most {@code entriesMax} entries and {@code bytesMax} encoded
 *       bytes; the oldest entry is evicted first.</li>
 *   <li>An entry older than {@code dedupAgeEntriesMax} log entries is evicted ({@link #expire}).</li>
 * </ol>
 * Written only by the apply thread; {@link #get} may be called from any thread.
 */
final class DedupTable implements Dedup {
  /**
   * Counted per entry on top of its encoded key and outcome: the map node, the deque slot and
   * object headers. An estimate, but a fixed one, so the budget is the same on every replica.
   */
  static final int ENTRY_OVERHEAD_BYTES = 96;

  private final int entriesMax;
  private final long bytesMax;
  private final int repliesMax;
  private final long replyBytesMax;
  private final long ageEntriesMax;
  private final Map<RequestKey, Outcome> outcomes = new ConcurrentHashMap<>();
  /** Every entry with the index that remembered it, oldest first. */
  private final ArrayDeque<Remembered> order = new ArrayDeque<>();
  /** The entries that still hold a reply, oldest first (a suffix of {@link #order} in apply order). */
  private final ArrayDeque<RequestKey> withReplies = new ArrayDeque<>();
  private long bytes;
  private long replyBytes;
  /** {@link ReplicaDigest} of the remembered outcomes; apply thread only. */
  private long digest;
  private final boolean digested;

  private record Remembered(RequestKey key, long index) {}

  DedupTable(int entriesMax, ReplicatedTableLimits limits) {
    this(entriesMax, limits, true);
  }

  /** @param digested whether {@link #digest} is kept (off for a replica made without a digest) */
  DedupTable(int entriesMax, ReplicatedTableLimits limits, boolean digested) {
    if (entriesMax < 1) {
      throw new IllegalArgumentException("dedup entries max must be >= 1: " + entriesMax);
    }
    this.entriesMax = entriesMax;
    this.bytesMax = limits.dedupBytesMax();
    this.repliesMax = limits.dedupRepliesMax();
    this.replyBytesMax = limits.dedupReplyBytesMax();
    this.ageEntriesMax = limits.dedupAgeEntriesMax();
    this.digested = digested;
  }

  @Override
  public Outcome get(RequestKey key) {
    return outcomes.get(key);
  }

  /** Apply thread only. */
  @Override
  public void remember(RequestKey key, Outcome outcome, long index) {
    restore(key, outcome, index);
    enforceLimits();
  }

  /**
   * Adds an entry without trimming or evicting, for loading a snapshot: its digest is checked
   * against the table as written, then {@link #enforceLimits} applies this node's bounds (an older
   * snapshot may hold more replies than they allow). Apply thread only.
   */
  @Override
  public void restore(RequestKey key, Outcome outcome, long index) {
    if (outcomes.put(key, outcome) != null) {
      throw new IllegalStateException("request " + key + " remembered twice; apply must check first");
    }
    order.addLast(new Remembered(key, index));
    bytes += entryBytes(outcome);
    digest += digested ? ReplicaDigest.dedup(key, outcome) : 0;
    if (hasReply(outcome)) {
      withReplies.addLast(key);
      replyBytes += replyBytes(outcome);
    }
  }

  /** Forgets the oldest replies, then evicts the oldest entries, until every bound holds. */
  @Override
  public void enforceLimits() {
    while (!withReplies.isEmpty() && (withReplies.size() > repliesMax || replyBytes > replyBytesMax)) {
      forgetReply(withReplies.removeFirst());
    }
    while (!order.isEmpty() && (order.size() > entriesMax || bytes > bytesMax)) {
      evictOldest();
    }
  }

  @Override
  public void expire(long index) {
    while (!order.isEmpty() && index - order.peekFirst().index() > ageEntriesMax) {
      evictOldest();
    }
  }

  private void evictOldest() {
    RequestKey evicted = order.removeFirst().key();
    Outcome outcome = outcomes.remove(evicted);
    if (hasReply(outcome)) {
      // The oldest entry overall holding a reply is also the oldest holding one.
      withReplies.removeFirst();
      replyBytes -= replyBytes(outcome);
    }
    bytes -= entryBytes(outcome);
    digest -= digested ? ReplicaDigest.dedup(evicted, outcome) : 0;
  }

  private void forgetReply(RequestKey key) {
    Outcome full = outcomes.get(key);
    Outcome kept = withoutReply(full);
    outcomes.put(key, kept);
    replyBytes -= replyBytes(full);
    bytes += entryBytes(kept) - entryBytes(full);
    digest += digested ? ReplicaDigest.dedup(key, kept) - ReplicaDigest.dedup(key, full) : 0;
  }

  @Override
  public void beforeCommit() {
  }

  @Override
  public boolean inStore() {
    return false;
  }

  /** What an entry keeps once its reply is forgotten: the version it was applied at. */
  static Outcome withoutReply(Outcome full) {
    Applied applied = Applied.newBuilder().setVersion(full.getApplied().getVersion()).setReplyForgotten(true).build();
    return full.toBuilder().setApplied(applied).build();
  }

  static boolean hasReply(Outcome o) {
    return o.hasApplied() && o.getApplied().hasReply();
  }

  static long replyBytes(Outcome o) {
    return o.getApplied().getReply().getSerializedSize();
  }

  static long entryBytes(Outcome o) {
    return ENTRY_OVERHEAD_BYTES + o.getSerializedSize();
  }

  @Override
  public long digest() {
    return digest;
  }

  @Override
  public int size() {
    return order.size();
  }

  @Override
  public int repliesKept() {
    return withReplies.size();
  }

  @Override
  public long bytes() {
    return bytes;
  }

  @Override
  public void forEach(Consumer<DedupSnapshot> action) {
    for (Remembered r : order) {
      action.accept(DedupSnapshot.newBuilder().setRequestId(r.key().toProto()).setOutcome(outcomes.get(r.key()))
          .setRememberedIndex(r.index()).build());
    }
  }

  @Override
  public void clear() {
    outcomes.clear();
    order.clear();
    withReplies.clear();
    bytes = 0;
    replyBytes = 0;
    digest = 0;
  }
}
