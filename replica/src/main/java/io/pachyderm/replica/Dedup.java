package io.pachyderm.replica;

import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Protos.RequestKey;
import java.util.function.Consumer;

/**
 * The replicated de-duplication table, in the heap ({@link DedupTable}) or in a disk store's
 * tables ({@link DiskDedupTable}). Both follow the same rules in the same order, so replicas of
 * either kind fed one log hold the same entries and the same digest:
 * <ol>
 *   <li>only the newest entries keep their reply ({@code dedupRepliesMax}, {@code dedupReplyBytesMax});</li>
 *   <li>at most {@code entriesMax} entries and {@code dedupBytesMax} bytes, oldest evicted first;</li>
 *   <li>an entry older than {@code dedupAgeEntriesMax} log entries is evicted when an entry is applied
 *       ({@link #expire}); a retry after that is a new request.</li>
 * </ol>
 * Written only by the apply thread; {@link #get} from any thread.
 */
sealed interface Dedup permits DedupTable, DiskDedupTable {
  /** The outcome remembered for {@code key}, or null. Any thread. */
  Outcome get(RequestKey key);

  /**
   * As {@link #get}, on the apply thread, which the replica calls for every command: a table may
   * answer most misses without reading its store ({@link DiskDedupTable}'s {@link RequestFilter}).
   */
  default Outcome getApplying(RequestKey key) {
    return get(key);
  }

  /**
   * Whether the table holds {@code key}, from any thread (the leader asks before deciding a
   * command). A key the apply thread is remembering at that moment may be missed: the apply
   * thread's own {@link #getApplying} is what decides whether a command is a duplicate.
   */
  default boolean holds(RequestKey key) {
    return get(key) != null;
  }

  /** Remembers an outcome produced by entry {@code index}, then enforces the count and byte bounds. */
  void remember(RequestKey key, Outcome outcome, long index);

  /** Adds an entry as a snapshot holds it, without enforcing bounds (the snapshot's digest is checked first). */
  void restore(RequestKey key, Outcome outcome, long index);

  /** Forgets the oldest replies, then evicts the oldest entries, until the count and byte bounds hold. */
  void enforceLimits();

  /** Evicts, oldest first, every entry remembered more than {@code dedupAgeEntriesMax} entries before {@code index}. */
  void expire(long index);

  /** Writes what the heap keeps of the table into the store's batch before its commit (a disk table). */
  void beforeCommit();

  /** Whether the table lives in the state store (a checkpoint holds it, a snapshot file need not). */
  boolean inStore();

  /** This table's part of the replica digest. Apply thread. */
  long digest();

  int size();

  /** Entries still holding their full reply. Apply thread. */
  int repliesKept();

  /** The table's size as counted against {@code dedupBytesMax}. Apply thread. */
  long bytes();

  /** Every entry, oldest first, as a snapshot writes it. Apply thread. */
  void forEach(Consumer<DedupSnapshot> action);

  /** Forgets every entry (the store, for a disk table, was emptied or replaced). */
  void clear();
}
