package io.pachyderm.node.internal;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One lane per effect handler name: its own threads ({@code threadsMax}) and its own bounded
 * queue ({@code queuedMax}). A handler that hangs occupies only its own lane's threads, so the
 * effects of every other handler keep running (issue 12: four hung handlers once held every
 * thread of a shared pool, and every other effect timed out without ever running).
 *
 * <p>A task's timeout counts from the moment a thread starts it, not from the submission: waiting
 * behind a slow handler of the same name is not the task's failure. On timeout the task's future
 * fails with a {@link TimeoutException} and the thread is interrupted; a handler that ignores the
 * interrupt keeps its thread, which stays counted against its own lane until it returns.
 *
 * <p>Names not in {@code knownNames} share one lane: their handler is missing, so they fail at once
 * and need no isolation, and the number of lanes stays bounded by the registered handlers.
 *
 * <p>Thread-safe.
 */
final class EffectLanes implements AttemptRunner {
  /** The task a lane runs; a throw fails the task's future. */
  interface Task {
    void run() throws Exception;
  }

  /** A handler's queue is full: nothing ran, so this is not an attempt. */
  static final class LaneFullException extends RuntimeException {
    LaneFullException(String handler, int queuedMax) {
      super("effects of handler '" + handler + "' refused: effectsQueuedPerHandlerMax (" + queuedMax
          + ") reached", null, false, false);
    }
  }

  private static final String UNREGISTERED = "\u0000unregistered";

  private final String threadNamePrefix;
  private final Set<String> knownNames;
  private final int threadsMax;
  private final int queuedMax;
  private final Map<String, ThreadPoolExecutor> lanes = new ConcurrentHashMap<>();
  private final ScheduledThreadPoolExecutor timeouts;
  private volatile boolean closed;

  EffectLanes(String threadNamePrefix, Set<String> knownNames, int threadsMax, int queuedMax) {
    if (threadsMax < 1 || queuedMax < 1) {
      throw new IllegalArgumentException("effectHandlerThreadsMax and effectsQueuedPerHandlerMax must be >= 1, got "
          + threadsMax + " and " + queuedMax);
    }
    this.threadNamePrefix = threadNamePrefix;
    this.knownNames = Set.copyOf(knownNames);
    this.threadsMax = threadsMax;
    this.queuedMax = queuedMax;
    this.timeouts = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, threadNamePrefix + "-timeouts");
      t.setDaemon(true);
      return t;
    });
    // Every task arms a timeout that is cancelled when it returns: drop those at once.
    timeouts.setRemoveOnCancelPolicy(true);
  }

  /**
   * Runs {@code task} on the lane of {@code handler}. The future fails with a
   * {@link LaneFullException} if the lane's queue is full, with a {@link TimeoutException} if the
   * task runs longer than {@code timeoutMs} (0: no timeout), or with what the task threw.
   */
  @Override
  public CompletableFuture<Void> submit(String handler, Task task, long timeoutMs) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    Running running = new Running();
    if (closed) {
      result.completeExceptionally(new RejectedExecutionException(threadNamePrefix + " is closed"));
      return result;
    }
    try {
      lane(handler).execute(() -> run(handler, task, timeoutMs, result, running));
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(closed ? e : new LaneFullException(handler, queuedMax));
    }
    return result;
  }

  /** Threads of {@code handler}'s lane running a task now (a hung handler's included). */
  int activeThreads(String handler) {
    ThreadPoolExecutor lane = lanes.get(knownNames.contains(handler) ? handler : UNREGISTERED);
    return lane == null ? 0 : lane.getActiveCount();
  }

  private ThreadPoolExecutor lane(String handler) {
    String name = knownNames.contains(handler) ? handler : UNREGISTERED;
    return lanes.computeIfAbsent(name, n -> {
      ThreadPoolExecutor pool = new ThreadPoolExecutor(threadsMax, threadsMax, 60, TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(queuedMax), r -> {
            Thread t = new Thread(r, threadNamePrefix + "-" + (n.equals(UNREGISTERED) ? "unregistered" : n));
            t.setDaemon(true);
            return t;
          });
      pool.allowCoreThreadTimeOut(true);
      return pool;
    });
  }

  /**
   * Whether a task still runs on its thread, so that a late timeout never interrupts the next
   * task that thread takes: (1) the task returns, (2) the timeout fires; without the flag (2)
   * would interrupt whatever the thread runs by then.
   */
  private static final class Running {
    private Thread thread;

    synchronized void start() {
      thread = Thread.currentThread();
    }

    synchronized void interrupt() {
      if (thread != null) {
        thread.interrupt();
      }
    }

    synchronized void finish() {
      thread = null;
      Thread.interrupted(); // a timeout's interrupt that came as the task returned belongs to it
    }
  }

  private void run(String handler, Task task, long timeoutMs, CompletableFuture<Void> result, Running running) {
    if (result.isDone()) {
      return;
    }
    running.start();
    ScheduledFuture<?> timeout = null;
    try {
      if (timeoutMs > 0) {
        timeout = timeouts.schedule(() -> {
          if (result.completeExceptionally(new TimeoutException("handler '" + handler + "' gave no answer within "
              + timeoutMs + " ms"))) {
            running.interrupt();
          }
        }, timeoutMs, TimeUnit.MILLISECONDS);
      }
      task.run();
      result.complete(null);
    } catch (Throwable t) {
      result.completeExceptionally(t);
    } finally {
      if (timeout != null) {
        timeout.cancel(false);
      }
      running.finish();
    }
  }

  /** Stops every lane at once, interrupting running handlers. */
  @Override
  public void close() {
    closeWithin(0);
  }

  /** Lets queued and running tasks finish for up to {@code graceMs} in all, then interrupts the rest. */
  void closeWithin(long graceMs) {
    closed = true;
    for (ThreadPoolExecutor lane : lanes.values()) {
      lane.shutdown();
    }
    long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMs);
    try {
      for (ThreadPoolExecutor lane : lanes.values()) {
        lane.awaitTermination(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ThreadPoolExecutor lane : lanes.values()) {
      lane.shutdownNow();
    }
    timeouts.shutdownNow();
  }
}
