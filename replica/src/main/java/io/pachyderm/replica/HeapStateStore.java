package io.pachyderm.replica;

import io.pachyderm.runtime.EntityKey;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The entities' states in the heap. A concurrent map because leader threads and reads look states
 * up while the apply thread writes; its iteration order is never used (keys are sorted first).
 */
public final class HeapStateStore implements StateStore {
  private final Map<EntityKey, Versioned> entities = new ConcurrentHashMap<>();

  @Override
  public Versioned get(EntityKey key) {
    return entities.get(key);
  }

  @Override
  public Versioned put(EntityKey key, Versioned value) {
    return entities.put(key, value);
  }

  @Override
  public int size() {
    return entities.size();
  }

  @Override
  public List<EntityKey> keysInOrder() {
    EntityKey[] keys = entities.keySet().toArray(new EntityKey[0]);
    Arrays.sort(keys);
    return Arrays.asList(keys);
  }

  @Override
  public void clear() {
    entities.clear();
  }

  /** Nothing to do: a put is part of the heap at once, and a heap store is not kept across restarts. */
  @Override
  public void commit(long appliedIndex) {
  }
}
