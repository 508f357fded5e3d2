package io.pachyderm.replica;

import io.pachyderm.entity.EntityTypes;
import io.pachyderm.protocol.AdminAction;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.DeadLetterAction;
import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.EffectFailure;
import io.pachyderm.protocol.EffectReport;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.OutboxItem;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.Protos.RequestKey;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.WorkStatus;
import io.pachyderm.runtime.EntityKey;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * The replicated state machine's rules with no IO (DESIGN.md section 2): per record, answer
 * duplicates from the de-duplication table, check {@code expected_version}, fold the events, add
 * messages, effects and timers to the outbox (per-pair FIFO, timer replace and remove), remember
 * the outcome. {@link #apply} returns what the entry did as an {@link Applied}; the caller journals,
 * dispatches and answers. Everything here is a function of the log: no clock, no randomness, no
 * iteration of an unordered map into output.
 *
 * <p>Domain errors become outcomes. A record that cannot be applied on a replica (unknown entity
 * type, an admin action without an action, an undecodable event) is a broken invariant: it throws
 * {@link IllegalStateException} naming node and entry, and the caller must stop this replica.
 *
 * <p>Thread-safety: {@link #apply}, {@link #restore}, {@link #writeSnapshot} and {@link #clear} on
 * one thread (the apply thread); {@link #get}, {@link #remembered}, {@link #outbox()}'s reads and the
 * counters from any thread. {@link #digest()} on the apply thread.
 *
 * <p>The parts: this class applies entries (the admin action, effect reports and dead-letter
 * actions itself) and answers reads; {@link RecordApplier} applies the records that change
 * entities; {@link ReplicaSnapshots} writes and restores snapshots.
 */
public final class Replica {
  private final String nodeId;
  private final StateStore store;
  private final Dedup dedup;
  private final ReplicatedBounds bounds;
  private final Outbox outbox;
  /** Whether {@link Applied#journalRecords()} are built: a node without a journal needs none. */
  private final boolean journaled;
  /** Whether the {@link ReplicaDigest} is kept: off only for {@link #withoutDigest} replicas. */
  private final boolean digested;
  /** Replicated (an {@link AdminAction} in the log, kept in snapshots); volatile for status. */
  private volatile boolean effectsPaused;
  /** Client commands, deliveries and timer fires; the entities' digest and the counters. */
  private final RecordApplier records;
  private final ReplicaSnapshots snapshots;

  /**
   * @param nodeId names this replica in broken-invariant errors
   * @param dedupEntriesMax request ids remembered for de-duplication (oldest evicted first)
   * @param tables the byte and count bounds of the replicated tables; the same on every replica
   */
  public Replica(String nodeId, EntityTypes types, StateStore store, int dedupEntriesMax,
                 ReplicatedTableLimits tables) {
    this(nodeId, types, store, dedupEntriesMax, tables, true);
  }

  /** @param journaled false when nothing keeps the journal records: {@link Applied} then carries none */
  public Replica(String nodeId, EntityTypes types, StateStore store, int dedupEntriesMax,
                 ReplicatedTableLimits tables, boolean journaled) {
    this(nodeId, types, store, dedupEntriesMax, tables, journaled, true);
  }

  Replica(String nodeId, EntityTypes types, StateStore store, int dedupEntriesMax, ReplicatedTableLimits tables,
          boolean journaled, boolean versionCheck) {
    this(nodeId, types, store, dedupEntriesMax, tables, journaled, versionCheck, true);
  }

  private Replica(String nodeId, EntityTypes types, StateStore store, int dedupEntriesMax,
                  ReplicatedTableLimits tables, boolean journaled, boolean versionCheck, boolean digested) {
    this.nodeId = Objects.requireNonNull(nodeId, "node id");
    this.store = Objects.requireNonNull(store, "state store");
    // A disk store keeps the table in its own tables, committed with each entry (and checkpointed); a heap store has no tables.
    this.dedup = store.tables() != null
        ? new DiskDedupTable(store.tables(), dedupEntriesMax, tables, digested)
        : new DedupTable(dedupEntriesMax, tables, digested);
    this.bounds = new ReplicatedBounds(tables);
    this.outbox = store.tables() != null ? new Outbox(store.tables(), digested) : new Outbox(digested);
    this.journaled = journaled;
    this.digested = digested;
    this.records = new RecordApplier(nodeId, Objects.requireNonNull(types, "types"), store, dedup, bounds, outbox,
        versionCheck, digested);
    this.snapshots = new ReplicaSnapshots(this, nodeId, types, store, dedup, bounds, outbox, records);
  }

  /**
   * A replica that keeps no {@link ReplicaDigest} and builds no journal records, for a caller
   * that compares no replicas and keeps no journal: the simulation, which loads a few items into
   * a cleared replica and applies one entry per step. The digest hashes every changed item with
   * SHA-256 (and encodes every folded state for it), the larger part of applying a small entry.
   * Same rules, same {@link Applied} otherwise; {@link #digest()} and {@link #writeSnapshot} throw.
   */
  public static Replica withoutDigest(String nodeId, EntityTypes types, StateStore store, int dedupEntriesMax,
                                      ReplicatedTableLimits tables) {
    return new Replica(nodeId, types, store, dedupEntriesMax, tables, false, true, false);
  }

  // ---- applying entries (apply thread) ------------------------------------------------------

  /**
   * Applies entry {@code (term, index)} and returns what it did.
   *
   * @param appendedHere whether this node's leader appended the entry: only then are at-most-once
   *     effects dispatched and leader speculation dropped (no other node has either)
   */
  public Applied apply(long term, long index, LogEntry entry, boolean appendedHere) {
    EntryRun run = new EntryRun(term, index, appendedHere, journaled);
    // Every replica builds the full reply, not only the leader that appended the entry: Ratis
    // replicates the client and call ids with the entry, and a client retrying after a leader
    // change is answered from the new leader's retry cache with whatever this returned.
    BatchReply.Builder reply = BatchReply.newBuilder();
    for (Record record : entry.getRecordsList()) {
      if (record.hasDelivery()) {
        reply.addWork(records.applyDelivery(record, run));
      } else if (record.hasTimerFire()) {
        reply.addWork(records.applyTimerFire(record, run));
      } else {
        Outcome outcome = records.applyCommand(record, run);
        reply.addOutcomes(outcome);
        if (!record.getLookupOnly()) {
          run.commandOutcome(record.getRef(), outcome);
        }
      }
    }
    for (EffectReport report : entry.getEffectReportsList()) {
      reply.addWork(applyEffectReport(report));
    }
    for (DeadLetterAction action : entry.getDeadLetterActionsList()) {
      reply.addWork(applyDeadLetterAction(action, run));
    }
    if (entry.hasAdminAction()) {
      reply.addWork(applyAdminAction(entry.getAdminAction(), run));
    }
    dedup.expire(index);
    // One atomic store write per entry: a disk store never holds half an entry's states (nor tables).
    dedup.beforeCommit();
    outbox.beforeCommit();
    store.commit(index);
    return run.applied(reply.build(), entry.getRecordsCount());
  }


  private WorkStatus applyEffectReport(EffectReport report) {
    Outbox.Id id = Outbox.Id.of(report.getId());
    PendingEffect effect = outbox.effect(id);
    if (effect == null) {
      return WorkStatus.GONE;
    }
    if (report.hasFailed()) {
      EffectFailure failure = report.getFailed();
      if (failure.getAttempt() <= effect.getAttempts()) {
        return WorkStatus.GONE; // a late report of an attempt already counted
      }
      PendingEffect updated = effect.toBuilder().setAttempts(failure.getAttempt()).setLastError(failure.getError())
          .build();
      if (failure.getDeadLetter()) {
        outbox.removeEffect(id);
        outbox.putDeadLetter(id, updated.toBuilder().setDeadAtMs(failure.getTimestampMs()).build());
      } else {
        outbox.putEffect(id, updated);
      }
      return WorkStatus.DONE;
    }
    outbox.removeEffect(id);
    return WorkStatus.DONE;
  }

  private WorkStatus applyDeadLetterAction(DeadLetterAction action, EntryRun run) {
    Outbox.Id id = Outbox.Id.of(action.getId());
    PendingEffect dead = outbox.deadLetter(id);
    if (dead == null) {
      return WorkStatus.GONE;
    }
    outbox.removeDeadLetter(id);
    if (action.getRedrive()) {
      outbox.putEffect(id, dead.toBuilder().setAttempts(0).clearDeadAtMs().build());
      run.effectAdded(id);
    }
    return WorkStatus.DONE;
  }

  /**
   * DONE when the action changed the setting, GONE when it already held (a retry, or a second
   * operator). Deterministic: a function of the entry and the applied setting only.
   */
  private WorkStatus applyAdminAction(AdminAction action, EntryRun run) {
    boolean pause = switch (action.getActionCase()) {
      case PAUSE_EFFECTS -> true;
      case RESUME_EFFECTS -> false;
      // The leader refuses an empty action before it reaches the log; an entry holding one was
      // written by something else, and skipping it here could leave replicas apart.
      case ACTION_NOT_SET -> throw new IllegalStateException(nodeId + ": entry " + run.where()
          + " holds an admin action without an action");
    };
    if (pause == effectsPaused) {
      return WorkStatus.GONE;
    }
    effectsPaused = pause;
    run.effectsPausedSet(pause);
    return WorkStatus.DONE;
  }

  // ---- reads (any thread) ---------------------------------------------------------------------

  /** The applied state of {@code key}, or null when the entity has none. */
  public Versioned get(EntityKey key) {
    return store.get(key);
  }

  /**
   * Whether the de-duplication table holds {@code request}; any thread. A request being remembered
   * by the apply thread at that moment may be missed (see {@link Dedup#holds}).
   */
  public boolean remembered(RequestKey request) {
    return dedup.holds(request);
  }

  /** The replicated outbox: read it from any thread; only this replica writes it. */
  public Outbox outbox() {
    return outbox;
  }

  /** Every entity key held, in key order. */
  public java.util.List<EntityKey> keys() {
    return store.keysInOrder();
  }

  public int entities() {
    return store.size();
  }

  public int dedupEntries() {
    return dedup.size();
  }

  public boolean effectsPaused() {
    return effectsPaused;
  }

  /** Records that expected another version than the applied one, since start. */
  public long conflicts() {
    return records.conflicts();
  }

  public long messagesDelivered() {
    return records.messagesDelivered();
  }

  /** Messages their receiver rejected (consumed, nothing applied), since start. */
  public long messagesRejected() {
    return records.messagesRejected();
  }

  public long timersFired() {
    return records.timersFired();
  }

  /** The {@link ReplicaDigest} of the replicated state now. Apply thread (or before the node runs). */
  public long digest() {
    requireDigest("digest");
    return records.entityDigest() + dedup.digest() + outbox.digest() + (effectsPaused ? ReplicaDigest.effectsPaused() : 0);
  }

  /** Sets the replicated pause of effects: a snapshot's, as it is restored. */
  void effectsPaused(boolean paused) {
    effectsPaused = paused;
  }

  void requireDigest(String what) {
    if (!digested) {
      throw new IllegalStateException(nodeId + ": a replica made withoutDigest() keeps no digest, so it has no " + what);
    }
  }

  // ---- snapshots (apply thread) ------------------------------------------------------------------

  /** Writes the replicated state to {@code sink}, in the order that makes equal states equal bytes. */
  public void writeSnapshot(ReplicaSnapshot.Sink sink) throws IOException {
    snapshots.writeSnapshot(sink);
  }

  /**
   * Replaces the replicated state with {@code source}'s. Returns the digest of the contents as
   * read, for the caller to compare with the one the snapshot recorded; only then is the
   * de-duplication table trimmed to this replica's bounds (a snapshot from before the byte bounds,
   * or from a node with larger ones).
   */
  public long restore(ReplicaSnapshot.Source source) throws IOException {
    return snapshots.restore(source);
  }

  /**
   * Writes everything but the entities (and, when {@link #dedupInStore}, the de-duplication table;
   * when {@link #outboxInStore}, the outbox) to {@code sink}: a disk store's checkpoint holds them, and
   * {@link #entityDigest()} and {@link #entitiesByEcosystem()} say what a load needs of them.
   * {@link ReplicaSnapshot.Sink#begin} still gets the entity count and the whole digest.
   */
  public void writeSnapshotBesideStore(ReplicaSnapshot.Sink sink) throws IOException {
    snapshots.writeSnapshotBesideStore(sink);
  }

  /** Whether the de-duplication table lives in the state store: a checkpoint of it holds the table. */
  public boolean dedupInStore() {
    return dedup.inStore();
  }

  /** Whether the outbox lives in the state store: a checkpoint of it holds the outbox. */
  public boolean outboxInStore() {
    return outbox.inStore();
  }

  /** The entities' part of {@link #digest()}. Apply thread. */
  public long entityDigest() {
    return records.entityDigest();
  }

  /** Entities per ecosystem (what the quota counts), in ecosystem order. Apply thread. */
  public java.util.SortedMap<String, Long> entitiesByEcosystem() {
    return bounds.entitiesByEcosystem();
  }

  /**
   * Replaces the replicated state but the entities with {@code source}'s, when the store already
   * holds the snapshot's entities (a disk store opened on its checkpoint): {@code source} has no
   * entity records, and the entities' digest and counts come from the snapshot. Returns the
   * digest of the contents as read, as {@link #restore} does.
   *
   * @param dedupInStore the checkpoint holds the de-duplication table (the file does not)
   * @param outboxInStore the checkpoint holds the outbox (the file does not)
   */
  public long restoreBesideStore(ReplicaSnapshot.Source source, long entityDigest,
                                 java.util.Map<String, Long> entitiesByEcosystem, boolean dedupInStore,
                                 boolean outboxInStore) throws IOException {
    return snapshots.restoreBesideStore(source, entityDigest, entitiesByEcosystem, dedupInStore, outboxInStore);
  }

  /**
   * The de-duplication entries a DISK node's checkpoint holds in {@code tables} (a store opened on
   * it), oldest first: what a HEAP node loading that checkpoint restores from.
   */
  public static List<DedupSnapshot> dedupOfCheckpoint(StoreTables tables) {
    List<DedupSnapshot> entries = new java.util.ArrayList<>();
    DiskDedupTable.forEachIn(tables, entries::add);
    return entries;
  }

  /**
   * The outbox records a DISK node's checkpoint holds in {@code tables} (a store opened on it), in
   * snapshot order: what a HEAP node loading that checkpoint restores from.
   */
  public static List<OutboxItem> outboxOfCheckpoint(StoreTables tables) {
    List<OutboxItem> items = new java.util.ArrayList<>();
    Outbox.forEachItemIn(tables, items::add);
    return items;
  }

  /** Empties the replicated state (no snapshot to load). */
  public void clear() {
    store.clear();
    bounds.clear();
    records.entityDigest(0);
    dedup.clear();
    outbox.clear();
    effectsPaused = false;
  }
}
