package io.pachyderm.replica;

import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityType;
import io.pachyderm.protocol.OutMessage;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.Ref;
import io.pachyderm.protocol.TimerOp;
import io.pachyderm.protocol.TimerSchedule;
import io.pachyderm.runtime.CommandExecutor;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.EventFolder;
import io.pachyderm.runtime.TimerKey;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies an accepted record whose version check passed: folds its events, then adds its messages,
 * effects and timers to the outbox with the entity's next sequence numbers, in record order
 * (deterministic on every replica). Apply thread only.
 */
final class Commit {
  private Commit() {}

  /**
   * What a commit applied: the entity's version after it; the state it encoded for the digest and
   * its new applied state (both null when the record had no events), which a reply computed at
   * apply reuses and the replica stores.
   */
  record Committed(long version, Encoded encodedState, Versioned next) {}

  /** @param digested whether to hash the new state for the {@link ReplicaDigest} (0 as its item hash if not) */
  static Committed commit(Record record, EntityKey key, EntityType<?, ?, ?> type, Versioned current, EntryRun run,
                          Outbox outbox, boolean digested) {
    long version = current == null ? 0 : current.version();
    Encoded encodedState = null;
    Versioned next = null;
    if (record.getEventsCount() > 0) {
      Object state = current == null ? CommandExecutor.initialState(type, key.id()) : current.state();
      List<Encoded> events = new ArrayList<>(record.getEventsCount());
      for (var p : record.getEventsList()) {
        events.add(Protos.encoded(p));
      }
      EventFolder.Folded folded = EventFolder.fold(type, state, version, events);
      run.journal(record, version);
      long digest = 0;
      // Without a digest the state is encoded only if the reply is computed from it (Replica.stateAfter).
      if (digested || record.getReplyFromState()) {
        encodedState = type.codec().encode(folded.state());
      }
      if (digested) {
        digest = ReplicaDigest.entity(key, folded.version(), encodedState);
      }
      next = new Versioned(folded.state(), folded.version(), digest);
      version = next.version();
      run.versionCommitted(key, version);
    }
    Ref source = record.getRef();
    for (OutMessage m : record.getMessagesList()) {
      long seq = outbox.nextSeq(key);
      outbox.addMessage(PendingMessage.newBuilder().setSource(source).setSeq(seq).setTarget(m.getTo())
          .setPayload(m.getPayload()).build());
      run.messageAdded(new Outbox.Id(key, seq));
    }
    for (io.pachyderm.protocol.Effect effect : record.getEffectsList()) {
      long seq = outbox.nextSeq(key);
      if (effect.getAtLeastOnce()) {
        Outbox.Id id = new Outbox.Id(key, seq);
        outbox.putEffect(id, PendingEffect.newBuilder().setId(id.toProto()).setHandler(effect.getHandler())
            .setPayload(effect.getPayload()).setVersion(version).setLogIndex(run.index()).setTerm(run.term())
            .build());
        run.effectAdded(id);
      } else {
        run.dispatch(new Applied.EffectDispatch(key, version, run.index(), run.term(), effect, seq));
      }
    }
    for (TimerOp op : record.getTimersList()) {
      TimerKey timerKey = new TimerKey(key, op.getName());
      if (op.hasSchedule()) {
        long seq = outbox.nextSeq(key);
        TimerSchedule schedule = op.getSchedule();
        outbox.putTimer(timerKey, PendingTimer.newBuilder().setOwner(source).setName(op.getName()).setSeq(seq)
            .setTarget(schedule.getTarget()).setPayload(schedule.getPayload()).setDueMs(schedule.getDueMs()).build());
        run.timerScheduled(new Applied.TimerScheduled(timerKey, seq, schedule.getDueMs()));
      } else {
        outbox.removeTimer(timerKey);
      }
    }
    return new Committed(version, encodedState, next);
  }
}
