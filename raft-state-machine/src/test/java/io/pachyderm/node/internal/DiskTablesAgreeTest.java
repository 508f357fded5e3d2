package io.pachyderm.node.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.TestBlob;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.DeadLetterAction;
import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.Delivery;
import io.pachyderm.protocol.Effect;
import io.pachyderm.protocol.EffectFailure;
import io.pachyderm.protocol.EffectReport;
import io.pachyderm.protocol.EntitySnapshot;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.OutMessage;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.OutboxItem;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Protos.RequestKey;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.RequestId;
import io.pachyderm.protocol.TimerFire;
import io.pachyderm.protocol.TimerOp;
import io.pachyderm.protocol.TimerSchedule;
import io.pachyderm.replica.HeapStateStore;
import io.pachyderm.replica.Outbox;
import io.pachyderm.replica.Replica;
import io.pachyderm.replica.ReplicaSnapshot;
import io.pachyderm.replica.ReplicatedTableLimits;
import io.pachyderm.replica.Versioned;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import io.pachyderm.statestore.RocksStateStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DISK replica (de-duplication table and outbox in the RocksDB store) and a HEAP replica fed one
 * log agree after every entry (replies, digest, dedup answers, outbox), across a checkpoint and a
 * restart of the DISK one, with the log going well past the dedup table's count, byte, reply and age bounds.
 */
class DiskTablesAgreeTest {
  private static final EntityTypes TYPES = EntityTypes.of(TestBlob.TYPE);
  private static final int DEDUP_ENTRIES_MAX = 60;
  private static final ReplicatedTableLimits LIMITS = ReplicatedTableLimits.DEFAULT.withDedup(24 << 10, 15, 4 << 10)
      .withDedupAgeEntriesMax(120);
  private static final int ENTITIES = 12;

  @TempDir
  Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final Random random = new Random(14);
  private final List<RequestId> issued = new ArrayList<>();
  /** Each client command issued, and the outcome of its first apply. */
  private final Map<RequestKey, Record> commands = new HashMap<>();
  private final Map<RequestKey, Outcome> outcomes = new HashMap<>();
  private long index;
  private long sequence;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  @Test
  void aDiskAndAHeapReplicaFedOneLogAgreeAfterEveryEntryAndAfterACheckpointAndARestart() throws Exception {
    Replica heap = new Replica("heap", TYPES, new HeapStateStore(), DEDUP_ENTRIES_MAX, LIMITS);
    RocksStateStore live = rocks("live");
    Replica disk = new Replica("disk", TYPES, live, DEDUP_ENTRIES_MAX, LIMITS);
    assertThat(disk.outboxInStore()).as("the DISK replica's outbox is the one on disk").isTrue();
    assertThat(heap.outboxInStore()).isFalse();
    for (int i = 0; i < 400; i++) {
      applyBoth(heap, disk, nextEntry(heap));
    }
    assertThat(issued.size()).as("the log went past the count bound").isGreaterThan(3 * DEDUP_ENTRIES_MAX);
    assertThat(heap.dedupEntries()).isPositive();

    Replica restarted = checkpointAndRestart(disk, live);
    assertAgree(heap, restarted);
    // The newest applied command, sent again as a full command whose version check would pass:
    // only the table on disk stops it from running twice.
    RequestId last = newestApplied(heap);
    Record original = commands.get(RequestKey.of(last));
    EntityKey target = Protos.key(original.getRef());
    long versionBefore = restarted.get(target).version();
    Record retry = original.toBuilder().setExpectedVersion(versionBefore).build();
    BatchReply onDisk = applyBoth(heap, restarted, LogEntry.newBuilder().addRecords(retry).build());
    assertThat(onDisk.getOutcomes(0)).as("a retry after the restart is answered from the table on disk, not run")
        .isEqualTo(outcomes.get(RequestKey.of(last)));
    assertThat(restarted.get(target).version()).isEqualTo(versionBefore);

    for (int i = 0; i < 300; i++) {
      applyBoth(heap, restarted, nextEntry(heap));
    }
    // Entries with no request: only age expires the table now.
    for (int i = 0; i <= LIMITS.dedupAgeEntriesMax(); i++) {
      applyBoth(heap, restarted, LogEntry.getDefaultInstance());
    }
    assertThat(heap.dedupEntries()).as("every entry expired by age").isZero();
    assertThat(restarted.dedupEntries()).isZero();
  }

  @Test
  void aDiskStoreWrittenBeforeTheTimersDueIndexGetsItWhenItsCheckpointLoads() throws Exception {
    Replica heap = new Replica("heap", TYPES, new HeapStateStore(), DEDUP_ENTRIES_MAX, LIMITS);
    RocksStateStore live = rocks("live");
    Replica disk = new Replica("disk", TYPES, live, DEDUP_ENTRIES_MAX, LIMITS);
    for (int i = 0; i < 300; i++) {
      applyBoth(heap, disk, nextEntry(heap));
    }
    assertThat(heap.outbox().timerCount()).as("timers pending").isGreaterThan(3);
    // The store as the code before the index wrote it: timers, no index rows, no mark.
    List<byte[]> indexRows = new ArrayList<>();
    live.tables().forEach(new byte[] {'T', 'o', 'u'}, (k, v) -> indexRows.add(k));
    assertThat(indexRows).as("one row per timer").hasSize(heap.outbox().timerCount());
    live.tables().forEach(new byte[] {'T', 'o', 'v'}, (k, v) -> indexRows.add(k)); // the mark, if written
    indexRows.forEach(live.tables()::delete);
    live.commit(index);
    assertThat(disk.outbox().timersDueAfter(null, 100)).as("no timer in due order without the index").isEmpty();

    Replica restarted = checkpointAndRestart(disk, live);
    assertAgree(heap, restarted);
    for (int i = 0; i < 100; i++) {
      applyBoth(heap, restarted, nextEntry(heap));
    }
  }

  @Test
  void aHeapReplicaLoadsTheDedupTableOutOfADiskReplicasCheckpoint() throws Exception {
    Replica heap = new Replica("heap", TYPES, new HeapStateStore(), DEDUP_ENTRIES_MAX, LIMITS);
    RocksStateStore store = rocks("live");
    Replica disk = new Replica("disk", TYPES, store, DEDUP_ENTRIES_MAX, LIMITS);
    for (int i = 0; i < 150; i++) {
      applyBoth(heap, disk, nextEntry(heap));
    }
    Path checkpoint = dir.resolve("checkpoint");
    store.checkpoint(checkpoint);
    Memory file = new Memory();
    disk.writeSnapshotBesideStore(file);
    RocksStateStore read = rocks("read");
    read.replaceWith(checkpoint);
    List<EntitySnapshot> entities = new ArrayList<>();
    read.forEachInOrder((key, v) -> entities.add(EntitySnapshot.newBuilder().setRef(Protos.ref(key))
        .setVersion(v.version()).setState(Protos.payload(TestBlob.TYPE.codec().encode(v.state()))).build()));
    List<DedupSnapshot> dedup = Replica.dedupOfCheckpoint(read.tables());
    assertThat(dedup).hasSize(disk.dedupEntries());
    List<OutboxItem> outbox = Replica.outboxOfCheckpoint(read.tables());
    assertThat(outbox).as("the checkpoint holds the outbox, in snapshot order").isEqualTo(heap.outbox().snapshotItems())
        .isNotEmpty();

    Replica loaded = new Replica("loaded", TYPES, new HeapStateStore(), DEDUP_ENTRIES_MAX, LIMITS);
    long asRead = loaded.restore(file.source(entities.iterator(), dedup.iterator(), outbox.iterator()));
    assertThat(asRead).isEqualTo(heap.digest());
    assertAgree(heap, loaded);
  }

  // ---- the log -------------------------------------------------------------------------------

  /** One entry of one to three items, built from what {@code heap} holds so that most of them apply. */
  private LogEntry nextEntry(Replica heap) {
    LogEntry.Builder entry = LogEntry.newBuilder();
    int items = 1 + random.nextInt(3);
    boolean[] touched = new boolean[ENTITIES + 1];
    for (int i = 0; i < items; i++) {
      int kind = random.nextInt(10);
      if (kind <= 4) {
        int e = random.nextInt(ENTITIES);
        if (!touched[e]) {
          touched[e] = true;
          entry.addRecords(command(heap, e));
        }
      } else if (kind == 5 && !issued.isEmpty()) {
        // A retry the leader found in its table, maybe gone by now.
        entry.addRecords(Record.newBuilder().setRequestId(issued.get(random.nextInt(issued.size())))
            .setRef(Protos.ref(blob(0))).setLookupOnly(true));
      } else if (kind == 6) {
        deliverOldest(heap, entry, touched);
      } else if (kind == 7) {
        fireOldest(heap, entry, touched);
      } else if (kind == 8) {
        reportOldestEffect(heap, entry);
      } else {
        actOnOldestDeadLetter(heap, entry);
      }
    }
    return entry.build();
  }

  private Record command(Replica heap, int e) {
    EntityKey key = blob(e);
    Versioned v = heap.get(key);
    RequestId id = RequestId.newBuilder().setClientHi(3).setClientLo(4).setSequence(++sequence).build();
    issued.add(id);
    Record.Builder r = Record.newBuilder().setRequestId(id).setRef(Protos.ref(key))
        .setExpectedVersion(v == null ? 0 : v.version()).setTimestampMs(1);
    if (random.nextInt(8) == 0) {
      return r.setRejection(Protos.rejection(io.pachyderm.api.RejectionKind.INVALID_REQUEST, "no")).build();
    }
    // Replies of up to ~1 KB: the reply byte bound is reached before the reply count bound.
    r.addEvents(event("s" + sequence + "x".repeat(random.nextInt(1_000)))).setReplyFromState(random.nextBoolean());
    switch (random.nextInt(4)) {
      case 0 -> r.addMessages(OutMessage.newBuilder().setTo(Protos.ref(blob(random.nextInt(ENTITIES))))
          .setPayload(Protos.payload(TestBlob.TYPE.codec().encode(new TestBlob.Replace("m" + sequence)))));
      case 1 -> r.addEffects(Effect.newBuilder().setHandler("h").setAtLeastOnce(true)
          .setPayload(Protos.payload(TestBlob.TYPE.codec().encode(new TestBlob.Replace("e" + sequence)))));
      case 2 -> r.addTimers(TimerOp.newBuilder().setName("t" + random.nextInt(3)).setSchedule(TimerSchedule.newBuilder()
          .setTarget(Protos.ref(blob(random.nextInt(ENTITIES)))).setDueMs(sequence)
          .setPayload(Protos.payload(TestBlob.TYPE.codec().encode(new TestBlob.Replace("t" + sequence))))));
      default -> r.addTimers(TimerOp.newBuilder().setName("t" + random.nextInt(3)).setCancel(true));
    }
    return r.build();
  }

  private void deliverOldest(Replica heap, LogEntry.Builder entry, boolean[] touched) {
    Iterator<Map.Entry<Outbox.Id, PendingMessage>> it = heap.outbox().messages().iterator();
    if (!it.hasNext()) {
      return;
    }
    PendingMessage m = it.next().getValue();
    EntityKey target = Protos.key(m.getTarget());
    int e = Integer.parseInt(target.id().substring(1));
    if (touched[e]) {
      return;
    }
    touched[e] = true;
    Versioned v = heap.get(target);
    entry.addRecords(Record.newBuilder().setDelivery(Delivery.newBuilder().setSource(m.getSource()).setSeq(m.getSeq()))
        .setRef(m.getTarget()).setExpectedVersion(v == null ? 0 : v.version()).addEvents(event("d" + m.getSeq())));
  }

  private void fireOldest(Replica heap, LogEntry.Builder entry, boolean[] touched) {
    Iterator<Map.Entry<TimerKey, PendingTimer>> it = heap.outbox().timers().iterator();
    if (!it.hasNext()) {
      return;
    }
    PendingTimer t = it.next().getValue();
    EntityKey target = Protos.key(t.getTarget());
    int e = Integer.parseInt(target.id().substring(1));
    if (touched[e]) {
      return;
    }
    touched[e] = true;
    Versioned v = heap.get(target);
    entry.addRecords(Record.newBuilder().setTimerFire(TimerFire.newBuilder().setOwner(t.getOwner()).setName(t.getName())
        .setSeq(t.getSeq())).setRef(t.getTarget()).setExpectedVersion(v == null ? 0 : v.version())
        .addEvents(event("f" + t.getSeq())));
  }

  private void reportOldestEffect(Replica heap, LogEntry.Builder entry) {
    Iterator<Map.Entry<Outbox.Id, PendingEffect>> it = heap.outbox().effects().iterator();
    if (!it.hasNext()) {
      return;
    }
    PendingEffect effect = it.next().getValue();
    EffectReport.Builder report = EffectReport.newBuilder().setId(effect.getId());
    if (random.nextBoolean()) {
      report.setSucceeded(true);
    } else {
      report.setFailed(EffectFailure.newBuilder().setAttempt(effect.getAttempts() + 1).setError("down")
          .setDeadLetter(random.nextBoolean()).setTimestampMs(7));
    }
    entry.addEffectReports(report);
  }

  private void actOnOldestDeadLetter(Replica heap, LogEntry.Builder entry) {
    List<PendingEffect> dead = heap.outbox().deadLetters(1);
    if (dead.isEmpty()) {
      return;
    }
    DeadLetterAction.Builder action = DeadLetterAction.newBuilder().setId(dead.get(0).getId());
    entry.addDeadLetterActions(random.nextBoolean() ? action.setRedrive(true) : action.setDiscard(true));
  }

  private static io.pachyderm.protocol.Payload event(String content) {
    return Protos.payload(TestBlob.TYPE.codec().encode(new TestBlob.Replaced(content)));
  }

  private static EntityKey blob(int e) {
    return new EntityKey("default", "blob", "b" + e);
  }

  // ---- the replicas ----------------------------------------------------------------------------

  private BatchReply applyBoth(Replica heap, Replica disk, LogEntry entry) {
    index++;
    BatchReply onHeap = heap.apply(1, index, entry, false).reply();
    BatchReply onDisk = disk.apply(1, index, entry, false).reply();
    assertThat(onDisk).as("reply at index %s", index).isEqualTo(onHeap);
    assertAgree(heap, disk);
    int outcome = 0;
    for (Record r : entry.getRecordsList()) {
      if (r.hasRequestId()) {
        Outcome o = onHeap.getOutcomes(outcome++);
        if (!r.getLookupOnly()) {
          commands.putIfAbsent(RequestKey.of(r.getRequestId()), r);
          outcomes.putIfAbsent(RequestKey.of(r.getRequestId()), o);
        }
      }
    }
    return onDisk;
  }

  private void assertAgree(Replica heap, Replica other) {
    assertThat(other.digest()).as("digest at index %s", index).isEqualTo(heap.digest());
    assertThat(other.dedupEntries()).as("dedup entries at index %s", index).isEqualTo(heap.dedupEntries());
    // The newest ids and a sample of older ones: answered alike, or forgotten alike.
    for (int i = Math.max(0, issued.size() - 2 * DEDUP_ENTRIES_MAX); i < issued.size(); i++) {
      RequestKey k = RequestKey.of(issued.get(i));
      assertThat(other.remembered(k)).as("request %s at index %s", k, index).isEqualTo(heap.remembered(k));
    }
    assertThat(other.outbox().snapshotItems()).as("outbox at index %s", index).isEqualTo(heap.outbox().snapshotItems());
    assertThat(pumpsView(other.outbox())).as("the leader pumps' pages at index %s", index)
        .isEqualTo(pumpsView(heap.outbox()));
  }

  /**
   * What the leader's pumps read, three items a page so that pages part often: the messages and
   * effects in key order, the timers in due order.
   */
  private static List<Object> pumpsView(Outbox outbox) {
    List<Object> view = new ArrayList<>();
    // Bounded: each round reads a page or ends; the outbox holds fewer than 10,000 items here.
    Outbox.Id after = null;
    for (int round = 0; round < 10_000; round++) {
      List<Outbox.Id> page = outbox.messageIdsAfter(after, 3);
      view.addAll(page);
      if (page.size() < 3) {
        break;
      }
      after = page.get(2);
    }
    view.add("effects");
    after = null;
    for (int round = 0; round < 10_000; round++) {
      List<Outbox.Id> page = outbox.effectIdsAfter(after, 3);
      view.addAll(page);
      if (page.size() < 3) {
        break;
      }
      after = page.get(2);
    }
    view.add("timers");
    Outbox.DuePoint point = null;
    for (int round = 0; round < 10_000; round++) {
      List<PendingTimer> page = outbox.timersDueAfter(point, 3);
      for (PendingTimer t : page) {
        point = Outbox.DuePoint.of(t);
        view.add(point);
      }
      if (page.size() < 3) {
        break;
      }
    }
    return view;
  }

  /** The newest request whose command applied and which the table still remembers. */
  private RequestId newestApplied(Replica heap) {
    for (int i = issued.size() - 1; i >= 0; i--) {
      RequestKey k = RequestKey.of(issued.get(i));
      Outcome o = outcomes.get(k);
      if (o != null && o.hasApplied() && heap.remembered(k)) {
        return issued.get(i);
      }
    }
    throw new AssertionError("no applied command is still remembered");
  }

  private Replica checkpointAndRestart(Replica disk, RocksStateStore store) throws IOException {
    Path checkpoint = dir.resolve("checkpoint");
    store.checkpoint(checkpoint);
    Memory file = new Memory();
    disk.writeSnapshotBesideStore(file);
    assertThat(file.dedupEntries).as("the header counts the table").isEqualTo(disk.dedupEntries()).isPositive();
    assertThat(file.dedup).as("the file does not hold the table: the checkpoint does").isEmpty();
    assertThat(file.outboxItems).as("the header counts the outbox").isEqualTo(disk.outbox().itemCount()).isPositive();
    assertThat(file.outbox).as("the file does not hold the outbox: the checkpoint does").isEmpty();
    long digest = disk.digest();
    long entityDigest = disk.entityDigest();
    Map<String, Long> counts = disk.entitiesByEcosystem();
    store.close();

    RocksStateStore reopened = rocks("restarted");
    reopened.replaceWith(checkpoint);
    Replica restarted = new Replica("disk", TYPES, reopened, DEDUP_ENTRIES_MAX, LIMITS);
    assertThat(restarted.restoreBesideStore(file.source(null, null, null), entityDigest, counts, true, true)).isEqualTo(digest);
    assertThat(restarted.digest()).isEqualTo(digest);
    return restarted;
  }

  private RocksStateStore rocks(String name) throws IOException {
    RocksStateStore store = RocksStateStore.open(dir.resolve(name), TYPES, 64 << 10);
    open.add(store);
    return store;
  }

  /** A snapshot file in memory. */
  private static final class Memory implements ReplicaSnapshot.Sink {
    int dedupEntries;
    int outboxItems;
    boolean effectsPaused;
    final List<DedupSnapshot> dedup = new ArrayList<>();
    final List<OutboxItem> outbox = new ArrayList<>();

    @Override
    public void begin(int entities, int dedupEntries, int outboxItems, long digest, boolean effectsPaused) {
      this.dedupEntries = dedupEntries;
      this.outboxItems = outboxItems;
      this.effectsPaused = effectsPaused;
    }

    @Override
    public void entity(EntitySnapshot entity) {
      throw new AssertionError("a DISK replica's snapshot file holds no entities");
    }

    @Override
    public void dedup(DedupSnapshot entry) {
      dedup.add(entry);
    }

    @Override
    public void outbox(OutboxItem item) {
      outbox.add(item);
    }

    /** @param entities null: none; @param dedupFromCheckpoint null: the file's; @param outboxFromCheckpoint null: the file's */
    ReplicaSnapshot.Source source(Iterator<EntitySnapshot> entities, Iterator<DedupSnapshot> dedupFromCheckpoint,
                                  Iterator<OutboxItem> outboxFromCheckpoint) {
      Iterator<DedupSnapshot> d = dedupFromCheckpoint != null ? dedupFromCheckpoint : dedup.iterator();
      Iterator<OutboxItem> o = outboxFromCheckpoint != null ? outboxFromCheckpoint : new ArrayDeque<>(outbox).iterator();
      return new ReplicaSnapshot.Source() {
        @Override
        public EntitySnapshot nextEntity() {
          return entities != null && entities.hasNext() ? entities.next() : null;
        }

        @Override
        public DedupSnapshot nextDedup() {
          return d.hasNext() ? d.next() : null;
        }

        @Override
        public OutboxItem nextOutbox() {
          return o.hasNext() ? o.next() : null;
        }

        @Override
        public boolean effectsPaused() {
          return effectsPaused;
        }
      };
    }
  }
}
