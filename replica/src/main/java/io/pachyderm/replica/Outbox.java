package io.pachyderm.replica;

import io.pachyderm.protocol.OutboxCounter;
import io.pachyderm.protocol.OutboxItem;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The replicated part of reliable messaging (DESIGN.md section 3): messages not yet delivered,
 * at-least-once effects not yet acknowledged, dead letters, pending timers, and each entity's
 * last outbox sequence number (messages, effects and timers share it, so {@code (source, seq)}
 * names one of them for good).
 *
 * <p>Written only by the apply thread, in log order, so every replica holds the same outbox;
 * sorted maps make snapshots byte-identical across replicas. The items live in the heap
 * ({@link HeapOutboxTables}) or, on a DISK node, in its state store's tables ({@link DiskOutboxTables}:
 * committed with each applied entry, part of every checkpoint, read a page at a time); the rules, the
 * digest and the item count are kept here once for both. Leader threads and reads see it
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

  /**
   * A timer's place in due order: its due time (wall ms, as written in the log), then its key. The
   * order in which the leader's timer pump reads the timers ({@link #timersDueAfter}).
   */
  public record DuePoint(long dueMs, TimerKey key) implements Comparable<DuePoint> {
    public DuePoint {
      java.util.Objects.requireNonNull(key, "timer key");
    }

    public static DuePoint of(PendingTimer t) {
      return new DuePoint(t.getDueMs(), new TimerKey(Protos.key(t.getOwner()), t.getName()));
    }

    @Override
    public int compareTo(DuePoint o) {
      int byDue = Long.compare(dueMs, o.dueMs);
      return byDue != 0 ? byDue : key.compareTo(o.key);
    }
  }

  /** Where the items live: the heap, or a DISK node's store tables. */
  private final OutboxTables tables;
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
    this.tables = new HeapOutboxTables();
    this.digested = digested;
  }

  /** An outbox whose items live in a disk store's {@code tables}, committed with each applied entry. */
  Outbox(StoreTables tables, boolean digested) {
    this.tables = new DiskOutboxTables(tables, digested);
    this.digested = digested;
  }

  // ---- apply thread ---------------------------------------------------------------------

  public long nextSeq(EntityKey source) {
    Long last = tables.lastSeq(source);
    long next = (last == null ? 0 : last) + 1;
    tables.setLastSeq(source, next);
    if (digested) {
      digest += ReplicaDigest.outbox(counter(source, next))
          - (last == null ? 0 : ReplicaDigest.outbox(counter(source, last)));
    }
    return next;
  }

  public void addMessage(PendingMessage m) {
    Id id = new Id(Protos.key(m.getSource()), m.getSeq());
    PendingMessage before = tables.putMessage(id, m);
    pendingItems += before == null ? 1 : 0;
    digest -= hashOf(before, OutboxItem.Builder::setMessage);
    digest += hashOf(m, OutboxItem.Builder::setMessage);
    tables.pairAdded(id.source(), Protos.key(m.getTarget()), id.seq());
  }

  /** Whether {@code id} is the oldest undelivered message from its sender to its receiver. */
  public boolean isNextOfItsPair(Id id, PendingMessage m) {
    return tables.isFirstOfPair(id.source(), Protos.key(m.getTarget()), id.seq());
  }

  public void removeMessage(Id id, PendingMessage m) {
    PendingMessage removed = tables.removeMessage(id);
    pendingItems -= removed == null ? 0 : 1;
    digest -= hashOf(removed, OutboxItem.Builder::setMessage);
    tables.pairRemoved(id.source(), Protos.key(m.getTarget()), id.seq());
  }

  public void putEffect(Id id, PendingEffect e) {
    PendingEffect before = tables.putEffect(id, e);
    pendingItems += before == null ? 1 : 0;
    digest -= hashOf(before, OutboxItem.Builder::setEffect);
    digest += hashOf(e, OutboxItem.Builder::setEffect);
  }

  public void removeEffect(Id id) {
    PendingEffect removed = tables.removeEffect(id);
    pendingItems -= removed == null ? 0 : 1;
    digest -= hashOf(removed, OutboxItem.Builder::setEffect);
  }

  public void putDeadLetter(Id id, PendingEffect e) {
    PendingEffect before = tables.putDeadLetter(id, e);
    pendingItems += before == null ? 1 : 0;
    digest -= hashOf(before, OutboxItem.Builder::setDeadLetter);
    digest += hashOf(e, OutboxItem.Builder::setDeadLetter);
  }

  public void removeDeadLetter(Id id) {
    PendingEffect removed = tables.removeDeadLetter(id);
    pendingItems -= removed == null ? 0 : 1;
    digest -= hashOf(removed, OutboxItem.Builder::setDeadLetter);
  }

  public void putTimer(TimerKey key, PendingTimer t) {
    PendingTimer before = tables.putTimer(key, t);
    pendingItems += before == null ? 1 : 0;
    digest -= hashOf(before, OutboxItem.Builder::setTimer);
    digest += hashOf(t, OutboxItem.Builder::setTimer);
  }

  public void removeTimer(TimerKey key) {
    PendingTimer removed = tables.removeTimer(key);
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
    tables.clear();
    digest = 0;
    pendingItems = 0;
  }

  // ---- any thread -----------------------------------------------------------------------

  public PendingMessage message(Id id) {
    return tables.message(id);
  }

  public PendingEffect effect(Id id) {
    return tables.effect(id);
  }

  public PendingEffect deadLetter(Id id) {
    return tables.deadLetter(id);
  }

  public PendingTimer timer(TimerKey key) {
    return tables.timer(key);
  }

  /**
   * Views for a new leader's rescan: weakly consistent, in key order. A DISK node's outbox reads
   * them from its store a page at a time, so an iteration holds a page, never the whole table.
   */
  public Iterable<Map.Entry<Id, PendingMessage>> messages() {
    return tables.messages();
  }

  public Iterable<Map.Entry<Id, PendingEffect>> effects() {
    return tables.effects();
  }

  public Iterable<Map.Entry<TimerKey, PendingTimer>> timers() {
    return tables.timers();
  }

  /**
   * The leader's pumps page through the outbox with these, so that none holds the whole of it:
   * at most {@code max} message ids after {@code after} (null: from the first), in key order.
   * Weakly consistent; a DISK node's outbox reads what is committed.
   */
  public List<Id> messageIdsAfter(Id after, int max) {
    return tables.messageIdsAfter(after, requirePage(max));
  }

  /** As {@link #messageIdsAfter}, for the at-least-once effects. */
  public List<Id> effectIdsAfter(Id after, int max) {
    return tables.effectIdsAfter(after, requirePage(max));
  }

  /**
   * At most {@code max} pending timers after {@code after} (null: from the earliest), in due order
   * (due time, then key): the timers a leader fires next. Weakly consistent; on a DISK node a timer
   * replaced by the entry being applied may come with its new due time (its place is then checked by
   * the reader).
   */
  public List<PendingTimer> timersDueAfter(DuePoint after, int max) {
    return tables.timersDueAfter(after, requirePage(max));
  }

  private static int requirePage(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("a page of the outbox holds at least one item, asked for " + max);
    }
    return max;
  }

  public List<PendingEffect> deadLetters(int limit) {
    List<PendingEffect> list = new ArrayList<>();
    for (Map.Entry<Id, PendingEffect> e : tables.deadLetters()) {
      if (limit > 0 && list.size() >= limit) {
        break;
      }
      list.add(e.getValue());
    }
    return list;
  }

  public int messageCount() {
    return tables.messageCount();
  }

  public int effectCount() {
    return tables.effectCount();
  }

  public int deadLetterCount() {
    return tables.deadLetterCount();
  }

  public int timerCount() {
    return tables.timerCount();
  }

  // ---- snapshots (apply thread) -----------------------------------------------------------

  /** Every item in a deterministic order: counters, messages, effects, dead letters, timers. */
  public List<OutboxItem> snapshotItems() {
    List<OutboxItem> items = new ArrayList<>(itemCount());
    forEachItem(items::add);
    return items;
  }

  /** How many records {@link #forEachItem} visits. Apply thread. */
  public int itemCount() {
    return tables.counterCount() + tables.messageCount() + tables.effectCount() + tables.deadLetterCount()
        + tables.timerCount();
  }

  /**
   * Visits every item in a deterministic order (counters, messages, effects, dead letters, timers;
   * each in key order) without collecting them: a DISK node's outbox is read a page at a time.
   * Apply thread.
   */
  public void forEachItem(Consumer<OutboxItem> action) {
    tables.forEachCounter((k, last) -> action.accept(counter(k, last)));
    for (Map.Entry<Id, PendingMessage> e : tables.messages()) {
      action.accept(OutboxItem.newBuilder().setMessage(e.getValue()).build());
    }
    for (Map.Entry<Id, PendingEffect> e : tables.effects()) {
      action.accept(OutboxItem.newBuilder().setEffect(e.getValue()).build());
    }
    for (Map.Entry<Id, PendingEffect> e : tables.deadLetters()) {
      action.accept(OutboxItem.newBuilder().setDeadLetter(e.getValue()).build());
    }
    for (Map.Entry<TimerKey, PendingTimer> e : tables.timers()) {
      action.accept(OutboxItem.newBuilder().setTimer(e.getValue()).build());
    }
  }

  /** Whether the items live in the state store (a checkpoint holds them, a snapshot file need not). */
  public boolean inStore() {
    return tables.inStore();
  }

  /** Writes what the heap keeps of a disk outbox (its counts and digest) into the store's batch. Apply thread. */
  public void beforeCommit() {
    tables.beforeCommit(digest, pendingItems);
  }

  /**
   * Takes a disk outbox's counts and digest from the store, just replaced by a checkpoint that holds
   * the outbox; an empty outbox when it holds none.
   */
  void load() {
    load(() -> { });
  }

  /**
   * As {@link #load()}; {@code commitPage} commits the store's writes so far (the due-time index a
   * store written before it existed gets at its first load is written in pages, see
   * {@link DiskOutboxTables#load}).
   */
  void load(Runnable commitPage) {
    if (!(tables instanceof DiskOutboxTables disk)) {
      throw new IllegalStateException("this outbox keeps its items in the heap; there is no store to load it from");
    }
    disk.load(commitPage);
    digest = disk.loadedDigest();
    pendingItems = disk.loadedPendingItems();
  }

  /**
   * Entries this outbox holds in the heap besides a fixed set of counters: every item for a heap
   * outbox; for a disk one, only the pair keys written since the last commit.
   */
  long heapEntries() {
    if (tables instanceof DiskOutboxTables disk) {
      return disk.heapEntries();
    }
    return (long) itemCount() + tables.messageCount() + tables.timerCount(); // + pair queues, the due index
  }

  /** Every item of the outbox a DISK node's checkpoint holds in {@code tables} (a store no replica writes), in snapshot order. */
  static void forEachItemIn(StoreTables tables, Consumer<OutboxItem> action) {
    new Outbox(tables, false).forEachItem(action);
  }

  public void restore(OutboxItem item) {
    switch (item.getItemCase()) {
      case COUNTER -> {
        EntityKey source = Protos.key(item.getCounter().getRef());
        Long before = tables.lastSeq(source);
        tables.setLastSeq(source, item.getCounter().getLastSeq());
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
