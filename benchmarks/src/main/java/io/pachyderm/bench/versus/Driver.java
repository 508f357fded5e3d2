package io.pachyderm.bench.versus;

import java.util.concurrent.CompletableFuture;

/**
 * One system's state-dependent update, called by the closed loop ({@link #update}) and the open
 * loop ({@link #updateAsync}). Implementations are thread-safe for distinct {@code caller} values:
 * caller c is always the same thread, so a driver may keep one connection per caller.
 */
interface Driver extends AutoCloseable {
  /**
   * Updates entity {@code key} (0-based) once, blocking until the system acknowledged it as
   * durable on its majority (or on its one disk, for the single-process systems).
   *
   * @return the optimistic conflicts retried before the update committed (0 for systems that
   *     serialise updates per entity)
   * @throws Exception when the update failed; the loop counts it as an error and goes on
   */
  int update(int caller, int key) throws Exception;

  /**
   * The same update without blocking, from any thread: the future completes with the conflicts
   * retried once the update is acknowledged, or fails. A system whose client can only block says
   * so with a failed future.
   */
  default CompletableFuture<Integer> updateAsync(int key) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException(
        getClass().getSimpleName() + " has no asynchronous client: no open loop for it"));
  }

  /**
   * Reads entity {@code key} linearizably (the {@code read} workload), blocking.
   *
   * @return 0 (reads conflict with nothing)
   */
  default int read(int caller, int key) throws Exception {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no read workload");
  }

  /**
   * Moves one unit from entity {@code from} to entity {@code to} (the {@code bank} workload),
   * blocking until the system acknowledged it.
   *
   * @return the optimistic conflicts retried
   */
  default int transfer(int caller, int from, int to) throws Exception {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no bank workload");
  }

  /**
   * Updates entity {@code key} once (the {@code follow} workload's publisher), blocking until it
   * is acknowledged.
   *
   * @return the update's marker: the number each follower sees with the event (Pachyderm's entity
   *     version, etcd's revision), higher for each later update
   */
  default long publish(int key) throws Exception {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no follow workload");
  }

  /**
   * Starts one follower of entity {@code key} from its next change; every later event's marker
   * goes to {@code onEvent}, from a thread of the follower's. Closing the result stops it.
   */
  default AutoCloseable follow(int key, java.util.function.LongConsumer onEvent) throws Exception {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no follow workload");
  }

  @Override
  void close() throws Exception;
}
