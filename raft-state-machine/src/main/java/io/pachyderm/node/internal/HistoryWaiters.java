package io.pachyderm.node.internal;

import io.pachyderm.runtime.EntityKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.function.Supplier;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Long polls of followers: a history read that finds nothing new parks here until the entity gets
 * an event or the wait runs out. Answers run on this class's own thread, never on the apply
 * thread, which only hands them over ({@link #wake}). Bounded: past {@code waitersMax} parked
 * reads, a read is answered at once (the follower polls again, a little later).
 *
 * <p>The answers one wake runs may share what they compute ({@link #shared}): N followers parked
 * at the same version of one entity get one page read from the journal, not N.
 */
final class HistoryWaiters implements AutoCloseable {
  private final Map<EntityKey, List<Waiter>> byKey = new ConcurrentHashMap<>();
  private final AtomicInteger parked = new AtomicInteger();
  private final int waitersMax;
  private final ScheduledExecutorService thread;
  /** While a wake's answers run (on {@link #thread}): what they computed, by what they asked. */
  private final ThreadLocal<Map<Object, Object>> wakeBatch = new ThreadLocal<>();

  private static final class Waiter {
    final AtomicBoolean answered = new AtomicBoolean();
    final Runnable answer;
    volatile ScheduledFuture<?> timeout;

    Waiter(Runnable answer) {
      this.answer = answer;
    }
  }

  HistoryWaiters(String nodeId, int waitersMax) {
    this.waitersMax = waitersMax;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pachyderm-follow-" + nodeId);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Runs {@code answer} once, on this class's thread: after {@code key}'s next {@link #wake} or
   * after {@code waitMs}, whichever comes first. Returns false (and does not run it) when too many
   * reads are parked; the caller answers at once.
   */
  boolean park(EntityKey key, long waitMs, Runnable answer) {
    if (parked.incrementAndGet() > waitersMax) {
      parked.decrementAndGet();
      return false;
    }
    Waiter w = new Waiter(answer);
    byKey.compute(key, (k, list) -> {
      List<Waiter> l = list == null ? new ArrayList<>(2) : list;
      l.add(w);
      return l;
    });
    try {
      w.timeout = thread.schedule(() -> fire(key, w), waitMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      fire(key, w);
    }
    return true;
  }

  /** The entity {@code key} got events: answers its parked reads (on this class's thread). */
  void wake(EntityKey key) {
    if (byKey.isEmpty()) {
      return;
    }
    List<Waiter> list = byKey.remove(key);
    if (list == null) {
      return;
    }
    try {
      thread.execute(() -> {
        wakeBatch.set(new HashMap<>());
        try {
          for (Waiter w : list) {
            answer(w);
          }
        } finally {
          wakeBatch.remove();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      for (Waiter w : list) {
        answer(w);
      }
    }
  }

  private void fire(EntityKey key, Waiter w) {
    byKey.computeIfPresent(key, (k, list) -> {
      list.remove(w);
      return list.isEmpty() ? null : list;
    });
    answer(w);
  }

  private void answer(Waiter w) {
    if (!w.answered.compareAndSet(false, true)) {
      return;
    }
    parked.decrementAndGet();
    ScheduledFuture<?> t = w.timeout;
    if (t != null) {
      t.cancel(false);
    }
    w.answer.run();
  }

  /**
   * Within the answers of one {@link #wake}, the value the first of them computed for {@code key}
   * (the answers of one wake see the same journal and applied state: a later event wakes them again);
   * anywhere else, {@code compute}'s value. A failed computation is not kept.
   */
  @SuppressWarnings("unchecked")
  <T> T shared(Object key, Supplier<T> compute) {
    Map<Object, Object> batch = wakeBatch.get();
    if (batch == null) {
      return compute.get();
    }
    Object v = batch.get(key);
    if (v == null) {
      v = compute.get();
      batch.put(key, v);
    }
    return (T) v;
  }

  int parkedCount() {
    return parked.get();
  }

  /** Answers every parked read now (the answer itself reports the node is closing, if it must). */
  @Override
  public void close() {
    List<Waiter> all = new ArrayList<>();
    for (EntityKey key : List.copyOf(byKey.keySet())) {
      List<Waiter> l = byKey.remove(key);
      if (l != null) {
        all.addAll(l);
      }
    }
    thread.shutdownNow();
    for (Waiter w : all) {
      answer(w);
    }
  }
}
