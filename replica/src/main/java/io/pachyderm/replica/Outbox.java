package io.pachyderm.replica;

import io.pachyderm.protocol.OutboxCounter;
import io.pachyderm.protocol.OutboxItem;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The replicated part of reliable messaging (DESIGN.md section 3): messages not yet delivered,
 * at-least-once effects not yet acknowledged, dead letters, pending timers, and each entity's
 * last outbox sequence number (messages, effects and timers share it, so {@code (source, seq)}
 * names one of them for good).
 *
 * <p>Written only by the apply thread, in log order, so every replica holds the same outbox;
 * sorted maps make snapshots byte-identical across replicas. Leader threads and reads see it
 * through concurrent maps and only ever act on what is already applied.
 *
 * <p>Thread-safety: the writing methods are for the apply thread (the {@link Replica}, or a test
 * standing in for it); the reading ones may be called from any thread.
 */
public final class Outbox {
  /** An outbox item: the producing entity and its sequence number. */
  public record Id(EntityKey source, long seq) implements Comparable<Id> {
    private static final Comparator<Id> ORDER = Comparator.comparing(Id::source).thenComparingLong(Id::seq);

    public static Id of(io.pachyderm.protocol.EffectId id) {
      return new Id(Protos.key(id.getSource()), id.getSeq());
    }

    public io.pachyderm.protocol.EffectId toProto() {
      return io.pachyderm.protocol.EffectId.newBuilder().setSource(Protos.ref(source)).setSeq(seq).build();
    }

    @Override
    public int compareTo(Id o) {
      return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
      return source + "#" + seq;
    }
  }

  private record Pair(EntityKey source, EntityKey target) {}

  private final NavigableMap<Id, PendingMessage> messages = new ConcurrentSkipListMap<>();
  private final NavigableMap<Id, PendingEffect> effects = new ConcurrentSkipListMap<>();
  private final NavigableMap<Id, PendingEffect> deadLetters = new ConcurrentSkipListMap<>();
  private final NavigableMap<TimerKey, PendingTimer> timers = new ConcurrentSkipListMap<>();
  private final Map<EntityKey, Long> lastSeq = new ConcurrentHashMap<>();
  // Apply thread only: pending sequence numbers per (sender, receiver), ascending, so that a
  // delivery is accepted only when it is the oldest pending message of its pair (order kept).
  private final Map<Pair, ArrayDeque<Long>> pairQueues = new HashMap<>();
  /** {@link ReplicaDigest} of every item, each hashed in its snapshot form; apply thread only. */
  private long digest;
  /**
   * Pending messages, effects and timers, and dead letters (what {@code outboxItemsMax} bounds:
   * a dead letter stays until an operator retries or discards it, so it holds its slot), counted
   * here because a skip-list's size() walks the whole list. Apply thread only.
   */
  private int pendingItems;
  /** Whether {@link #digest} is kept (SHA-256 per changed item): off for a replica made without a digest. */
  private final boolean digested;

  public Outbox() {
    this(true);
  }

  Outbox(boolean digested) {
    this.digested = digested;
  }

  // ---- apply thread ---------------------------------------------------------------------

  public long nextSeq(EntityKey source) {
    Long last = lastSeq.get(source);
    long next = (last == null ? 0 : last) + 1;
    lastSeq.put(source, next);
    if (digested) {
      digest += ReplicaDigest.outbox(counter(source, next))
          - (last == null ? 0 : ReplicaDigest.outbox(counter(source, last)));
    }
    return next;
  }

  public void addMessage(PendingMessage m) {
    Id id = new Id(Protos.key(m.getSource()), m.getSeq());
    PendingMessage before = messages.put(id, m);
    pendingItems += before == null ? 1 : 0;
    digest -= hashOf(before, OutboxItem.Builder::setMessage);
    digest += hashOf(m, OutboxItem.Builder::setMessage);
    pairQueues.computeIfAbsent(new Pair(id.source(), Protos.key(m.getTarget())), p -> new ArrayDeque<>())
        .addLast(id.seq());
  }

  /** Whether {@code id} is the oldest undelivered message from its sender to its receiver. */
  public boolean isNextOfItsPair(Id id, PendingMessage m) {
    ArrayDeque<Long> q = pairQueues.get(new Pair(id.source(), Protos.key(m.getTarget())));
    return q != null && !q.isEmpty() && q.peekFirst() == id.seq();
  }

  public void removeMessage(Id id, PendingMessage m) {
    PendingMessage removed = messages.remove(id);
    pendingItems -= removed == null ? 0 : 1;
    digest -= hashOf(removed, OutboxItem.Builder::setMessage);
    Pair pair = new Pair(id.source(), Protos.key(m.getTarget()));
    ArrayDeque<Long> q = pairQueues.get(pair);
    if (q != null) {
      q.remove(id.seq());
      if (q.isEmpty()) {
        pairQueues.remove(pair);
      }
    }
  }

  public void putEffect(Id id, PendingEffect e) {
    PendingEffect before = effects.put(id, e);
    pendingItems += before == null ? 1 : 0;
    digest -= hashOf(before, OutboxItem.Builder::setEffect);
    digest += hashOf(e, OutboxItem.Builder::setEffect);
  }

  public void removeEffect(Id id) {
    PendingEffect removed = effects.remove(id);
    pendingItems -= removed == null ? 0 : 1;
    digest -= hashOf(removed, OutboxItem.Builder::setEffect);
  }

  public void putDeadLetter(Id id, PendingEffect e) {
    PendingEffect before = deadLetters.put(id, e);
    pendingItems += before == null ? 1 : 0;
    digest -= hashOf(before, OutboxItem.Builder::setDeadLetter);
    digest += hashOf(e, OutboxItem.Builder::setDeadLetter);
  }

  public void removeDeadLetter(Id id) {
    PendingEffect removed = deadLetters.remove(id);
    pendingItems -= removed == null ? 0 : 1;
    digest -= hashOf(removed, OutboxItem.Builder::setDeadLetter);
  }

  public void putTimer(TimerKey key, PendingTimer t) {
    PendingTimer before = timers.put(key, t);
    pendingItems += before == null ? 1 : 0;
    digest -= hashOf(before, OutboxItem.Builder::setTimer);
    digest += hashOf(t, OutboxItem.Builder::setTimer);
  }

  public void removeTimer(TimerKey key) {
    PendingTimer removed = timers.remove(key);
    pendingItems -= removed == null ? 0 : 1;
    digest -= hashOf(removed, OutboxItem.Builder::setTimer);
  }

  /** Pending messages, at-least-once effects and timers, and dead letters. Apply thread only. */
  public int pendingItems() {
    return pendingItems;
  }

  /** The outbox's part of the replica digest. Apply thread only. */
  public long digest() {
    return digest;
  }

  /** The item's hash in its snapshot form; 0 for no item, so that a missing old value subtracts nothing. */
  private <T> long hashOf(T value, java.util.function.BiFunction<OutboxItem.Builder, T, OutboxItem.Builder> wrap) {
    return value == null || !digested ? 0 : ReplicaDigest.outbox(wrap.apply(OutboxItem.newBuilder(), value).build());
  }

  private static OutboxItem counter(EntityKey source, long last) {
    return OutboxItem.newBuilder().setCounter(OutboxCounter.newBuilder().setRef(Protos.ref(source)).setLastSeq(last))
        .build();
  }

  public void clear() {
    messages.clear();
    effects.clear();
    deadLetters.clear();
    timers.clear();
    lastSeq.clear();
    pairQueues.clear();
    digest = 0;
    pendingItems = 0;
  }

  // ---- any thread -----------------------------------------------------------------------

  public PendingMessage message(Id id) {
    return messages.get(id);
  }

  public PendingEffect effect(Id id) {
    return effects.get(id);
  }

  public PendingEffect deadLetter(Id id) {
    return deadLetters.get(id);
  }

  public PendingTimer timer(TimerKey key) {
    return timers.get(key);
  }

  /** Snapshot views for a new leader's rescan: weakly consistent, in key order. */
  public Iterable<Map.Entry<Id, PendingMessage>> messages() {
    return messages.entrySet();
  }

  public Iterable<Map.Entry<Id, PendingEffect>> effects() {
    return effects.entrySet();
  }

  public Iterable<Map.Entry<TimerKey, PendingTimer>> timers() {
    return timers.entrySet();
  }

  public List<PendingEffect> deadLetters(int limit) {
    List<PendingEffect> list = new ArrayList<>();
    for (PendingEffect e : deadLetters.values()) {
      if (limit > 0 && list.size() >= limit) {
        break;
      }
      list.add(e);
    }
    return list;
  }

  public int messageCount() {
    return messages.size();
  }

  public int effectCount() {
    return effects.size();
  }

  public int deadLetterCount() {
    return deadLetters.size();
  }

  public int timerCount() {
    return timers.size();
  }

  // ---- snapshots (apply thread) -----------------------------------------------------------

  /** Every item in a deterministic order: counters, messages, effects, dead letters, timers. */
  public List<OutboxItem> snapshotItems() {
    List<OutboxItem> items = new ArrayList<>(lastSeq.size() + messages.size() + effects.size()
        + deadLetters.size() + timers.size());
    EntityKey[] keys = lastSeq.keySet().toArray(new EntityKey[0]);
    Arrays.sort(keys);
    for (EntityKey k : keys) {
      items.add(counter(k, lastSeq.get(k)));
    }
    messages.values().forEach(m -> items.add(OutboxItem.newBuilder().setMessage(m).build()));
    effects.values().forEach(e -> items.add(OutboxItem.newBuilder().setEffect(e).build()));
    deadLetters.values().forEach(e -> items.add(OutboxItem.newBuilder().setDeadLetter(e).build()));
    timers.values().forEach(t -> items.add(OutboxItem.newBuilder().setTimer(t).build()));
    return items;
  }

  public void restore(OutboxItem item) {
    switch (item.getItemCase()) {
      case COUNTER -> {
        EntityKey source = Protos.key(item.getCounter().getRef());
        Long before = lastSeq.put(source, item.getCounter().getLastSeq());
        if (digested) {
          digest += ReplicaDigest.outbox(counter(source, item.getCounter().getLastSeq()))
              - (before == null ? 0 : ReplicaDigest.outbox(counter(source, before)));
        }
      }
      case MESSAGE -> addMessage(item.getMessage());
      case EFFECT -> putEffect(Id.of(item.getEffect().getId()), item.getEffect());
      case DEAD_LETTER -> putDeadLetter(Id.of(item.getDeadLetter().getId()), item.getDeadLetter());
      case TIMER -> {
        PendingTimer t = item.getTimer();
        putTimer(new TimerKey(Protos.key(t.getOwner()), t.getName()), t);
      }
      default -> throw new IllegalArgumentException("empty outbox item in snapshot");
    }
  }
}
