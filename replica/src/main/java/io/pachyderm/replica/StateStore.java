package io.pachyderm.replica;

import io.pachyderm.codec.Encoded;
import io.pachyderm.runtime.EntityKey;
import java.io.IOException;
import java.util.List;

/**
 * Where a replica keeps its entities' applied states: the heap ({@link HeapStateStore}) or disk
 * (the {@code state-store} module's RocksDB store, keyed by the entity key's bytes). Kept this small
 * so that either can take the other's place without the replica changing.
 *
 * <p>Entry boundary: the replica calls {@link #commit} once after every log entry it applied (and
 * after a snapshot's contents were loaded), with the entry's index. Every {@link #put} since the
 * previous commit belongs to that entry: a disk store writes them, with the index, as one atomic
 * batch, so what it holds is always the state after some whole entry, never half of one.
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

  /**
   * {@link #put} with the state's encoding when the caller made one (it hashed it for the digest),
   * so that a disk store writes those bytes instead of encoding the state again.
   *
   * @param encoded {@code value}'s state as its type's codec encodes it, or null when not at hand
   */
  default Versioned put(EntityKey key, Versioned value, Encoded encoded) {
    return put(key, value);
  }

  /**
   * The tables this store keeps beside the entities, committed with them (a disk store's), or
   * null when the replica keeps its tables in the heap (a heap store's: nothing outlives it).
   */
  default StoreTables tables() {
    return null;
  }

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

  /**
   * Ends the writes of log entry {@code appliedIndex} (0 for a snapshot's contents just loaded, whose
   * index the snapshot itself records): every {@link #put} since the last commit becomes part of the
   * store at once, with that index. Apply thread only.
   */
  void commit(long appliedIndex);

  /**
   * Visits every entity held, in {@link EntityKey} order, with its state; a snapshot writes entities
   * this way so that a disk store need not hold every key in the heap at once. Apply thread only.
   */
  default void forEachInOrder(Visitor visitor) throws IOException {
    for (EntityKey key : keysInOrder()) {
      visitor.visit(key, get(key));
    }
  }

  /** Receives entities from {@link #forEachInOrder}. */
  @FunctionalInterface
  interface Visitor {
    void visit(EntityKey key, Versioned value) throws IOException;
  }
}
