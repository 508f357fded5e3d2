package io.pachyderm.replica;

import io.pachyderm.api.RejectionKind;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.protocol.AdminAction;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.Conflict;
import io.pachyderm.protocol.DeadLetterAction;
import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.EffectFailure;
import io.pachyderm.protocol.EffectReport;
import io.pachyderm.protocol.EntitySnapshot;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.OutboxItem;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Protos.RequestKey;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.TimerFire;
import io.pachyderm.protocol.WorkStatus;
import io.pachyderm.runtime.CommandExecutor;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

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
 */
public final class Replica {
  private final String nodeId;
  private final EntityTypes types;
  private final StateStore store;
  private final Dedup dedup;
  private final ReplicatedBounds bounds;
  private final Outbox outbox;
  /** The seeded replica test plants a missing version check here, to show that its checks catch one. */
  private final boolean versionCheck;
  /** Whether {@link Applied#journalRecords()} are built: a node without a journal needs none. */
  private final boolean journaled;
  /** Whether the {@link ReplicaDigest} is kept: off only for {@link #withoutDigest} replicas. */
  private final boolean digested;
  /** The entities' part of the {@link ReplicaDigest}; apply thread only. */
  private long entityDigest;
  /** Replicated (an {@link AdminAction} in the log, kept in snapshots); volatile for status. */
  private volatile boolean effectsPaused;
  private final AtomicLong conflicts = new AtomicLong();
  private final AtomicLong messagesDelivered = new AtomicLong();
  private final AtomicLong messagesRejected = new AtomicLong();
  private final AtomicLong timersFired = new AtomicLong();
  /**
   * Entities loaded from a snapshot per store commit: a disk store buffers a commit's writes in one
   * batch, so a million-entity snapshot must not become one batch. Nothing depends on the
   * boundaries: a crash while loading starts the load again from the snapshot.
   */
  private static final int RESTORE_COMMIT_ENTITIES = 10_000;

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
    this.types = Objects.requireNonNull(types, "types");
    this.store = Objects.requireNonNull(store, "state store");
    // A disk store keeps the table in its own per-entry batch (and checkpoints); a heap store has no tables.
    this.dedup = store.tables() != null
        ? new DiskDedupTable(store.tables(), dedupEntriesMax, tables, digested)
        : new DedupTable(dedupEntriesMax, tables, digested);
    this.bounds = new ReplicatedBounds(tables);
    this.outbox = store.tables() != null ? new Outbox(store.tables(), digested) : new Outbox(digested);
    this.versionCheck = versionCheck;
    this.journaled = journaled;
    this.digested = digested;
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
        reply.addWork(applyDelivery(record, run));
      } else if (record.hasTimerFire()) {
        reply.addWork(applyTimerFire(record, run));
      } else {
        Outcome outcome = applyCommand(record, run);
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

  private Outcome applyCommand(Record record, EntryRun run) {
    RequestKey requestKey = RequestKey.of(record.getRequestId());
    Outcome known = dedup.get(requestKey);
    if (known != null) {
      return known;
    }
    Outcome.Builder outcome = Outcome.newBuilder().setRequestId(record.getRequestId());
    if (record.getDeferred()) {
      return outcome.setConflict(Conflict.getDefaultInstance()).build();
    }
    if (record.getLookupOnly()) {
      // Evicted between the leader's lookup and now: the old outcome is gone for good.
      return outcome.setRejected(Protos.rejection(RejectionKind.INVALID_REQUEST, "request "
          + requestKey + " was applied before but has left the de-duplication window")).build();
    }
    if (record.hasRejection()) {
      Outcome rejected = outcome.setRejected(record.getRejection()).build();
      dedup.remember(requestKey, rejected, run.index());
      return rejected;
    }
    EntityKey key = Protos.key(record.getRef());
    EntityType<?, ?, ?> type = requireType(key, run);
    Versioned current = store.get(key);
    if (isConflict(record, current, key, run)) {
      return outcome.setConflict(Conflict.newBuilder().setExpectedVersion(record.getExpectedVersion())
          .setActualVersion(current == null ? 0 : current.version())).build();
    }
    String refusal = bounds.refusal(record, key, current == null && record.getEventsCount() > 0,
        outbox.pendingItems(), name -> outbox.timer(new TimerKey(key, name)) != null);
    if (refusal != null) {
      run.dropSpeculation(key);
      Outcome refused = outcome.setRejected(Protos.rejection(RejectionKind.LIMIT_EXCEEDED, refusal)).build();
      dedup.remember(requestKey, refused, run.index());
      return refused;
    }
    Commit.Committed committed = commit(record, key, type, current, run);
    io.pachyderm.protocol.Applied.Builder applied = io.pachyderm.protocol.Applied.newBuilder()
        .setVersion(committed.version());
    if (record.getReplyFromState()) {
      applied.setReply(Protos.payload(stateAfter(key, type, committed))).setReplyIsState(true);
    } else if (record.hasReply()) {
      applied.setReply(record.getReply()).setReplyIsState(record.getReplyIsState());
    }
    Outcome result = outcome.setApplied(applied).build();
    dedup.remember(requestKey, result, run.index());
    return result;
  }

  /**
   * Exactly once: the message leaves the outbox in the same entry that applies its events, and a
   * delivery is accepted only while {@code (source, seq)} is pending and is the oldest pending
   * message from that source to that target.
   */
  private WorkStatus applyDelivery(Record record, EntryRun run) {
    Outbox.Id id = new Outbox.Id(Protos.key(record.getDelivery().getSource()), record.getDelivery().getSeq());
    PendingMessage message = outbox.message(id);
    EntityKey key = Protos.key(record.getRef());
    if (message == null) {
      run.dropSpeculation(key);
      return WorkStatus.GONE;
    }
    if (record.getDeferred() || record.getLookupOnly() || !outbox.isNextOfItsPair(id, message)) {
      run.dropSpeculation(key);
      return WorkStatus.RETRY;
    }
    if (record.hasRejection()) {
      // The receiver refused it (or its handler threw): the message is consumed, nothing applied.
      outbox.removeMessage(id, message);
      messagesRejected.incrementAndGet();
      run.refused("message " + id, key, record.getRejection().getMessage());
      return WorkStatus.DONE;
    }
    EntityType<?, ?, ?> type = requireType(key, run);
    Versioned current = store.get(key);
    if (isConflict(record, current, key, run)) {
      return WorkStatus.RETRY;
    }
    outbox.removeMessage(id, message);
    commit(record, key, type, current, run);
    messagesDelivered.incrementAndGet();
    return WorkStatus.DONE;
  }

  /** Exactly once: the timer is removed in the entry that applies its command's events. */
  private WorkStatus applyTimerFire(Record record, EntryRun run) {
    TimerFire fire = record.getTimerFire();
    TimerKey timerKey = new TimerKey(Protos.key(fire.getOwner()), fire.getName());
    PendingTimer timer = outbox.timer(timerKey);
    EntityKey key = Protos.key(record.getRef());
    if (timer == null || timer.getSeq() != fire.getSeq()) {
      run.dropSpeculation(key);
      return WorkStatus.GONE;
    }
    if (record.getDeferred() || record.getLookupOnly()) {
      run.dropSpeculation(key);
      return WorkStatus.RETRY;
    }
    if (record.hasRejection()) {
      outbox.removeTimer(timerKey);
      timersFired.incrementAndGet();
      run.refused("timer '" + fire.getName() + "' of " + timerKey.owner(), key, record.getRejection().getMessage());
      return WorkStatus.DONE;
    }
    EntityType<?, ?, ?> type = requireType(key, run);
    Versioned current = store.get(key);
    if (isConflict(record, current, key, run)) {
      return WorkStatus.RETRY;
    }
    // Removed before the command's own timer operations, so that it can schedule the same name again.
    outbox.removeTimer(timerKey);
    commit(record, key, type, current, run);
    timersFired.incrementAndGet();
    return WorkStatus.DONE;
  }

  /** Whether the record expected another version than {@code current}'s; counts it and drops stale speculation. */
  private boolean isConflict(Record record, Versioned current, EntityKey key, EntryRun run) {
    long version = current == null ? 0 : current.version();
    if (record.getExpectedVersion() == version || !versionCheck) {
      return false;
    }
    conflicts.incrementAndGet();
    run.dropSpeculation(key);
    return true;
  }

  private EntityType<?, ?, ?> requireType(EntityKey key, EntryRun run) {
    EntityType<?, ?, ?> type = types.find(key.type());
    if (type == null) {
      throw new IllegalStateException(nodeId + ": entry " + run.where() + " holds events of entity type '"
          + key.type() + "' which this node does not have; registered: " + types.names());
    }
    return type;
  }

  /**
   * The encoding of {@code key}'s applied state, as the leader encoded it for the default reply:
   * reuses the encoding {@link #commit} just made for the digest when it folded events.
   */
  private Encoded stateAfter(EntityKey key, EntityType<?, ?, ?> type, Commit.Committed committed) {
    if (committed.encodedState() != null) {
      return committed.encodedState();
    }
    Versioned v = store.get(key);
    return type.codec().encode(v == null ? CommandExecutor.initialState(type, key.id()) : v.state());
  }

  private Commit.Committed commit(Record record, EntityKey key, EntityType<?, ?, ?> type, Versioned current,
                                  EntryRun run) {
    Commit.Committed committed = Commit.commit(record, key, type, current, run, outbox, digested);
    if (committed.next() != null) {
      entityDigest += committed.next().digest() - (current == null ? 0 : current.digest());
      if (store.put(key, committed.next(), committed.encodedState()) == null) {
        bounds.entityAdded(key);
      }
    }
    return committed;
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

  /** Whether the de-duplication table holds {@code request}. */
  public boolean remembered(RequestKey request) {
    return dedup.get(request) != null;
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
    return conflicts.get();
  }

  public long messagesDelivered() {
    return messagesDelivered.get();
  }

  /** Messages their receiver rejected (consumed, nothing applied), since start. */
  public long messagesRejected() {
    return messagesRejected.get();
  }

  public long timersFired() {
    return timersFired.get();
  }

  /** The {@link ReplicaDigest} of the replicated state now. Apply thread (or before the node runs). */
  public long digest() {
    requireDigest("digest");
    return entityDigest + dedup.digest() + outbox.digest() + (effectsPaused ? ReplicaDigest.effectsPaused() : 0);
  }

  private void requireDigest(String what) {
    if (!digested) {
      throw new IllegalStateException(nodeId + ": a replica made withoutDigest() keeps no digest, so it has no " + what);
    }
  }

  // ---- snapshots (apply thread) ------------------------------------------------------------------

  /** Writes the replicated state to {@code sink}, in the order that makes equal states equal bytes. */
  public void writeSnapshot(ReplicaSnapshot.Sink sink) throws IOException {
    requireDigest("snapshot");
    sink.begin(store.size(), dedup.size(), outbox.itemCount(), digest(), effectsPaused);
    store.forEachInOrder((key, v) -> {
      EntityType<?, ?, ?> type = types.find(key.type());
      sink.entity(EntitySnapshot.newBuilder().setRef(Protos.ref(key)).setVersion(v.version())
          .setState(Protos.payload(type.codec().encode(v.state()))).build());
    });
    writeDedupAndOutbox(sink, true, true);
  }

  private void writeDedupAndOutbox(ReplicaSnapshot.Sink sink, boolean withDedup, boolean withOutbox)
      throws IOException {
    IOException[] failure = new IOException[1];
    if (withDedup) {
      dedup.forEach(d -> {
        if (failure[0] == null) {
          try {
            sink.dedup(d);
          } catch (IOException e) {
            failure[0] = e;
          }
        }
      });
    }
    if (failure[0] != null) {
      throw failure[0];
    }
    if (withOutbox) {
      outbox.forEachItem(item -> {
        if (failure[0] == null) {
          try {
            sink.outbox(item);
          } catch (IOException e) {
            failure[0] = e;
          }
        }
      });
    }
    if (failure[0] != null) {
      throw failure[0];
    }
  }

  /**
   * Replaces the replicated state with {@code source}'s. Returns the digest of the contents as
   * read, for the caller to compare with the one the snapshot recorded; only then is the
   * de-duplication table trimmed to this replica's bounds (a snapshot from before the byte bounds,
   * or from a node with larger ones).
   */
  public long restore(ReplicaSnapshot.Source source) throws IOException {
    clear();
    int sinceCommit = 0;
    for (EntitySnapshot e = source.nextEntity(); e != null; e = source.nextEntity()) {
      EntityKey key = Protos.key(e.getRef());
      EntityType<?, ?, ?> type = types.find(key.type());
      if (type == null) {
        throw new IOException(nodeId + ": the snapshot holds entity type '" + key.type()
            + "' which this node does not have; registered: " + types.names());
      }
      Encoded state = Protos.encoded(e.getState());
      long itemDigest = ReplicaDigest.entity(key, e.getVersion(), state);
      store.put(key, new Versioned(type.codec().decode(state), e.getVersion(), itemDigest));
      bounds.entityAdded(key);
      entityDigest += itemDigest;
      if (++sinceCommit == RESTORE_COMMIT_ENTITIES) {
        store.commit(0);
        sinceCommit = 0;
      }
    }
    store.commit(0);
    restoreDedup(source);
    restoreOutbox(source);
    effectsPaused = source.effectsPaused();
    long asWritten = digest();
    dedup.enforceLimits();
    dedup.beforeCommit();
    outbox.beforeCommit();
    store.commit(0);
    return asWritten;
  }

  /** Loads the snapshot's outbox records, committing a disk outbox's writes in bounded batches. */
  private void restoreOutbox(ReplicaSnapshot.Source source) throws IOException {
    int sinceCommit = 0;
    for (OutboxItem item = source.nextOutbox(); item != null; item = source.nextOutbox()) {
      outbox.restore(item);
      if (outbox.inStore() && ++sinceCommit == RESTORE_COMMIT_ENTITIES) {
        outbox.beforeCommit();
        store.commit(0);
        sinceCommit = 0;
      }
    }
  }

  /** Loads the snapshot's de-duplication records, committing a disk table's writes in bounded batches. */
  private void restoreDedup(ReplicaSnapshot.Source source) throws IOException {
    int sinceCommit = 0;
    for (DedupSnapshot d = source.nextDedup(); d != null; d = source.nextDedup()) {
      dedup.restore(RequestKey.of(d.getRequestId()), d.getOutcome(), d.getRememberedIndex());
      if (dedup.inStore() && ++sinceCommit == RESTORE_COMMIT_ENTITIES) {
        dedup.beforeCommit();
        store.commit(0);
        sinceCommit = 0;
      }
    }
  }

  /**
   * Writes everything but the entities (and, when {@link #dedupInStore}, the de-duplication table;
   * when {@link #outboxInStore}, the outbox) to {@code sink}: a disk store's checkpoint holds them, and
   * {@link #entityDigest()} and {@link #entitiesByEcosystem()} say what a load needs of them.
   * {@link ReplicaSnapshot.Sink#begin} still gets the entity count and the whole digest.
   */
  public void writeSnapshotBesideStore(ReplicaSnapshot.Sink sink) throws IOException {
    sink.begin(store.size(), dedup.size(), outbox.itemCount(), digest(), effectsPaused);
    writeDedupAndOutbox(sink, !dedup.inStore(), !outbox.inStore());
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
    return entityDigest;
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
    if (source.nextEntity() != null) {
      throw new IOException(nodeId + ": the snapshot holds entity records, but its entities were to be in the"
          + " state store already");
    }
    bounds.restore(entitiesByEcosystem);
    this.entityDigest = entityDigest;
    outbox.clear();
    if (dedupInStore) {
      if (!(dedup instanceof DiskDedupTable disk)) {
        throw new IllegalStateException(nodeId + ": the snapshot's de-duplication table is in its checkpoint, but"
            + " this replica keeps its table in the heap; read the checkpoint's table with dedupOfCheckpoint");
      }
      disk.load();
      if (source.nextDedup() != null) {
        throw new IOException(nodeId + ": the snapshot holds de-duplication records, but its table was to be in"
            + " the checkpoint");
      }
    } else {
      dedup.clear();
      restoreDedup(source);
    }
    if (outboxInStore) {
      if (!outbox.inStore()) {
        throw new IllegalStateException(nodeId + ": the snapshot's outbox is in its checkpoint, but this replica"
            + " keeps its outbox in the heap; read the checkpoint's outbox with outboxOfCheckpoint");
      }
      outbox.load(() -> store.commit(0)); // a store from before the timers' due index gets it here, in pages
      if (source.nextOutbox() != null) {
        throw new IOException(nodeId + ": the snapshot holds outbox records, but its outbox was to be in the"
            + " checkpoint");
      }
    } else {
      restoreOutbox(source);
    }
    effectsPaused = source.effectsPaused();
    long asWritten = digest();
    dedup.enforceLimits();
    dedup.beforeCommit();
    outbox.beforeCommit();
    store.commit(0);
    return asWritten;
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
    entityDigest = 0;
    dedup.clear();
    outbox.clear();
    effectsPaused = false;
  }
}
