package io.pachyderm.node.internal;

import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.WorkStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * What a pump of the leader's work ({@link DeliveryPump}, {@link TimerPump}, {@link EffectPump})
 * may ask of the loop that drives it. Every method is called on the loop, and every task it takes
 * runs on the loop later, only if this node is still the same leadership (a step-down or a new
 * activation in between drops it: the next leader rescans the outbox).
 */
interface WorkLoop {
  /** Items one internal proposal (a delivery, timer-fire or effect-report batch) carries at most. */
  int ITEMS_PER_PROPOSAL_MAX = 256;

  /** This node is the ready leader; may be read on any thread. */
  boolean active();

  /** The loop's clock. */
  NodeClock clock();

  /** Runs {@code task} on the loop once {@code delayMs} have passed on the monotonic clock. */
  Deadlines.Wake later(long delayMs, Runnable task);

  /** Runs {@code then} on the loop once {@code future} completes. */
  <T> void whenDone(CompletableFuture<T> future, BiConsumer<T, Throwable> then);

  /**
   * The items of {@code batch} whose status in {@code reply} is {@link WorkStatus#RETRY}, in order.
   * A reply with another number of statuses than items is a broken invariant: it throws, and the
   * loop reports it to the node's fail-stop.
   */
  static <T> List<T> retried(List<T> batch, BatchReply reply) {
    if (reply.getWorkCount() != batch.size()) {
      throw new IllegalStateException("internal batch of " + batch.size() + " items got " + reply.getWorkCount()
          + " statuses");
    }
    List<T> again = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      if (reply.getWork(i) == WorkStatus.RETRY) {
        again.add(batch.get(i));
      }
    }
    return again;
  }
}
