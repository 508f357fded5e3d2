package io.pachyderm.replica;

import io.pachyderm.protocol.Effect;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.TimerOp;
import io.pachyderm.runtime.EntityKey;
import java.util.HashMap;
import java.util.Map;

/**
 * The per-ecosystem entity quota and the replicated outbox's bound, checked when a client
 * command's record is applied. The check reads only replicated state (entity counts and the
 * outbox at this log index), so every replica refuses the same records; a refused record is
 * remembered for de-duplication like any other rejection.
 *
 * <p>Only client commands are refused: a delivery or a timer fire consumes a committed outbox
 * item, and refusing it would lose that item (and a delivery frees the slot it may fill).
 * Entities they create still count against the quota. Apply thread only.
 */
final class ReplicatedBounds {
  private final long entitiesPerEcosystemMax;
  private final int outboxItemsMax;
  /** Entities per ecosystem; looked up, never iterated, so its order reaches no output. */
  private final Map<String, Long> entitiesByEcosystem = new HashMap<>();

  ReplicatedBounds(ReplicatedTableLimits limits) {
    this.entitiesPerEcosystemMax = limits.entitiesPerEcosystemMax();
    this.outboxItemsMax = limits.outboxItemsMax();
  }

  void entityAdded(EntityKey key) {
    entitiesByEcosystem.merge(key.ecosystem(), 1L, Long::sum);
  }

  long entities(String ecosystem) {
    return entitiesByEcosystem.getOrDefault(ecosystem, 0L);
  }

  void clear() {
    entitiesByEcosystem.clear();
  }

  /** The counts, in ecosystem order (a snapshot records them). */
  java.util.SortedMap<String, Long> entitiesByEcosystem() {
    return new java.util.TreeMap<>(entitiesByEcosystem);
  }

  /** Replaces the counts with a snapshot's. */
  void restore(Map<String, Long> counts) {
    entitiesByEcosystem.clear();
    entitiesByEcosystem.putAll(counts);
  }

  /**
   * Why {@code record} may not be applied, or null if it may.
   *
   * @param creates whether applying it creates {@code key} (it has events and the entity is new)
   * @param outboxItems pending messages, at-least-once effects, timers and dead letters in the outbox now
   * @param timerPending whether {@code key} already has a pending timer of a given name (a
   *     schedule under that name replaces it and adds nothing)
   */
  String refusal(Record record, EntityKey key, boolean creates, int outboxItems,
                 java.util.function.Predicate<String> timerPending) {
    if (creates && entitiesPerEcosystemMax > 0) {
      long held = entities(key.ecosystem());
      if (held >= entitiesPerEcosystemMax) {
        return "ecosystem '" + key.ecosystem() + "' holds " + held + " entities, its quota"
            + " (entitiesPerEcosystemMax = " + entitiesPerEcosystemMax + "): " + key + " was not created";
      }
    }
    long added = outboxItemsAdded(record, timerPending);
    if (added > 0 && outboxItems + added > outboxItemsMax) {
      return "the replicated outbox holds " + outboxItems + " pending messages, effects, timers and dead letters;"
          + " the command"
          + " on " + key + " would add " + added + ", over its limit (outboxItemsMax = " + outboxItemsMax + ")";
    }
    return null;
  }

  private static long outboxItemsAdded(Record record, java.util.function.Predicate<String> timerPending) {
    long added = record.getMessagesCount();
    for (Effect e : record.getEffectsList()) {
      if (e.getAtLeastOnce()) {
        added++;
      }
    }
    for (TimerOp op : record.getTimersList()) {
      if (op.hasSchedule() && !timerPending.test(op.getName())) {
        added++;
      }
    }
    return added;
  }
}
