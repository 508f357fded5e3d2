package io.pachyderm.simulation;

import io.pachyderm.api.Causation;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.runtime.EntityKey;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * The simulation's event history with the metadata a node's journal keeps, read from the steps:
 * step {@code n} (0-based) plays the part of log index {@code n + 1} in term 1, its world's clock
 * is the timestamp, and the delivered item is the causation (its in-flight id stands for the
 * request id or the outbox sequence number).
 */
final class SimulationHistory {
  private SimulationHistory() {}

  /**
   * Passes every event of {@code key} made by {@code steps[fromStep..]} to {@code out}, in order,
   * given the entity's version before those steps. Returns the version after them.
   */
  static long collect(List<Step> steps, int fromStep, EntityKey key, EntityType<?, ?, ?> type, long versionBefore,
                      Consumer<HistoryEvent> out) {
    long version = versionBefore;
    for (int i = fromStep; i < steps.size(); i++) {
      Step step = steps.get(i);
      World.Slot slot = step.after().slot(key);
      if (slot.version() <= version) {
        continue;
      }
      InFlight cause = ((Transition.Deliver) step.transition()).item();
      for (long v = version + 1; v <= slot.version(); v++) {
        Encoded encoded = slot.events().get((int) (v - 1));
        out.accept(new HistoryEvent(v, type.codec().decode(encoded), encoded, i + 1L, 1,
            Instant.ofEpochMilli(step.after().clockMs()), causation(cause)));
      }
      version = slot.version();
    }
    return version;
  }

  private static Causation causation(InFlight item) {
    switch (item.kind()) {
      case MESSAGE:
        return new Causation.Message(ref(item.from()), item.seq());
      case TIMER:
        return new Causation.Timer(ref(item.from()), item.timerName(), item.seq());
      default:
        return new Causation.Request("simulation/" + item.id());
    }
  }

  private static EntityRef<Object, Object> ref(EntityKey key) {
    return EntityRef.of(key.type(), key.id());
  }
}
