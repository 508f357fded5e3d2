package io.pachyderm.replica;

import io.pachyderm.runtime.EntityKey;
import java.util.List;

/**
 * Where a replica keeps its entities' applied states. Today the heap ({@link HeapStateStore});
 * the store is kept this small so that an on-disk one (keyed by the entity key's bytes) can take
 * its place without the replica changing.
 *
 * <p>Thread-safety: written only by the apply thread (through the {@link Replica}); {@link #get}
 * and {@link #size} may be called from any thread (leader threads, reads) and must return a value
 * that was put, never a torn one.
 */
public interface StateStore {
  /** The applied state of {@code key}, or null when the entity has none. */
  Versioned get(EntityKey key);

  /** Stores {@code value} as {@code key}'s applied state; returns the one it replaced, or null. */
  Versioned put(EntityKey key, Versioned value);

  /** Entities held. */
  int size();

  /**
   * Every key held, in {@link EntityKey} order: a snapshot writes entities in this order, so that
   * replicas holding the same state write the same bytes. Any thread: a copy of the keys held at
   * one moment (on the apply thread, a consistent one).
   */
  List<EntityKey> keysInOrder();

  /** Removes every entity (a snapshot is about to be loaded). Apply thread only. */
  void clear();
}
