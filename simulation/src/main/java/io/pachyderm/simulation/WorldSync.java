package io.pachyderm.simulation;

import io.pachyderm.entity.EntityType;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.replica.Applied;
import io.pachyderm.replica.Outbox;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads what a {@link ReplicaStep} applied back into the world: the traffic, timers, outbox
 * counters and effects come from the replica's {@link Applied} and {@link Outbox} (what the node's
 * delivery, timer and effect pumps read), never from the simulation's own reading of the record.
 */
final class WorldSync {
  private WorldSync() {}

  /**
   * The world after {@code ran}: {@code item} consumed (unless {@code consume} is false: a
   * duplicated message stays), the messages the entry added in flight, the receiver's timers as the
   * replica's outbox now holds them (scheduled, replaced, cancelled, fired), its outbox counter.
   */
  static World after(World w, InFlight item, boolean consume, ReplicaStep.Ran ran,
                     TreeMap<EntityKey, World.Slot> entities, List<World.CapturedEffect> effects, long clockMs) {
    EntityKey key = item.to();
    Outbox outbox = ran.outbox();
    Applied applied = ran.entryApplied();
    long nextId = w.nextId();
    List<InFlight> inFlight = new ArrayList<>(w.inFlight());
    if (consume && item.kind() != InFlight.Kind.TIMER) {
      inFlight.remove(item);
    }
    for (Outbox.Id id : applied.messagesAdded()) {
      inFlight.add(ReplicaStep.message(nextId++, outbox.message(id)));
    }
    TreeMap<TimerKey, InFlight> timers = w.timersMap();
    if (item.kind() == InFlight.Kind.TIMER || ran.record().getTimersCount() > 0) {
      timers = new TreeMap<>(timers);
      TimerKey fired = item.kind() == InFlight.Kind.TIMER ? new TimerKey(item.from(), item.timerName()) : null;
      for (Iterator<Map.Entry<TimerKey, InFlight>> it = timers.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<TimerKey, InFlight> e = it.next();
        if (!e.getKey().owner().equals(key) && !e.getKey().equals(fired)) {
          continue;
        }
        PendingTimer pending = outbox.timer(e.getKey());
        if (pending == null || pending.getSeq() != e.getValue().seq()) {
          it.remove();
        }
      }
      // New timers in the order the record scheduled them, so ids keep creation order.
      for (Applied.TimerScheduled s : applied.timersScheduled()) {
        PendingTimer pending = outbox.timer(s.key());
        if (pending != null && pending.getSeq() == s.seq()) {
          timers.put(s.key(), ReplicaStep.timer(nextId++, pending));
        }
      }
    }
    long lastSeq = lastSeq(applied);
    TreeMap<EntityKey, Long> outboxSeqs = w.outboxSeqsMap();
    if (lastSeq > w.outboxSeq(key)) {
      outboxSeqs = new TreeMap<>(outboxSeqs);
      outboxSeqs.put(key, lastSeq);
    }
    return w.with(entities, inFlight, timers, effects, outboxSeqs, clockMs, nextId);
  }

  /**
   * The world's effects and the ones the entry produced, in record order (the replica numbers them
   * in it): at-most-once ones as it dispatches them, at-least-once ones as its outbox keeps them.
   */
  static List<World.CapturedEffect> effects(World w, EntityType<?, ?, ?> type, ReplicaStep.Ran ran) {
    Applied applied = ran.entryApplied();
    if (applied.effectsToDispatch().isEmpty() && applied.effectsAdded().isEmpty()) {
      return w.effects();
    }
    TreeMap<Long, World.CapturedEffect> bySeq = new TreeMap<>();
    for (Applied.EffectDispatch d : applied.effectsToDispatch()) {
      bySeq.put(d.seq(), new World.CapturedEffect(d.source(), d.version(), d.effect().getHandler(),
          type.codec().decode(Protos.encoded(d.effect().getPayload())), false));
    }
    for (Outbox.Id id : applied.effectsAdded()) {
      PendingEffect p = ran.outbox().effect(id);
      bySeq.put(id.seq(), new World.CapturedEffect(id.source(), p.getVersion(), p.getHandler(),
          type.codec().decode(Protos.encoded(p.getPayload())), true));
    }
    List<World.CapturedEffect> all = new ArrayList<>(w.effects());
    all.addAll(bySeq.values());
    return all;
  }

  /** The highest outbox sequence number the entry gave out, 0 when none. */
  private static long lastSeq(Applied applied) {
    long last = 0;
    for (Outbox.Id id : applied.messagesAdded()) {
      last = Math.max(last, id.seq());
    }
    for (Outbox.Id id : applied.effectsAdded()) {
      last = Math.max(last, id.seq());
    }
    for (Applied.EffectDispatch d : applied.effectsToDispatch()) {
      last = Math.max(last, d.seq());
    }
    for (Applied.TimerScheduled s : applied.timersScheduled()) {
      last = Math.max(last, s.seq());
    }
    return last;
  }
}
