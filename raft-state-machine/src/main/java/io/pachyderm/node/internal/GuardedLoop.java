package io.pachyderm.node.internal;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A single-threaded scheduler for a loop that must not fail silently: a task that throws would
 * otherwise vanish into its {@code Future}, and the loop would stop doing that work while the node
 * looks healthy (issue 12). Every such throw, and every throw of a completion guarded with
 * {@link #guarded}, goes to {@code onError} (the node's fail-stop).
 *
 * <p>Thread-safe, as any executor.
 */
final class GuardedLoop extends ScheduledThreadPoolExecutor {
  private final Consumer<Throwable> onError;

  GuardedLoop(String threadName, Consumer<Throwable> onError) {
    super(1, r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    this.onError = Objects.requireNonNull(onError, "onError");
  }

  @Override
  protected void afterExecute(Runnable task, Throwable thrown) {
    super.afterExecute(task, thrown);
    Throwable error = thrown;
    if (error == null && task instanceof Future<?> f && f.isDone()) {
      try {
        f.get();
      } catch (CancellationException cancelled) {
        return; // a timer re-armed or a loop shut down: expected
      } catch (ExecutionException e) {
        error = e.getCause();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (error != null && !isShutdown()) {
      onError.accept(error);
    }
  }

  /**
   * {@code action} for {@code whenCompleteAsync(.., loop)}: a throw there would only fail the
   * (ignored) future that {@code whenCompleteAsync} returns.
   */
  <T> BiConsumer<T, Throwable> guarded(BiConsumer<T, Throwable> action) {
    return (value, failure) -> {
      try {
        action.accept(value, failure);
      } catch (Throwable t) {
        if (!isShutdown()) {
          onError.accept(t);
        }
        throw t;
      }
    };
  }
}
