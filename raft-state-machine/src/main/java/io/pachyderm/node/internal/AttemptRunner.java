package io.pachyderm.node.internal;

import java.util.concurrent.CompletableFuture;

/**
 * Where the leader runs an at-least-once effect's attempt, off its work loop: the node uses
 * {@link EffectLanes} (one lane per handler name, attempt timeouts); a test may run the attempt on
 * the calling thread and so drive the loop without a thread of its own.
 */
interface AttemptRunner extends AutoCloseable {
  /**
   * Runs {@code task} for {@code handler}. The future fails with what the task threw, with a
   * {@link java.util.concurrent.TimeoutException} if it ran longer than {@code timeoutMs}
   * (0: no timeout), or with {@link EffectLanes.LaneFullException} if it was not started at all.
   */
  CompletableFuture<Void> submit(String handler, EffectLanes.Task task, long timeoutMs);

  /** Stops running attempts; the default has nothing to stop. */
  @Override
  default void close() {
  }
}
