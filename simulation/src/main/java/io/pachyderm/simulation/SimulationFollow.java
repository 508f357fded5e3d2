package io.pachyderm.simulation;

import io.pachyderm.api.Change;
import io.pachyderm.api.Follow;
import io.pachyderm.entity.EntityType;
import io.pachyderm.runtime.ChangeFolder;
import io.pachyderm.runtime.EntityKey;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Supplier;

/**
 * A {@link Follow} of a simulated entity. Nothing happens in a simulation while its thread polls,
 * so {@link #poll} never waits: it returns the next change the steps so far have made, or null.
 */
final class SimulationFollow<S> implements Follow<S> {
  private final Supplier<List<Step>> steps;
  private final EntityKey key;
  private final EntityType<?, ?, ?> type;
  private final ChangeFolder<S> folder;
  private final ArrayDeque<Change<S>> ready = new ArrayDeque<>();
  private int stepsSeen;
  private long versionSeen;
  private long lastVersion;
  private boolean closed;

  SimulationFollow(Supplier<List<Step>> steps, World now, EntityKey key, EntityType<?, ?, ?> type, long fromVersion,
                   boolean withStates) {
    this.folder = new ChangeFolder<>(type, key.id(), fromVersion, withStates);
    this.steps = steps;
    this.key = key;
    this.type = type;
    if (fromVersion == FROM_CURRENT) {
      World.Slot slot = now.slot(key);
      stepsSeen = steps.get().size();
      versionSeen = slot.version();
      ready.add(folder.startAt(slot.version(), slot.state()));
    } else {
      lastVersion = fromVersion - 1;
    }
  }

  @Override
  public Change<S> poll(Duration timeout) {
    if (closed) {
      throw new IllegalStateException("follow of " + key + " is closed");
    }
    if (ready.isEmpty()) {
      List<Step> all = steps.get();
      versionSeen = SimulationHistory.collect(all, stepsSeen, key, type, versionSeen, event -> {
        if (event.version() < folder.next()) {
          return; // before the start, and not needed for a fold
        }
        Change<S> change = folder.take(event);
        if (change != null) {
          ready.add(change);
        }
      });
      stepsSeen = all.size();
    }
    Change<S> change = ready.poll();
    if (change != null) {
      lastVersion = change.version();
    }
    return change;
  }

  @Override
  public long lastVersion() {
    return lastVersion;
  }

  @Override
  public void close() {
    closed = true;
    ready.clear();
  }
}
