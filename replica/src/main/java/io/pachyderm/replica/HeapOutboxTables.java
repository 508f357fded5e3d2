package io.pachyderm.replica;

import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.ObjLongConsumer;

/**
 * The outbox's items in the heap (HEAP nodes, tests, the simulation): concurrent skip-lists, so that
 * leader threads iterate them weakly consistently in key order while the apply thread writes.
 */
final class HeapOutboxTables implements OutboxTables {
  private record Pair(EntityKey source, EntityKey target) {}

  private final NavigableMap<Outbox.Id, PendingMessage> messages = new ConcurrentSkipListMap<>();
  private final NavigableMap<Outbox.Id, PendingEffect> effects = new ConcurrentSkipListMap<>();
  private final NavigableMap<Outbox.Id, PendingEffect> deadLetters = new ConcurrentSkipListMap<>();
  private final NavigableMap<TimerKey, PendingTimer> timers = new ConcurrentSkipListMap<>();
  /** The timers again, in due order: the leader's timer pump reads a page of the earliest at a time. */
  private final NavigableMap<Outbox.DuePoint, PendingTimer> timersByDue = new ConcurrentSkipListMap<>();
  private final Map<EntityKey, Long> lastSeq = new ConcurrentHashMap<>();
  // Apply thread only: pending sequence numbers per (sender, receiver), ascending, so that a
  // delivery is accepted only when it is the oldest pending message of its pair (order kept).
  private final Map<Pair, ArrayDeque<Long>> pairQueues = new HashMap<>();

  @Override
  public Long lastSeq(EntityKey source) {
    return lastSeq.get(source);
  }

  @Override
  public void setLastSeq(EntityKey source, long last) {
    lastSeq.put(source, last);
  }

  @Override
  public PendingMessage message(Outbox.Id id) {
    return messages.get(id);
  }

  @Override
  public PendingMessage putMessage(Outbox.Id id, PendingMessage m) {
    return messages.put(id, m);
  }

  @Override
  public PendingMessage removeMessage(Outbox.Id id) {
    return messages.remove(id);
  }

  @Override
  public PendingEffect effect(Outbox.Id id) {
    return effects.get(id);
  }

  @Override
  public PendingEffect putEffect(Outbox.Id id, PendingEffect e) {
    return effects.put(id, e);
  }

  @Override
  public PendingEffect removeEffect(Outbox.Id id) {
    return effects.remove(id);
  }

  @Override
  public PendingEffect deadLetter(Outbox.Id id) {
    return deadLetters.get(id);
  }

  @Override
  public PendingEffect putDeadLetter(Outbox.Id id, PendingEffect e) {
    return deadLetters.put(id, e);
  }

  @Override
  public PendingEffect removeDeadLetter(Outbox.Id id) {
    return deadLetters.remove(id);
  }

  @Override
  public PendingTimer timer(TimerKey key) {
    return timers.get(key);
  }

  @Override
  public PendingTimer putTimer(TimerKey key, PendingTimer t) {
    PendingTimer before = timers.put(key, t);
    if (before != null) {
      timersByDue.remove(new Outbox.DuePoint(before.getDueMs(), key));
    }
    timersByDue.put(new Outbox.DuePoint(t.getDueMs(), key), t);
    return before;
  }

  @Override
  public PendingTimer removeTimer(TimerKey key) {
    PendingTimer removed = timers.remove(key);
    if (removed != null) {
      timersByDue.remove(new Outbox.DuePoint(removed.getDueMs(), key));
    }
    return removed;
  }

  @Override
  public void pairAdded(EntityKey source, EntityKey target, long seq) {
    pairQueues.computeIfAbsent(new Pair(source, target), p -> new ArrayDeque<>()).addLast(seq);
  }

  @Override
  public void pairRemoved(EntityKey source, EntityKey target, long seq) {
    Pair pair = new Pair(source, target);
    ArrayDeque<Long> q = pairQueues.get(pair);
    if (q != null) {
      q.remove(seq);
      if (q.isEmpty()) {
        pairQueues.remove(pair);
      }
    }
  }

  @Override
  public boolean isFirstOfPair(EntityKey source, EntityKey target, long seq) {
    ArrayDeque<Long> q = pairQueues.get(new Pair(source, target));
    return q != null && !q.isEmpty() && q.peekFirst() == seq;
  }

  @Override
  public Iterable<Map.Entry<Outbox.Id, PendingMessage>> messages() {
    return messages.entrySet();
  }

  @Override
  public Iterable<Map.Entry<Outbox.Id, PendingEffect>> effects() {
    return effects.entrySet();
  }

  @Override
  public Iterable<Map.Entry<Outbox.Id, PendingEffect>> deadLetters() {
    return deadLetters.entrySet();
  }

  @Override
  public Iterable<Map.Entry<TimerKey, PendingTimer>> timers() {
    return timers.entrySet();
  }

  @Override
  public List<Outbox.Id> messageIdsAfter(Outbox.Id after, int max) {
    return firstKeys(after == null ? messages : messages.tailMap(after, false), max);
  }

  @Override
  public List<Outbox.Id> effectIdsAfter(Outbox.Id after, int max) {
    return firstKeys(after == null ? effects : effects.tailMap(after, false), max);
  }

  @Override
  public List<PendingTimer> timersDueAfter(Outbox.DuePoint after, int max) {
    List<PendingTimer> page = new ArrayList<>(Math.min(max, 1_024));
    for (PendingTimer t : (after == null ? timersByDue : timersByDue.tailMap(after, false)).values()) {
      if (page.size() >= max) {
        break;
      }
      page.add(t);
    }
    return page;
  }

  private static <K> List<K> firstKeys(NavigableMap<K, ?> map, int max) {
    List<K> page = new ArrayList<>(Math.min(max, 1_024));
    for (K key : map.keySet()) {
      if (page.size() >= max) {
        break;
      }
      page.add(key);
    }
    return page;
  }

  @Override
  public void forEachCounter(ObjLongConsumer<EntityKey> action) {
    EntityKey[] keys = lastSeq.keySet().toArray(new EntityKey[0]);
    Arrays.sort(keys);
    for (EntityKey k : keys) {
      action.accept(k, lastSeq.get(k));
    }
  }

  @Override
  public int counterCount() {
    return lastSeq.size();
  }

  @Override
  public int messageCount() {
    return messages.size();
  }

  @Override
  public int effectCount() {
    return effects.size();
  }

  @Override
  public int deadLetterCount() {
    return deadLetters.size();
  }

  @Override
  public int timerCount() {
    return timers.size();
  }

  @Override
  public boolean inStore() {
    return false;
  }

  @Override
  public void beforeCommit(long digest, int pendingItems) {
    // Nothing to write: the heap is where these tables live.
  }

  @Override
  public void clear() {
    messages.clear();
    effects.clear();
    deadLetters.clear();
    timers.clear();
    timersByDue.clear();
    lastSeq.clear();
    pairQueues.clear();
  }
}
