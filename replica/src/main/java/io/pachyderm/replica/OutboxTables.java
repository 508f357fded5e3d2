package io.pachyderm.replica;

import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.util.List;
import java.util.Map;
import java.util.function.ObjLongConsumer;

/**
 * Where the {@link Outbox} keeps its items: in the heap ({@link HeapOutboxTables}, HEAP nodes, tests
 * and the simulation) or in a disk store's tables ({@link DiskOutboxTables}, DISK nodes), committed
 * with each applied entry. The {@link Outbox} keeps the rules (sequence numbers, the pair order,
 * the digest and the item count) once for both, so replicas of either kind fed one log hold the same
 * outbox and the same digest.
 *
 * <p>Thread-safety: the writing methods on the apply thread; the single-item reads, the counts and
 * the iterations from any thread (iterations are weakly consistent, in key order).
 */
sealed interface OutboxTables permits HeapOutboxTables, DiskOutboxTables {
  /** The last sequence number {@code source} took, or null for none. */
  Long lastSeq(EntityKey source);

  void setLastSeq(EntityKey source, long last);

  PendingMessage message(Outbox.Id id);

  /** Returns the message it replaced, or null. */
  PendingMessage putMessage(Outbox.Id id, PendingMessage m);

  /** Returns the message removed, or null. */
  PendingMessage removeMessage(Outbox.Id id);

  PendingEffect effect(Outbox.Id id);

  PendingEffect putEffect(Outbox.Id id, PendingEffect e);

  PendingEffect removeEffect(Outbox.Id id);

  PendingEffect deadLetter(Outbox.Id id);

  PendingEffect putDeadLetter(Outbox.Id id, PendingEffect e);

  PendingEffect removeDeadLetter(Outbox.Id id);

  PendingTimer timer(TimerKey key);

  PendingTimer putTimer(TimerKey key, PendingTimer t);

  PendingTimer removeTimer(TimerKey key);

  /** Message {@code seq} from {@code source} to {@code target} is pending. Apply thread. */
  void pairAdded(EntityKey source, EntityKey target, long seq);

  /** Message {@code seq} from {@code source} to {@code target} left the outbox. Apply thread. */
  void pairRemoved(EntityKey source, EntityKey target, long seq);

  /** Whether {@code seq} is the oldest pending message from {@code source} to {@code target}. Apply thread. */
  boolean isFirstOfPair(EntityKey source, EntityKey target, long seq);

  Iterable<Map.Entry<Outbox.Id, PendingMessage>> messages();

  Iterable<Map.Entry<Outbox.Id, PendingEffect>> effects();

  Iterable<Map.Entry<Outbox.Id, PendingEffect>> deadLetters();

  Iterable<Map.Entry<TimerKey, PendingTimer>> timers();

  /** At most {@code max} message ids after {@code after} (null: from the first), in key order. */
  List<Outbox.Id> messageIdsAfter(Outbox.Id after, int max);

  /** At most {@code max} effect ids after {@code after} (null: from the first), in key order. */
  List<Outbox.Id> effectIdsAfter(Outbox.Id after, int max);

  /**
   * At most {@code max} pending timers after {@code after} (null: from the first) in due order
   * ({@link Outbox.DuePoint}: due time, then key); any thread, weakly consistent.
   */
  List<PendingTimer> timersDueAfter(Outbox.DuePoint after, int max);

  /** Every entity's last sequence number, in entity key order. Apply thread. */
  void forEachCounter(ObjLongConsumer<EntityKey> action);

  int counterCount();

  int messageCount();

  int effectCount();

  int deadLetterCount();

  int timerCount();

  /** Whether the items live in the state store (a checkpoint holds them, a snapshot file need not). */
  boolean inStore();

  /** Writes what the heap keeps of the tables ({@code digest}, {@code pendingItems}) into the store's batch. */
  void beforeCommit(long digest, int pendingItems);

  /** Forgets every item (for a disk store: the store was emptied or replaced, its tables with it). */
  void clear();
}
