package io.pachyderm.simulation;

import java.util.Objects;
import java.util.Set;

/**
 * What may happen in a simulated world besides in-order delivery.
 *
 * @param timers when a pending timer may fire
 * @param drops whether an in-flight message may be lost (the cluster never does this; use it to
 *     check that a design degrades gracefully, e.g. outputs are a subset of the drop-free outputs)
 * @param duplicates whether a message may be delivered twice (the cluster never does this either;
 *     an idempotent design gives the same outputs)
 * @param reorder whether messages from one sender to one receiver may overtake each other
 * @param restarts whether an entity may restart (its state rebuilt from its events)
 * @param faultsMax most faults (drops, duplicates, restarts) in one schedule
 * @param effectHandlers effect handler names that exist (null: any name); an effect naming another
 *     rejects its command, as on a node without that handler
 */
public record Rules(TimerPolicy timers, boolean drops, boolean duplicates, boolean reorder, boolean restarts,
                    int faultsMax, Set<String> effectHandlers) {
  /** When timers fire in a simulation. */
  public enum TimerPolicy {
    /** Only when nothing else can happen: timeouts are longer than message delays (the default). */
    WHEN_QUIESCENT,
    /** At any step: a timer may fire before messages sent earlier arrive. */
    ANY_TIME
  }

  public static final Rules DEFAULT = new Rules(TimerPolicy.WHEN_QUIESCENT, false, false, false, false, 0, null);

  public Rules {
    Objects.requireNonNull(timers, "timers");
    if (faultsMax < 0) {
      throw new IllegalArgumentException("faultsMax must be >= 0, got " + faultsMax);
    }
    effectHandlers = effectHandlers == null ? null : Set.copyOf(effectHandlers);
  }

  public Rules withTimers(TimerPolicy policy) {
    return new Rules(policy, drops, duplicates, reorder, restarts, faultsMax, effectHandlers);
  }

  /** Allows message drops, at most {@code faultsMax} faults per schedule in all. */
  public Rules withDrops(int faultsMax) {
    return new Rules(timers, true, duplicates, reorder, restarts, faultsMax, effectHandlers);
  }

  public Rules withDuplicates(int faultsMax) {
    return new Rules(timers, drops, true, reorder, restarts, faultsMax, effectHandlers);
  }

  public Rules withRestarts(int faultsMax) {
    return new Rules(timers, drops, duplicates, reorder, true, faultsMax, effectHandlers);
  }

  public Rules withReordering() {
    return new Rules(timers, drops, duplicates, true, restarts, faultsMax, effectHandlers);
  }

  public Rules withEffectHandlers(Set<String> names) {
    return new Rules(timers, drops, duplicates, reorder, restarts, faultsMax, Objects.requireNonNull(names));
  }
}
