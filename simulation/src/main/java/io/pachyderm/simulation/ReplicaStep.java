package io.pachyderm.simulation;

import io.pachyderm.api.RejectionKind;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.Delivery;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.OutboxCounter;
import io.pachyderm.protocol.OutboxItem;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Protos.RequestKey;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.RequestId;
import io.pachyderm.protocol.TimerFire;
import io.pachyderm.replica.Decider;
import io.pachyderm.replica.HeapStateStore;
import io.pachyderm.replica.Outbox;
import io.pachyderm.replica.Replica;
import io.pachyderm.replica.ReplicatedTableLimits;
import io.pachyderm.replica.Versioned;
import io.pachyderm.replica.WorkItem;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.util.List;
import java.util.Set;

/**
 * One delivery as the node runs it: the node's leader step ({@link Decider}) turns the item into
 * a log entry, the node's {@link Replica} applies it. The rules (version check, de-duplication,
 * the outbox's per-pair FIFO, timer replace and remove, effect sequence numbers) are theirs; this
 * class only loads the part of the world the entry can touch into a fresh replica and reads the
 * replica's state back.
 *
 * <p>Why the replica is cleared and loaded per step rather than living with the world: worlds are
 * immutable (the explorer goes back to any of them), a replica is not. A step touches exactly the
 * receiving entity, its outbox counter and timers, the delivered message with the rest of its
 * (sender, receiver) queue, and the fired timer; loading those is what the replica would read of a
 * whole world, without copying the whole world per step. The replica itself (its store, outbox
 * and tables) is made once per thread and types and cleared before each step: building one per
 * step cost as much as the small entry it applied. It keeps no digest ({@link
 * Replica#withoutDigest}): nothing compares simulated replicas, and the SHA-256 of every changed
 * item was the largest part of a step's apply.
 */
final class ReplicaStep {
  /** Names the simulated node in the replica's messages. */
  static final String NODE_ID = "simulation";
  /** The node's defaults (NodeLimits): 1 MiB per record, 8 MiB per log entry. */
  static final int RECORD_BYTES_MAX = 1 << 20;
  static final int ENTRY_BYTES_MAX = 8 << 20;
  /** The client half of the request ids of simulated calls; the in-flight id is the sequence number. */
  private static final long CLIENT_HI = 0x73696D756C617465L;
  /** A step's replica applies one entry, so its de-duplication table holds at most one request. */
  private static final int DEDUP_ENTRIES_MAX = 1;

  private ReplicaStep() {}

  /**
   * What one delivery did: the record the leader decided, the entity before and after, the
   * replica's outbox after the entry, and the entry's own view of it.
   *
   * @param speculated the state {@code handle} produced on the leader (null when it applied no events)
   * @param applied the entity's applied state after the entry (null when it has none)
   * @param outcome the client command's outcome (null for a delivery or timer)
   */
  record Ran(Record record, Versioned speculated, Versioned applied, io.pachyderm.protocol.Outcome outcome,
             io.pachyderm.replica.Applied entryApplied, Outbox outbox, boolean randomDrawn) {
    /** The rejection the record or the replica gave, or null when the item applied. */
    io.pachyderm.protocol.Rejection rejection() {
      if (record.hasRejection()) {
        return record.getRejection();
      }
      return outcome != null && outcome.hasRejected() ? outcome.getRejected() : null;
    }

    RejectionKind rejectionKind() {
      return Protos.kind(rejection().getKind());
    }
  }

  /**
   * Decides and applies {@code item} against {@code w} at {@code clockMs}.
   *
   * @throws io.pachyderm.runtime.EventFolder.EventApplyException when the decided events do not
   *     apply on the replica (a non-deterministic or codec-unsafe entity)
   * @throws IllegalStateException when the replica does not take an item the scheduler offered: a
   *     bug in the scheduler, never in the entity
   */
  static Ran run(World w, InFlight item, Rules rules, long clockMs) {
    EntityKey key = item.to();
    Scratch scratch = Scratch.of(w.types(), rules.effectHandlers());
    Replica replica = scratch.replica;
    HeapStateStore store = scratch.store;
    replica.clear();
    Outbox outbox = replica.outbox();
    load(w, item, rules, store, outbox);
    Decider decider = scratch.decider;
    Speculation speculation = new Speculation(replica);
    List<WorkItem> work = WorkItem.of(batch(item), outbox);
    // Decider.entry() of a one-item batch is this item's record: a record is at most
    // RECORD_BYTES_MAX, an eighth of the entry's limit, so entry() would never defer it. decide()
    // also says whether handle drew randomness, which the world's identity needs (World.fingerprint).
    WorkItem only = work.get(0);
    Decider.Decided decided = decider.decide(only, speculation, clockMs);
    if (decided.next() != null) {
      speculation.speculate(only.key(), decided.next());
    }
    LogEntry entry = LogEntry.newBuilder().addRecords(decided.record()).build();
    // Term 1, the item's id as the index: the simulation is one leader, and nothing reads either back.
    io.pachyderm.replica.Applied applied = replica.apply(1, item.id(), entry, true);
    Record record = entry.getRecords(0);
    io.pachyderm.protocol.Outcome outcome = null;
    if (item.kind() == InFlight.Kind.COMMAND) {
      outcome = applied.reply().getOutcomes(0);
      if (outcome.hasConflict()) {
        throw new IllegalStateException("the replica found a version conflict for " + item.describe()
            + ", decided on its own applied state: " + outcome);
      }
    } else {
      io.pachyderm.protocol.WorkStatus status = applied.reply().getWork(0);
      if (status != io.pachyderm.protocol.WorkStatus.DONE) {
        throw new IllegalStateException("the replica answered " + status + " to " + item.describe()
            + ", which the scheduler offered as deliverable");
      }
    }
    Versioned speculated = record.getEventsCount() > 0 ? speculation.next : null;
    return new Ran(record, speculated, store.get(key), outcome, applied, outbox, decided.randomDrawn());
  }

  /** The replicated state the entry may read: the receiver, its counter and timers, the message's queue, the timer. */
  private static void load(World w, InFlight item, Rules rules, HeapStateStore store, Outbox outbox) {
    EntityKey key = item.to();
    World.Slot slot = w.entitiesMap().get(key);
    if (slot != null && slot.version() > 0) {
      store.put(key, new Versioned(slot.state(), slot.version(), 0));
    }
    long lastSeq = w.outboxSeq(key);
    if (lastSeq > 0) {
      outbox.restore(OutboxItem.newBuilder().setCounter(OutboxCounter.newBuilder().setRef(Protos.ref(key))
          .setLastSeq(lastSeq)).build());
    }
    for (InFlight t : w.timersMap().values()) {
      if (t.from().equals(key) || t.equals(item)) {
        outbox.putTimer(new TimerKey(t.from(), t.timerName()), pendingTimer(t));
      }
    }
    if (item.kind() != InFlight.Kind.MESSAGE) {
      return;
    }
    if (rules.reorder()) {
      // A fault the cluster never makes: the message overtakes the older ones of its pair, so the
      // replica is shown only this one (it would answer RETRY otherwise, as a node must).
      outbox.addMessage(pendingMessage(item));
      return;
    }
    for (InFlight m : w.inFlight()) {
      if (m.kind() == InFlight.Kind.MESSAGE && m.from().equals(item.from()) && m.to().equals(item.to())) {
        outbox.addMessage(pendingMessage(m));
      }
    }
  }

  /** The batch a node's leader would propose for the item (a client's batch, or its own work). */
  private static CommandBatch batch(InFlight item) {
    CommandBatch.Builder batch = CommandBatch.newBuilder();
    switch (item.kind()) {
      case COMMAND -> batch.addCommands(Command.newBuilder()
          .setRequestId(RequestId.newBuilder().setClientHi(CLIENT_HI).setSequence(item.id()))
          .setRef(Protos.ref(item.to())).setPayload(Protos.payload(item.command())).setReplyWanted(true));
      case MESSAGE -> batch.addDeliveries(Delivery.newBuilder().setSource(Protos.ref(item.from())).setSeq(item.seq()));
      case TIMER -> batch.addTimerFires(TimerFire.newBuilder().setOwner(Protos.ref(item.from()))
          .setName(item.timerName()).setSeq(item.seq()));
    }
    return batch.build();
  }

  static PendingMessage pendingMessage(InFlight m) {
    return PendingMessage.newBuilder().setSource(Protos.ref(m.from())).setSeq(m.seq()).setTarget(Protos.ref(m.to()))
        .setPayload(Protos.payload(m.command())).build();
  }

  static PendingTimer pendingTimer(InFlight t) {
    return PendingTimer.newBuilder().setOwner(Protos.ref(t.from())).setName(t.timerName()).setSeq(t.seq())
        .setTarget(Protos.ref(t.to())).setPayload(Protos.payload(t.command())).setDueMs(t.dueMs()).build();
  }

  static InFlight message(long id, PendingMessage m) {
    return new InFlight(id, InFlight.Kind.MESSAGE, Protos.key(m.getSource()), Protos.key(m.getTarget()),
        Protos.encoded(m.getPayload()), null, 0, m.getSeq());
  }

  static InFlight timer(long id, PendingTimer t) {
    return new InFlight(id, InFlight.Kind.TIMER, Protos.key(t.getOwner()), Protos.key(t.getTarget()),
        Protos.encoded(t.getPayload()), t.getName(), t.getDueMs(), t.getSeq());
  }

  /**
   * The replica, its store and the decider one thread's steps share for one set of types and
   * effect handlers: {@link #run} clears the replica before loading a step's items, so nothing of
   * one step reaches the next. Per thread because a replica is written by one thread at a time;
   * steps never nest (a handler cannot call the simulation back).
   */
  private static final class Scratch {
    private static final ThreadLocal<Scratch> CURRENT = new ThreadLocal<>();

    final EntityTypes types;
    final Set<String> handlers;
    final HeapStateStore store = new HeapStateStore();
    final Replica replica;
    final Decider decider;

    private Scratch(EntityTypes types, Set<String> handlers) {
      this.types = types;
      this.handlers = handlers;
      this.replica = Replica.withoutDigest(NODE_ID, types, store, DEDUP_ENTRIES_MAX, ReplicatedTableLimits.DEFAULT);
      this.decider = new Decider(NODE_ID, types, name -> handlers == null || handlers.contains(name),
          RECORD_BYTES_MAX, ENTRY_BYTES_MAX);
    }

    /** This thread's scratch for {@code types} and {@code handlers} (null: any handler), made anew when they change. */
    static Scratch of(EntityTypes types, Set<String> handlers) {
      Scratch s = CURRENT.get();
      if (s == null || s.types != types || !java.util.Objects.equals(s.handlers, handlers)) {
        s = new Scratch(types, handlers);
        CURRENT.set(s);
      }
      return s;
    }
  }

  /**
   * The leader's working state for a one-item entry: the applied state, then the state {@code
   * handle} produced for the item's entity, kept for the leader-versus-replica check.
   */
  private static final class Speculation implements Decider.WorkingState {
    private final Replica replica;
    private EntityKey nextKey;
    Versioned next;

    Speculation(Replica replica) {
      this.replica = replica;
    }

    @Override
    public Versioned get(EntityKey key) {
      return key.equals(nextKey) ? next : replica.get(key);
    }

    @Override
    public void speculate(EntityKey key, Versioned state) {
      nextKey = key;
      next = state;
    }

    @Override
    public void forget(EntityKey key) {
      if (key.equals(nextKey)) {
        nextKey = null;
        next = null;
      }
    }

    @Override
    public boolean remembered(RequestKey request) {
      return replica.remembered(request);
    }
  }
}
