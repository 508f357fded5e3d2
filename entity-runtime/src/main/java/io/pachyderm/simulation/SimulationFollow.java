package io.pachyderm.simulation;

import io.pachyderm.api.Change;
import io.pachyderm.api.Follow;
import io.pachyderm.entity.EntityType;
import io.pachyderm.runtime.CommandExecutor;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.EventFolder;
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
  private final boolean withStates;
  private final long fromVersion;
  private final ArrayDeque<Change<S>> ready = new ArrayDeque<>();
  private int stepsSeen;
  private long versionSeen;
  private Object state;
  private long lastVersion;
  private boolean closed;

  @SuppressWarnings("unchecked")
  SimulationFollow(Supplier<List<Step>> steps, World now, EntityKey key, EntityType<?, ?, ?> type, long fromVersion,
                   boolean withStates) {
    if (fromVersion < 0) {
      throw new IllegalArgumentException("fromVersion must be >= 1, or Follow.FROM_CURRENT (0), was " + fromVersion);
    }
    this.steps = steps;
    this.key = key;
    this.type = type;
    this.withStates = withStates;
    this.fromVersion = fromVersion;
    if (fromVersion == FROM_CURRENT) {
      World.Slot slot = now.slot(key);
      stepsSeen = steps.get().size();
      versionSeen = slot.version();
      state = withStates ? slot.state() : null;
      ready.add(new Change<>(slot.version(), null, (S) slot.state()));
      lastVersion = 0;
    } else {
      state = withStates ? CommandExecutor.initialState(type, key.id()) : null;
      lastVersion = fromVersion - 1;
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public Change<S> poll(Duration timeout) {
    if (closed) {
      throw new IllegalStateException("follow of " + key + " is closed");
    }
    if (ready.isEmpty()) {
      List<Step> all = steps.get();
      versionSeen = SimulationHistory.collect(all, stepsSeen, key, type, versionSeen, event -> {
        if (withStates) {
          state = EventFolder.fold(type, state, event.version() - 1, List.of(event.encoded())).state();
        }
        if (event.version() >= fromVersion) {
          ready.add(new Change<>(event.version(), event, withStates ? (S) state : null));
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
