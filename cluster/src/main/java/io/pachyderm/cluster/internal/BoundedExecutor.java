package io.pachyderm.cluster.internal;

import io.pachyderm.api.OverloadedException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A fixed pool of daemon threads with a bounded queue: a task beyond {@code queuedMax} is refused
 * at once with an {@link OverloadedException} (a {@link java.util.concurrent.RejectedExecutionException}
 * would not name the limit), so a burst costs bounded memory and the caller hears why.
 */
public final class BoundedExecutor {
  private BoundedExecutor() {}

  /**
   * @param limitName the option that sets {@code queuedMax}, named in the rejection
   * @param what what the refused task was, for the rejection's message
   */
  public static ThreadPoolExecutor fixed(String threadName, int threads, int queuedMax, String limitName,
                                         String what) {
    if (threads < 1 || queuedMax < 1) {
      throw new IllegalArgumentException(threadName + ": threads and " + limitName + " must be >= 1, got "
          + threads + " and " + queuedMax);
    }
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(queuedMax), r -> {
          Thread t = new Thread(r, threadName);
          t.setDaemon(true);
          return t;
        }, (task, executor) -> {
          if (executor.isShutdown()) {
            throw new java.util.concurrent.RejectedExecutionException(what + " refused: " + threadName + " is closed");
          }
          throw new OverloadedException(what, limitName, queuedMax);
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
