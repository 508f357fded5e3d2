package io.pachyderm.replica;

import io.pachyderm.api.RejectionKind;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.OutMessage;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Protos.RequestKey;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.TimerOp;
import io.pachyderm.protocol.TimerSchedule;
import io.pachyderm.runtime.CommandExecutor;
import io.pachyderm.runtime.EncodedEffect;
import io.pachyderm.runtime.EncodedMessage;
import io.pachyderm.runtime.EncodedTimer;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.Execution;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The leader's decision step (DESIGN.md section 2), a pure function of its inputs: an item of a
 * batch, the state the leader works on (the applied state, or the state its own entries not yet
 * applied will leave), the leader's clock reading {@code nowMs}, and a seed derived from the item.
 * The result is the item's {@link Record}, which every replica then applies with
 * {@link Replica#apply}. The same inputs give the same record: the clock is read by the caller and
 * passed in, never here.
 *
 * <p>User errors never throw: a rejection is a record. Thread-safe (no mutable state of its own);
 * the caller serializes items of one entity (the leader's lanes).
 */
public final class Decider {
  /**
   * What the leader decides on, kept by the caller: the newest state per entity it has built
   * entries on in its term (speculation), falling back to the applied state.
   */
  public interface WorkingState {
    /** The state the next record of {@code key} is decided on; null when the entity has none yet. */
    Versioned get(EntityKey key);

    /** The state a record just decided leaves {@code key} in, for the next record of the same entity. */
    void speculate(EntityKey key, Versioned state);

    /** Drops what {@link #speculate} kept for {@code key}: the record that made it will not apply. */
    void forget(EntityKey key);

    /**
     * Whether the replica's de-duplication table holds {@code request} (it then only looks it up); a
     * miss for a request being remembered at that moment is safe: the apply thread looks it up again.
     */
    boolean remembered(RequestKey request);
  }

  /**
   * A decided record and its size counted against the limits: its encoded bytes plus, when its
   * reply is computed at apply ({@code reply_from_state}), that reply's bytes.
   *
   * @param next the entity's state after the record, or null when the record changes no state
   * @param randomDrawn whether the item's {@code handle} drew randomness, so that the record depends
   *     on the item's seed (the simulation's state hashing needs to know)
   */
  public record Decided(Record record, long bytes, Versioned next, boolean randomDrawn) {
    static Decided of(Record record) {
      return of(record, false);
    }

    static Decided of(Record record, boolean randomDrawn) {
      return new Decided(record, record.getSerializedSize(), null, randomDrawn);
    }
  }

  private final String nodeId;
  private final EntityTypes types;
  private final Predicate<String> hasEffectHandler;
  private final int recordBytesMax;
  private final int entryBytesMax;

  /**
   * @param hasEffectHandler whether this node has an effect handler of a name (an effect without one is rejected)
   * @param recordBytesMax largest record of one item (events, effects and reply); larger ones are TOO_LARGE
   * @param entryBytesMax largest log entry; items past it are deferred to a later entry
   */
  public Decider(String nodeId, EntityTypes types, Predicate<String> hasEffectHandler, int recordBytesMax,
                 int entryBytesMax) {
    this.nodeId = Objects.requireNonNull(nodeId, "node id");
    this.types = Objects.requireNonNull(types, "types");
    this.hasEffectHandler = Objects.requireNonNull(hasEffectHandler, "effect handler lookup");
    this.recordBytesMax = recordBytesMax;
    this.entryBytesMax = entryBytesMax;
  }

  /**
   * The log entry for {@code work}, one record per item in order. An item that would take the
   * entry past {@code entryBytesMax} is deferred, not rejected: apply answers it with a Conflict
   * (or RETRY) and the client (or the leader's own work loop) sends it again later.
   */
  public LogEntry entry(List<WorkItem> work, WorkingState state, long nowMs) {
    LogEntry.Builder entry = LogEntry.newBuilder();
    long entryBytes = 0;
    for (WorkItem w : work) {
      Decided decided = decide(w, state, nowMs);
      if (decided.next() != null) {
        state.speculate(w.key(), decided.next());
      }
      Record record = decided.record();
      // The reply computed at apply goes into this entry's reply: counted, so that the reply
      // stays as bounded as it was when the entry carried it.
      long size = decided.bytes();
      if (entryBytes + size > entryBytesMax) {
        state.forget(w.key());
        record = origin(w).setDeferred(true).build();
        size = record.getSerializedSize();
      }
      entryBytes += size;
      entry.addRecords(record);
    }
    return entry.build();
  }

  /** Runs one item against {@code state} and returns its record; never throws for user errors. */
  public Decided decide(WorkItem w, WorkingState state, long nowMs) {
    Record.Builder origin = origin(w);
    EntityKey key = w.key();
    Encoded payload;
    long seed;
    boolean replyWanted;
    EntityKey sender = null;
    if (w instanceof WorkItem.ClientCommand c) {
      Command command = c.command();
      RequestKey requestKey = RequestKey.of(command.getRequestId());
      if (state.remembered(requestKey)) {
        return Decided.of(origin.setLookupOnly(true).build());
      }
      payload = Protos.encoded(command.getPayload());
      seed = seed(requestKey.clientHi(), requestKey.clientLo(), requestKey.sequence());
      replyWanted = command.getReplyWanted();
    } else if (w instanceof WorkItem.MessageDelivery d) {
      if (d.message() == null) {
        return Decided.of(origin.setLookupOnly(true).build());
      }
      sender = Protos.key(d.delivery().getSource());
      payload = Protos.encoded(d.message().getPayload());
      seed = seed(sender.hashCode(), d.delivery().getSeq(), 0x6D657373L);
      replyWanted = false;
    } else {
      WorkItem.TimerFiring t = (WorkItem.TimerFiring) w;
      if (t.timer() == null || t.timer().getDueMs() > nowMs) {
        // Gone, or not due by this leader's clock yet.
        return Decided.of(origin.setLookupOnly(true).build());
      }
      payload = Protos.encoded(t.timer().getPayload());
      seed = seed(Protos.key(t.fire().getOwner()).hashCode(), t.fire().getSeq(), t.fire().getName().hashCode());
      replyWanted = false;
    }
    EntityType<?, ?, ?> type = types.find(key.type());
    if (type == null) {
      return Decided.of(origin.setRejection(Protos.rejection(RejectionKind.UNKNOWN_ENTITY_TYPE,
          unknownType(nodeId, types, key))).build());
    }
    String invalid = invalidKey(key);
    if (invalid != null) {
      return Decided.of(origin.setRejection(Protos.rejection(RejectionKind.INVALID_REQUEST, invalid)).build());
    }
    Versioned base = state.get(key);
    if (base == null) {
      base = Versioned.speculative(CommandExecutor.initialState(type, key.id()), 0);
    }
    CommandExecutor.Request request = new CommandExecutor.Request(key, payload, nowMs, seed, replyWanted, sender);
    Execution execution = CommandExecutor.execute(type, base.state(), base.version(), request,
        hasEffectHandler, types);
    if (execution instanceof Execution.Rejected r) {
      return Decided.of(origin.setRejection(Protos.rejection(r.kind(), r.message())).build(), r.randomDrawn());
    }
    Execution.Accepted a = (Execution.Accepted) execution;
    Record record = accepted(origin, base.version(), a, nowMs);
    // Counted as if the record carried its reply, as it did before replies were computed at apply.
    long bytes = record.getSerializedSize() + (record.getReplyFromState() ? a.reply().data().length : 0);
    if (bytes > recordBytesMax) {
      return Decided.of(origin(w).setRejection(Protos.rejection(RejectionKind.TOO_LARGE, "the record of " + key
          + " is " + bytes + " bytes, more than the limit of " + recordBytesMax)).build(), a.randomDrawn());
    }
    Versioned next = a.newVersion() != base.version() ? Versioned.speculative(a.newState(), a.newVersion()) : null;
    return new Decided(record, bytes, next, a.randomDrawn());
  }

  /** A record carrying only where the item came from. */
  static Record.Builder origin(WorkItem w) {
    Record.Builder r = Record.newBuilder();
    if (w instanceof WorkItem.ClientCommand c) {
      r.setRequestId(c.command().getRequestId()).setRef(c.command().getRef());
    } else if (w instanceof WorkItem.MessageDelivery d) {
      r.setDelivery(d.delivery()).setRef(d.message() != null ? d.message().getTarget() : d.delivery().getSource());
    } else {
      WorkItem.TimerFiring t = (WorkItem.TimerFiring) w;
      r.setTimerFire(t.fire()).setRef(t.timer() != null ? t.timer().getTarget() : t.fire().getOwner());
    }
    return r;
  }

  private static Record accepted(Record.Builder origin, long expectedVersion, Execution.Accepted a, long nowMs) {
    Record.Builder r = origin.setExpectedVersion(expectedVersion).setTimestampMs(nowMs);
    for (Encoded e : a.events()) {
      r.addEvents(Protos.payload(e));
    }
    for (EncodedEffect effect : a.effects()) {
      r.addEffects(io.pachyderm.protocol.Effect.newBuilder().setHandler(effect.handler())
          .setPayload(Protos.payload(effect.payload())).setAtLeastOnce(effect.atLeastOnce()));
    }
    for (EncodedMessage m : a.messages()) {
      r.addMessages(OutMessage.newBuilder().setTo(Protos.ref(m.to())).setPayload(Protos.payload(m.command())));
    }
    for (EncodedTimer t : a.timers()) {
      TimerOp.Builder op = TimerOp.newBuilder().setName(t.name());
      if (t.cancel()) {
        op.setCancel(true);
      } else {
        op.setSchedule(TimerSchedule.newBuilder().setTarget(Protos.ref(t.target()))
            .setPayload(Protos.payload(t.command())).setDueMs(t.dueMs()));
      }
      r.addTimers(op);
    }
    if (a.reply() != null && a.replyIsState()) {
      // Every replica folds the events anyway and encodes the same state from them: writing it
      // here too would put the state into the log (and Ratis' segment cache) twice.
      r.setReplyFromState(true);
    } else if (a.reply() != null) {
      r.setReply(Protos.payload(a.reply())).setReplyIsState(a.replyIsState());
    }
    return r.build();
  }

  /** Why {@code key} is not a valid entity key (ecosystem, type or id), or null when it is. */
  public static String invalidKey(EntityKey key) {
    try {
      EntityKey.requireValidEcosystem(key.ecosystem());
      EntityRef.of(key.type(), key.id());
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /** The refusal for an entity type this node does not have. */
  public static String unknownType(String nodeId, EntityTypes types, EntityKey key) {
    return "no entity type '" + key.type() + "' is registered on node " + nodeId + "; registered: " + types.names();
  }

  /**
   * The seed of an item's {@code handle} run, from where the item came from (request id,
   * delivery or timer fire): the same on a leader that decides the item again after a retry.
   * Unchanged from before the replica core, so that old and new leaders build the same records.
   */
  static long seed(long a, long b, long c) {
    long h = a * 0x9E3779B97F4A7C15L;
    h ^= b + 0x632BE59BD9B4E019L + (h << 6) + (h >>> 2);
    return h ^ (c * 0xC2B2AE3D27D4EB4FL);
  }
}
