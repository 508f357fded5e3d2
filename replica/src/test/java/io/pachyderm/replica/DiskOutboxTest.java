package io.pachyderm.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.pachyderm.protocol.OutboxItem;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The disk outbox ({@link DiskOutboxTables}) against the heap one, step for step: same items in the
 * same order (across page boundaries), same pair order answers inside an entry and after its commit,
 * same digest and counts, and the same after a reload from the tables; with a heap that holds no item.
 */
class DiskOutboxTest {
  private static final Payload P = Payload.newBuilder().setType("X").setSchemaVersion(1)
      .setData(ByteString.copyFromUtf8("{}")).build();
  /** Names chosen so that byte order and String order could part: prefixes, 0x00, high chars, a surrogate. */
  private static final List<EntityKey> ENTITIES = List.of(new EntityKey("e", "t", "a"), new EntityKey("e", "t", "ab"),
      new EntityKey("e", "t", "a\u0000"), new EntityKey("e", "t", "\uffff"), new EntityKey("e", "t", "\ud83d\ude00"),
      new EntityKey("e", "tt", ""), new EntityKey("e2", "t", "a"), new EntityKey("E", "t", "b"),
      new EntityKey("e", "t", "\u00e9"), new EntityKey("e", "t", "a\u0100"));

  /**
   * {@link StoreTables} as the RocksDB store behaves: writes are seen by {@link #get} at once and by
   * the scans only after {@link #commit}.
   */
  static final class BatchedTables implements StoreTables {
    private static final byte[] DELETED = new byte[0];
    final TreeMap<byte[], byte[]> committed = new TreeMap<>(Arrays::compareUnsigned);
    private final TreeMap<byte[], byte[]> pending = new TreeMap<>(Arrays::compareUnsigned);

    @Override
    public byte[] get(byte[] key) {
      byte[] p = pending.get(key);
      return p != null ? (p == DELETED ? null : p) : committed.get(key);
    }

    @Override
    public void put(byte[] key, byte[] value) {
      pending.put(key.clone(), value);
    }

    @Override
    public void delete(byte[] key) {
      pending.put(key.clone(), DELETED);
    }

    @Override
    public void forEach(byte[] prefix, Visitor visitor) {
      forEachFrom(prefix, prefix, visitor);
    }

    @Override
    public void forEachFrom(byte[] prefix, byte[] fromKey, Visitor visitor) {
      for (var e : committed.tailMap(fromKey, true).entrySet()) {
        byte[] k = e.getKey();
        if (k.length < prefix.length || !Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)
            || !visitor.visit(k.clone(), e.getValue())) {
          return;
        }
      }
    }

    /** Removes the committed keys under {@code prefix}; returns how many. */
    int removePrefix(byte[] prefix) {
      List<byte[]> keys = new ArrayList<>();
      forEach(prefix, (k, v) -> keys.add(k));
      keys.forEach(committed::remove);
      return keys.size();
    }

    void commit() {
      for (var e : pending.entrySet()) {
        if (e.getValue() == DELETED) {
          committed.remove(e.getKey());
        } else {
          committed.put(e.getKey(), e.getValue());
        }
      }
      pending.clear();
    }
  }

  private final Random random = new Random(23);

  @Test
  void theDiskOutboxFollowsTheHeapOutboxStepForStepAcrossPagesAndAReload() {
    Outbox heap = new Outbox();
    BatchedTables tables = new BatchedTables();
    Outbox disk = new Outbox(tables, true);
    Map<Outbox.Id, PendingMessage> pending = new HashMap<>();
    for (int entry = 0; entry < 3_000; entry++) {
      // Several steps per entry: the pair order must hold before the entry's writes are committed.
      int steps = 1 + random.nextInt(4);
      for (int s = 0; s < steps; s++) {
        step(heap, disk, pending);
      }
      heap.beforeCommit();
      disk.beforeCommit();
      tables.commit();
      if (entry % 50 == 0 || entry == 2_999) {
        assertSame(heap, disk, pending);
      }
    }
    assertThat(disk.messageCount() + disk.timerCount()).as("more items than a page").isGreaterThan(
        2 * DiskOutboxTables.PAGE_ITEMS);

    Outbox reloaded = new Outbox(tables, true);
    reloaded.load();
    assertSame(heap, reloaded, pending);
    assertThat(reloaded.nextSeq(ENTITIES.get(0))).isEqualTo(heap.nextSeq(ENTITIES.get(0)));
  }

  @Test
  void aDiskOutboxWithAHundredThousandTimersHoldsNoneOfThemInTheHeap() {
    BatchedTables tables = new BatchedTables();
    Outbox disk = new Outbox(tables, true);
    Outbox heap = new Outbox();
    int timers = 100_000;
    for (int i = 0; i < timers; i++) {
      EntityKey owner = new EntityKey("e", "t", "o" + i);
      for (Outbox outbox : List.of(disk, heap)) {
        outbox.putTimer(new TimerKey(owner, "t"), PendingTimer.newBuilder().setOwner(Protos.ref(owner)).setName("t")
            .setSeq(outbox.nextSeq(owner)).setTarget(Protos.ref(owner)).setPayload(P).setDueMs(i).build());
      }
      if (i % 1_000 == 999) {
        disk.beforeCommit();
        tables.commit();
      }
    }
    disk.beforeCommit();
    tables.commit();
    assertThat(disk.timerCount()).isEqualTo(timers);
    assertThat(disk.heapEntries()).as("a disk outbox keeps no item in the heap").isZero();
    assertThat(heap.heapEntries()).as("the heap outbox, for comparison").isGreaterThanOrEqualTo(2L * timers);
    int seen = 0;
    TimerKey previous = null;
    for (Map.Entry<TimerKey, PendingTimer> e : disk.timers()) {
      assertThat(previous == null || previous.compareTo(e.getKey()) < 0).as("key order at %s", e.getKey()).isTrue();
      previous = e.getKey();
      seen++;
    }
    assertThat(seen).as("every timer, a page at a time").isEqualTo(timers);
    assertThat(disk.digest()).isEqualTo(heap.digest());
  }

  @Test
  void aStoreWrittenBeforeTheDueIndexGetsItAtItsFirstLoadInCommittedPages() {
    BatchedTables tables = new BatchedTables();
    Outbox disk = new Outbox(tables, true);
    disk.clear(); // a new store: its index is whole from the start, and marked so
    Outbox heap = new Outbox();
    int timers = 3 * DiskOutboxTables.PAGE_ITEMS + 7;
    for (int i = 0; i < timers; i++) {
      EntityKey owner = ENTITIES.get(i % ENTITIES.size());
      TimerKey key = new TimerKey(owner, "t" + i);
      for (Outbox outbox : List.of(disk, heap)) {
        // Due times in another order than the keys; some equal, so the key breaks the tie.
        outbox.putTimer(key, PendingTimer.newBuilder().setOwner(Protos.ref(owner)).setName(key.name())
            .setSeq(outbox.nextSeq(owner)).setPayload(P).setDueMs((i * 31L) % 500).build());
      }
    }
    disk.beforeCommit();
    tables.commit();
    assertThat(dueOrder(disk, 64)).as("written with its index").isEqualTo(dueOrder(heap, 64));
    // What the code before the index wrote: the same timers, no index rows and no mark.
    int removed = tables.removePrefix(new byte[] {StoreTables.PREFIX, 'o', 'u'})
        + tables.removePrefix(new byte[] {StoreTables.PREFIX, 'o', 'v'});
    assertThat(removed).as("index rows and mark").isEqualTo(timers + 1);
    Outbox old = new Outbox(tables, true);
    assertThat(old.timersDueAfter(null, 10)).as("no index: no timer in due order").isEmpty();

    int[] commits = {0};
    Outbox upgraded = new Outbox(tables, true);
    upgraded.load(() -> {
      commits[0]++;
      tables.commit();
    });
    assertThat(commits[0]).as("the index written a page per commit").isEqualTo(timers / DiskOutboxTables.PAGE_ITEMS);
    upgraded.beforeCommit();
    tables.commit();
    assertThat(dueOrder(upgraded, 64)).as("the index built at load").isEqualTo(dueOrder(heap, 64));
    assertThat(upgraded.digest()).isEqualTo(heap.digest());

    Outbox again = new Outbox(tables, true);
    again.load(() -> {
      throw new AssertionError("a store with the mark is not indexed again");
    });
    assertThat(dueOrder(again, 1_000)).isEqualTo(dueOrder(heap, 1_000));
  }

  @Test
  void pagesOfTheDueIndexPassOverATimerTheEntryBeingAppliedMovedOrRemoved() {
    BatchedTables tables = new BatchedTables();
    Outbox disk = new Outbox(tables, true);
    EntityKey a = ENTITIES.get(0);
    for (int i = 0; i < 5; i++) {
      disk.putTimer(new TimerKey(a, "t" + i), PendingTimer.newBuilder().setOwner(Protos.ref(a)).setName("t" + i)
          .setSeq(disk.nextSeq(a)).setDueMs(10 * i).build());
    }
    disk.beforeCommit();
    tables.commit();
    // Inside the next entry: t1 moves after t4, t2 leaves.
    disk.putTimer(new TimerKey(a, "t1"), PendingTimer.newBuilder().setOwner(Protos.ref(a)).setName("t1")
        .setSeq(disk.nextSeq(a)).setDueMs(100).build());
    disk.removeTimer(new TimerKey(a, "t2"));
    assertThat(disk.timersDueAfter(null, 2)).extracting(PendingTimer::getName).as("a full page of what stays put")
        .containsExactly("t0", "t3");
    assertThat(disk.timersDueAfter(null, 10)).extracting(PendingTimer::getName).containsExactly("t0", "t3", "t4");
    disk.beforeCommit();
    tables.commit();
    assertThat(disk.timersDueAfter(null, 10)).extracting(PendingTimer::getName)
        .containsExactly("t0", "t3", "t4", "t1");
    assertThat(disk.timersDueAfter(new Outbox.DuePoint(30, new TimerKey(a, "t3")), 10))
        .extracting(PendingTimer::getName).as("strictly after a point").containsExactly("t4", "t1");
  }

  /** Every timer in due order, read {@code page} at a time as the leader's timer pump does. */
  private static List<Outbox.DuePoint> dueOrder(Outbox outbox, int page) {
    List<Outbox.DuePoint> points = new ArrayList<>();
    Outbox.DuePoint after = null;
    // Bounded: each round reads a page or ends.
    for (int round = 0; round <= outbox.timerCount() / page + 1; round++) {
      List<PendingTimer> timers = outbox.timersDueAfter(after, page);
      for (PendingTimer t : timers) {
        after = Outbox.DuePoint.of(t);
        points.add(after);
      }
      if (timers.size() < page) {
        break;
      }
    }
    assertThat(points).as("due order").isSorted();
    return points;
  }

  @Test
  void loadingRefusesCountsThatDoNotAddUp() {
    BatchedTables tables = new BatchedTables();
    Outbox disk = new Outbox(tables, true);
    EntityKey a = ENTITIES.get(0);
    disk.putTimer(new TimerKey(a, "t"), PendingTimer.newBuilder().setOwner(Protos.ref(a)).setName("t").setSeq(1).build());
    disk.beforeCommit();
    tables.commit();
    Outbox undigested = new Outbox(tables, false);
    assertThatThrownBy(undigested::load).hasMessageContaining("another digest setting");
    assertThatThrownBy(() -> new Outbox().load()).hasMessageContaining("keeps its items in the heap");
  }

  private void step(Outbox heap, Outbox disk, Map<Outbox.Id, PendingMessage> pending) {
    EntityKey a = ENTITIES.get(random.nextInt(ENTITIES.size()));
    EntityKey b = ENTITIES.get(random.nextInt(ENTITIES.size()));
    int kind = random.nextInt(10);
    if (kind <= 3) {
      long seq = heap.nextSeq(a);
      assertThat(disk.nextSeq(a)).isEqualTo(seq);
      PendingMessage m = PendingMessage.newBuilder().setSource(Protos.ref(a)).setSeq(seq).setTarget(Protos.ref(b))
          .setPayload(P).build();
      heap.addMessage(m);
      disk.addMessage(m);
      pending.put(new Outbox.Id(a, seq), m);
      assertPairAgrees(heap, disk, pending, m);
    } else if (kind <= 5 && !pending.isEmpty()) {
      // Delivered (the oldest of its pair) or, now and then, any one (a receiver gone).
      List<Outbox.Id> ids = new ArrayList<>(pending.keySet());
      ids.sort(null);
      Outbox.Id id = ids.get(random.nextInt(ids.size()));
      PendingMessage m = pending.get(id);
      boolean first = heap.isNextOfItsPair(id, m);
      assertThat(disk.isNextOfItsPair(id, m)).as("pair order of %s inside an entry", id).isEqualTo(first);
      if (first || random.nextInt(4) == 0) {
        heap.removeMessage(id, m);
        disk.removeMessage(id, m);
        pending.remove(id);
        assertPairAgrees(heap, disk, pending, m);
      }
    } else if (kind == 6) {
      Outbox.Id id = new Outbox.Id(a, heap.nextSeq(a));
      disk.nextSeq(a);
      PendingEffect e = PendingEffect.newBuilder().setId(id.toProto()).setHandler("h").setPayload(P).build();
      heap.putEffect(id, e);
      disk.putEffect(id, e);
      if (random.nextBoolean()) {
        heap.removeEffect(id);
        disk.removeEffect(id);
        heap.putDeadLetter(id, e.toBuilder().setAttempts(3).build());
        disk.putDeadLetter(id, e.toBuilder().setAttempts(3).build());
      }
    } else if (kind == 7 && heap.deadLetterCount() > 0) {
      Outbox.Id id = Outbox.Id.of(heap.deadLetters(1).get(0).getId());
      heap.removeDeadLetter(id);
      disk.removeDeadLetter(id);
    } else if (kind == 8) {
      TimerKey key = new TimerKey(a, "t" + random.nextInt(3));
      long seq = heap.nextSeq(a);
      disk.nextSeq(a);
      PendingTimer t = PendingTimer.newBuilder().setOwner(Protos.ref(a)).setName(key.name()).setSeq(seq)
          .setTarget(Protos.ref(b)).setPayload(P).setDueMs(seq).build();
      heap.putTimer(key, t);
      disk.putTimer(key, t);
    } else {
      TimerKey key = new TimerKey(a, "t" + random.nextInt(3));
      heap.removeTimer(key);
      disk.removeTimer(key);
    }
    assertThat(disk.pendingItems()).isEqualTo(heap.pendingItems());
    assertThat(disk.digest()).isEqualTo(heap.digest());
  }

  /** The pair order of every pending message of {@code m}'s pair, in the entry that just changed it. */
  private static void assertPairAgrees(Outbox heap, Outbox disk, Map<Outbox.Id, PendingMessage> pending,
                                       PendingMessage m) {
    for (Map.Entry<Outbox.Id, PendingMessage> e : pending.entrySet()) {
      PendingMessage other = e.getValue();
      if (other.getSource().equals(m.getSource()) && other.getTarget().equals(m.getTarget())) {
        assertThat(disk.isNextOfItsPair(e.getKey(), other)).as("pair order of %s inside an entry", e.getKey())
            .isEqualTo(heap.isNextOfItsPair(e.getKey(), other));
      }
    }
  }

  private static void assertSame(Outbox heap, Outbox disk, Map<Outbox.Id, PendingMessage> pending) {
    List<OutboxItem> items = heap.snapshotItems();
    assertThat(disk.snapshotItems()).as("every item, in snapshot order").isEqualTo(items);
    assertThat(disk.itemCount()).isEqualTo(items.size());
    assertThat(disk.digest()).isEqualTo(heap.digest());
    assertThat(disk.pendingItems()).isEqualTo(heap.pendingItems());
    assertThat(disk.messageCount()).isEqualTo(heap.messageCount());
    assertThat(disk.effectCount()).isEqualTo(heap.effectCount());
    assertThat(disk.deadLetterCount()).isEqualTo(heap.deadLetterCount());
    assertThat(disk.timerCount()).isEqualTo(heap.timerCount());
    assertThat(disk.deadLetters(7)).isEqualTo(heap.deadLetters(7));
    assertThat(keys(disk.messages())).as("the pumps' view of the messages").isEqualTo(keys(heap.messages()));
    assertThat(disk.messageIdsAfter(null, 5_000)).isEqualTo(keys(heap.messages()));
    assertThat(disk.effectIdsAfter(null, 5_000)).isEqualTo(keys(heap.effects()));
    assertThat(dueOrder(disk, 7)).as("the timer pump's view").isEqualTo(dueOrder(heap, 7));
    for (Map.Entry<Outbox.Id, PendingMessage> e : pending.entrySet()) {
      assertThat(disk.isNextOfItsPair(e.getKey(), e.getValue())).as("pair order of %s", e.getKey())
          .isEqualTo(heap.isNextOfItsPair(e.getKey(), e.getValue()));
      assertThat(disk.message(e.getKey())).isEqualTo(e.getValue());
    }
  }

  private static <K> List<K> keys(Iterable<? extends Map.Entry<K, ?>> entries) {
    List<K> keys = new ArrayList<>();
    for (Map.Entry<K, ?> e : entries) {
      keys.add(e.getKey());
    }
    return keys;
  }
}
