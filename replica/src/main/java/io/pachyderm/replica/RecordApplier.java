package io.pachyderm.replica;

import io.pachyderm.api.RejectionKind;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.protocol.Conflict;
import io.pachyderm.protocol.Outcome;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * Applies the records of a log entry that change entities (split out of {@link Replica}): a client
 * command (answer a duplicate from the de-duplication table, check {@code expected_version} and the
 * replicated bounds, fold the events, remember the outcome), a message delivery and a timer fire
 * (each exactly once). Owns what only these change: the entities' part of the {@link ReplicaDigest}
 * and the conflict, delivery and timer counters.
 *
 * <p>Thread-safety: the apply methods and {@link #entityDigest} on the apply thread; the counters
 * from any thread.
 */
final class RecordApplier {
  private final String nodeId;
  private final EntityTypes types;
  private final StateStore store;
  private final Dedup dedup;
  private final ReplicatedBounds bounds;
  private final Outbox outbox;
  /** The seeded replica test plants a missing version check here, to show that its checks catch one. */
  private final boolean versionCheck;
  /** Whether the {@link ReplicaDigest} is kept: off only for {@link Replica#withoutDigest} replicas. */
  private final boolean digested;
  /** The entities' part of the {@link ReplicaDigest}; apply thread only. */
  private long entityDigest;
  private final AtomicLong conflicts = new AtomicLong();
  private final AtomicLong messagesDelivered = new AtomicLong();
  private final AtomicLong messagesRejected = new AtomicLong();
  private final AtomicLong timersFired = new AtomicLong();

  RecordApplier(String nodeId, EntityTypes types, StateStore store, Dedup dedup, ReplicatedBounds bounds,
                Outbox outbox, boolean versionCheck, boolean digested) {
    this.nodeId = nodeId;
    this.types = types;
    this.store = store;
    this.dedup = dedup;
    this.bounds = bounds;
    this.outbox = outbox;
    this.versionCheck = versionCheck;
    this.digested = digested;
  }

  /** The entities' part of the {@link ReplicaDigest}. Apply thread. */
  long entityDigest() {
    return entityDigest;
  }

  /** Sets the entities' digest: a snapshot's, when the store already holds its entities; 0 when emptied. */
  void entityDigest(long digest) {
    entityDigest = digest;
  }

  /** Adds an entity loaded from a snapshot to the entities' digest. */
  void addEntityDigest(long itemDigest) {
    entityDigest += itemDigest;
  }

  long conflicts() {
    return conflicts.get();
  }

  long messagesDelivered() {
    return messagesDelivered.get();
  }

  long messagesRejected() {
    return messagesRejected.get();
  }

  long timersFired() {
    return timersFired.get();
  }

  Outcome applyCommand(Record record, EntryRun run) {
    RequestKey requestKey = RequestKey.of(record.getRequestId());
    Outcome known = dedup.getApplying(requestKey);
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
  WorkStatus applyDelivery(Record record, EntryRun run) {
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
  WorkStatus applyTimerFire(Record record, EntryRun run) {
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
}
