package io.pachyderm.node.internal;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Tasks waiting for a monotonic time, in the order they come due (ties: the order they were added,
 * so that a run is the same every time). It holds no thread and reads no clock: its owner passes
 * the time in, which is what lets a test move time by hand.
 *
 * <p>Not thread-safe: used by the leader's work loop only.
 */
final class Deadlines {
  /** One waiting task; {@link #cancel()} makes it a no-op when it comes due. */
  static final class Wake {
    private final long atNs;
    private final long order;
    private final Runnable task;
    private boolean cancelled;

    private Wake(long atNs, long order, Runnable task) {
      this.atNs = atNs;
      this.order = order;
      this.task = task;
    }

    void cancel() {
      cancelled = true;
    }
  }

  private final PriorityQueue<Wake> waiting = new PriorityQueue<>(
      Comparator.comparingLong((Wake w) -> w.atNs).thenComparingLong(w -> w.order));
  private long added;

  Wake at(long atNs, Runnable task) {
    Wake wake = new Wake(atNs, added++, task);
    waiting.add(wake);
    return wake;
  }

  /** The earliest time a task waits for, or {@link Long#MAX_VALUE} if none waits. */
  long nextAtNs() {
    dropCancelledHead();
    Wake head = waiting.peek();
    return head == null ? Long.MAX_VALUE : head.atNs;
  }

  /**
   * Runs, through {@code runner}, up to {@code tasksMax} tasks due at {@code nowNs}, earliest
   * first; returns how many ran. A task added meanwhile that is already due runs in the same call.
   */
  int runDue(long nowNs, Consumer<Runnable> runner, int tasksMax) {
    int ran = 0;
    while (ran < tasksMax) {
      dropCancelledHead();
      Wake head = waiting.peek();
      if (head == null || head.atNs > nowNs) {
        break;
      }
      waiting.poll();
      runner.accept(head.task);
      ran++;
    }
    return ran;
  }

  void clear() {
    waiting.clear();
  }

  private void dropCancelledHead() {
    while (!waiting.isEmpty() && waiting.peek().cancelled) {
      waiting.poll();
    }
  }
}
