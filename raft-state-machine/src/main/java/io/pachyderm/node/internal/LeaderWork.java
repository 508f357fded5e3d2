package io.pachyderm.node.internal;

import io.pachyderm.replica.Outbox;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.node.EffectRetry;
import io.pachyderm.node.QueueLimits;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.Delivery;
import io.pachyderm.protocol.EffectFailure;
import io.pachyderm.protocol.EffectReport;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.TimerFire;
import io.pachyderm.protocol.WorkStatus;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What only a ready leader does for reliable messaging, off the apply path: turn committed outbox
 * messages into delivery entries, fire due timers (at a bounded rate), dispatch at-least-once
 * effects and record their outcome. Everything it proposes is a log entry the state machine
 * validates against the applied outbox, so a stale or duplicate proposal is a no-op
 * ({@link WorkStatus#GONE}), and a new leader simply rescans the outbox.
 *
 * <p>Threading: the apply thread calls the {@code *Added}/{@code activate}/{@code deactivate}
 * methods, which only hand tasks to one scheduler thread that owns every queue here; effect
 * handlers run on their own pool. A generation number, bumped on every activation change, makes
 * late callbacks from an earlier leadership harmless.
 *
 * <p>Paused effects ({@link #effectsPaused}, the replicated operator setting): no new attempt of
 * an at-least-once effect starts, so no attempt is counted and none can become a dead letter while
 * paused; the effects wait in the outbox. An attempt whose handler had already started when the
 * pause was applied runs to its end and is reported as usual (a running handler cannot be taken
 * back). A retry waiting out its backoff when the pause began is dispatched on resume, with every
 * other pending effect. Deliveries and timers are not affected.
 *
 * <p>Time: every interval here (the timer rate limit's refill, retry pauses, backoffs, attempt
 * timeouts) is measured on the monotonic clock, so a step of the wall clock neither stops nor
 * speeds them; the wall clock ({@code wallClockMs}) only decides whether a timer is due, because
 * due times are wall times written in the log (issue 12: a step back of the clock stopped the
 * rate limiter, and so every timer, for as long as the step).
 *
 * <p>Bounds: hand-overs from the apply thread wait in the loop's queue up to
 * {@link QueueLimits#leaderWorkTasksQueuedMax()}; past it they are dropped and one rescan of the
 * outbox is queued instead, which finds the same work (the outbox is the truth; the loop's own
 * queues only mirror it, one entry per outbox item). Handlers run on one {@link EffectLanes lane}
 * per handler name, so a hung handler holds only its own threads.
 */
final class LeaderWork implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderWork.class);
  private static final int ITEMS_PER_ENTRY_MAX = 256;
  private static final long RETRY_PAUSE_MS = 20;
  private static final long FAILURE_PAUSE_MS = 200;
  private static final int ERROR_CHARS_MAX = 2000;
  /**
   * The longest the loop sleeps towards a due time measured on the wall clock: a step of that clock
   * after the sleep was armed is noticed within this (a sleep runs on the monotonic clock).
   */
  static final long WALL_CLOCK_RECHECK_MS = 1_000;

  /** Proposes a batch of internal work to this node's Raft server and returns the applied reply. */
  interface Submitter {
    CompletableFuture<BatchReply> submit(CommandBatch batch);
  }

  /** Runs one at-least-once effect's handler; a throw is a failed attempt. */
  interface HandlerInvoker {
    void invoke(EntityKey source, PendingEffect effect, EffectContext ctx) throws Exception;
  }

  private record Due(long dueMs, TimerKey key, long seq) {}

  private final String nodeId;
  private final Outbox outbox;
  private final Submitter submitter;
  private final HandlerInvoker handlers;
  private final java.util.function.BooleanSupplier stillLeader;
  private final EffectRetry retry;
  private final double firesPerSecondMax;
  private final GuardedLoop loop;
  private final EffectLanes lanes;
  private final LongSupplier wallClockMs;
  private final int handOversQueuedMax;
  /** Hand-overs from the apply thread queued on the loop and not yet run. */
  private final AtomicInteger handOversQueued = new AtomicInteger();
  /** A rescan is queued on the loop in place of dropped hand-overs. */
  private final AtomicBoolean rescanQueued = new AtomicBoolean();
  private final AtomicLong handOversDropped = new AtomicLong();
  private volatile boolean active;
  /** A copy of the replicated setting, written by the apply thread; read on the loop and handler threads. */
  private volatile boolean effectsPaused;

  // Everything below is touched only on the loop thread.
  private long generation;
  private final ArrayDeque<Outbox.Id> deliveries = new ArrayDeque<>();
  private final Set<Outbox.Id> deliveriesQueued = new HashSet<>();
  private boolean deliveryInFlight;
  // A set, not a queue: a rescan adds every timer again, and one timer must be proposed once.
  private final TreeSet<Due> dueTimers = new TreeSet<>(
      Comparator.comparingLong(Due::dueMs).thenComparing(Due::key).thenComparingLong(Due::seq));
  private boolean fireInFlight;
  private ScheduledFuture<?> timerWake;
  private long timerWakeAtMs = Long.MAX_VALUE;
  private double fireTokens;
  private long fireTokensAtNs;
  private final Set<Outbox.Id> effectsBusy = new HashSet<>();
  private final ArrayDeque<EffectReport> reports = new ArrayDeque<>();
  private boolean reportInFlight;

  /**
   * @param stillLeader asked on the handler thread right before each attempt: Ratis may know of a
   *     step-down (a paused leader resuming) before {@link #deactivate()} reaches this loop
   */
  LeaderWork(String nodeId, Outbox outbox, Submitter submitter, HandlerInvoker handlers,
             java.util.function.BooleanSupplier stillLeader, EffectRetry retry, int firesPerSecondMax,
             int handlerThreads, java.util.function.Consumer<Throwable> onLoopError) {
    this(nodeId, outbox, submitter, handlers, stillLeader, retry, firesPerSecondMax,
        QueueLimits.DEFAULT.withEffectHandlerThreadsMax(handlerThreads), Set.of(), System::currentTimeMillis,
        onLoopError);
  }

  /**
   * @param handlerNames the registered handlers, each of which gets its own lane
   * @param wallClockMs the clock due times are compared with (only that: see the class comment)
   * @param onLoopError what an unexpected throw on the loop reports to (the node's fail-stop)
   */
  LeaderWork(String nodeId, Outbox outbox, Submitter submitter, HandlerInvoker handlers,
             java.util.function.BooleanSupplier stillLeader, EffectRetry retry, int firesPerSecondMax,
             QueueLimits limits, Set<String> handlerNames, LongSupplier wallClockMs,
             java.util.function.Consumer<Throwable> onLoopError) {
    if (firesPerSecondMax < 1) {
      throw new IllegalArgumentException("firesPerSecondMax must be >= 1, got " + firesPerSecondMax);
    }
    this.wallClockMs = wallClockMs;
    this.handOversQueuedMax = limits.leaderWorkTasksQueuedMax();
    this.nodeId = nodeId;
    this.outbox = outbox;
    this.submitter = submitter;
    this.handlers = handlers;
    this.stillLeader = stillLeader;
    this.retry = retry;
    this.firesPerSecondMax = firesPerSecondMax;
    // An unexpected throw on the loop would silently stop deliveries, timers or effects: fail-stop.
    this.loop = new GuardedLoop("pachyderm-leader-work-" + nodeId, onLoopError);
    this.lanes = new EffectLanes("pachyderm-effects-alo-" + nodeId, handlerNames, limits.effectHandlerThreadsMax(),
        limits.effectsQueuedPerHandlerMax());
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  // ---- called on the apply thread ---------------------------------------------------------

  boolean isActive() {
    return active;
  }

  /**
   * This node is leader and has applied every earlier entry. Items applied from now on are
   * handed over by the {@code *Added} calls; everything applied before is found by the rescan.
   */
  void activate() {
    active = true;
    loop.execute(() -> {
      resetQueues();
      rescan();
    });
  }

  void deactivate() {
    if (active) {
      active = false;
      loop.execute(this::resetQueues);
    }
  }

  void messageAdded(Outbox.Id id) {
    if (active) {
      handOver(() -> enqueueDelivery(id));
    }
  }

  void effectAdded(Outbox.Id id) {
    if (active) {
      handOver(() -> dispatchEffect(id));
    }
  }

  /**
   * Queues {@code task} on the loop, unless {@link QueueLimits#leaderWorkTasksQueuedMax()} hand-overs
   * wait already: then the task is dropped and one rescan of the outbox stands in for every dropped
   * task (the apply thread must not wait, and a committed entry cannot be refused).
   */
  private void handOver(Runnable task) {
    if (handOversQueued.incrementAndGet() <= handOversQueuedMax) {
      loop.execute(() -> {
        handOversQueued.decrementAndGet();
        task.run();
      });
      return;
    }
    handOversQueued.decrementAndGet();
    handOversDropped.incrementAndGet();
    if (rescanQueued.compareAndSet(false, true)) {
      LOG.warn("{}: leader work queue full (leaderWorkTasksQueuedMax = {}): rescanning the outbox instead", nodeId,
          handOversQueuedMax);
      loop.execute(() -> {
        rescanQueued.set(false);
        rescan();
      });
    }
  }

  /** Hand-overs dropped because the loop's queue was full (each was found again by a rescan). */
  long handOversDropped() {
    return handOversDropped.get();
  }

  /**
   * The operator's setting as applied (or loaded from a snapshot). Resuming dispatches every
   * pending effect; pausing only stops new attempts (see the class comment).
   */
  void effectsPaused(boolean paused) {
    boolean resumed = effectsPaused && !paused;
    effectsPaused = paused;
    if (resumed && active) {
      loop.execute(this::dispatchPendingEffects);
    }
  }

  void timerScheduled(TimerKey key, long seq, long dueMs) {
    if (active) {
      handOver(() -> {
        dueTimers.add(new Due(dueMs, key, seq));
        armTimers();
      });
    }
  }

  // ---- loop thread ------------------------------------------------------------------------

  private void resetQueues() {
    generation++;
    deliveries.clear();
    deliveriesQueued.clear();
    deliveryInFlight = false;
    dueTimers.clear();
    fireInFlight = false;
    if (timerWake != null) {
      timerWake.cancel(false);
      timerWake = null;
    }
    timerWakeAtMs = Long.MAX_VALUE;
    fireTokens = firesPerSecondMax;
    fireTokensAtNs = System.nanoTime();
    effectsBusy.clear();
    reports.clear();
    reportInFlight = false;
  }

  private void rescan() {
    if (!active) {
      return;
    }
    int m = 0;
    int t = 0;
    for (Map.Entry<Outbox.Id, PendingMessage> entry : outbox.messages()) {
      if (deliveriesQueued.add(entry.getKey())) {
        deliveries.addLast(entry.getKey());
      }
      m++;
    }
    pumpDeliveries(); // after the whole scan, so that the backlog goes out in full batches
    int e = dispatchPendingEffects();
    for (Map.Entry<TimerKey, PendingTimer> entry : outbox.timers()) {
      dueTimers.add(new Due(entry.getValue().getDueMs(), entry.getKey(), entry.getValue().getSeq()));
      t++;
    }
    armTimers();
    if (m + e + t > 0) {
      LOG.info("{} took over {} undelivered messages, {} unacknowledged effects, {} timers", nodeId, m, e, t);
    }
  }

  // deliveries

  private void enqueueDelivery(Outbox.Id id) {
    if (active && deliveriesQueued.add(id)) {
      deliveries.addLast(id);
      pumpDeliveries();
    }
  }

  private void pumpDeliveries() {
    if (!active || deliveryInFlight || deliveries.isEmpty()) {
      return;
    }
    List<Outbox.Id> batch = new ArrayList<>();
    CommandBatch.Builder b = CommandBatch.newBuilder();
    while (!deliveries.isEmpty() && batch.size() < ITEMS_PER_ENTRY_MAX) {
      Outbox.Id id = deliveries.pollFirst();
      deliveriesQueued.remove(id);
      batch.add(id);
      b.addDeliveries(Delivery.newBuilder().setSource(Protos.ref(id.source())).setSeq(id.seq()));
    }
    deliveryInFlight = true;
    long gen = generation;
    submitter.submit(b.build()).whenCompleteAsync(loop.guarded((reply, error) -> {
      if (gen != generation) {
        return;
      }
      deliveryInFlight = false;
      List<Outbox.Id> again = error != null ? batch : retried(batch, reply);
      for (int i = again.size() - 1; i >= 0; i--) {
        if (deliveriesQueued.add(again.get(i))) {
          deliveries.addFirst(again.get(i));
        }
      }
      if (error != null) {
        LOG.debug("{}: delivery batch failed, retrying: {}", nodeId, error.toString());
        later(FAILURE_PAUSE_MS, this::pumpDeliveries);
      } else if (again.size() == batch.size()) {
        later(RETRY_PAUSE_MS, this::pumpDeliveries);
      } else {
        pumpDeliveries();
      }
    }), loop);
  }

  private static <T> List<T> retried(List<T> batch, BatchReply reply) {
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

  // timers

  private void armTimers() {
    if (!active || fireInFlight || dueTimers.isEmpty()) {
      return;
    }
    long now = wallClockMs.getAsLong();
    long wakeAt = Math.max(dueTimers.first().dueMs(), now);
    if (fireTokensAvailable() < 1) {
      wakeAt = Math.max(wakeAt, now + (long) Math.ceil(1000.0 / firesPerSecondMax));
    }
    wakeAt = Math.min(wakeAt, now + WALL_CLOCK_RECHECK_MS);
    if (wakeAt <= now) {
      fireDueTimers();
      return;
    }
    if (timerWake != null && timerWakeAtMs <= wakeAt) {
      return;
    }
    if (timerWake != null) {
      timerWake.cancel(false);
    }
    timerWakeAtMs = wakeAt;
    long gen = generation;
    timerWake = loop.schedule(() -> {
      if (gen == generation) {
        timerWake = null;
        timerWakeAtMs = Long.MAX_VALUE;
        armTimers();
      }
    }, wakeAt - now, TimeUnit.MILLISECONDS);
  }

  /** Refills the rate limit's tokens for the monotonic time since the last refill. */
  private double fireTokensAvailable() {
    long nowNs = System.nanoTime();
    fireTokens = Math.min(firesPerSecondMax, fireTokens + (nowNs - fireTokensAtNs) * firesPerSecondMax / 1e9);
    fireTokensAtNs = nowNs;
    return fireTokens;
  }

  private void fireDueTimers() {
    long now = wallClockMs.getAsLong();
    List<Due> batch = new ArrayList<>();
    CommandBatch.Builder b = CommandBatch.newBuilder();
    while (!dueTimers.isEmpty() && dueTimers.first().dueMs() <= now && batch.size() < ITEMS_PER_ENTRY_MAX
        && fireTokens >= 1) {
      Due due = dueTimers.pollFirst();
      PendingTimer current = outbox.timer(due.key());
      if (current == null || current.getSeq() != due.seq()) {
        continue; // cancelled, replaced or fired: nothing to do
      }
      fireTokens -= 1;
      batch.add(due);
      b.addTimerFires(TimerFire.newBuilder().setOwner(Protos.ref(due.key().owner())).setName(due.key().name())
          .setSeq(due.seq()));
    }
    if (batch.isEmpty()) {
      armTimers();
      return;
    }
    fireInFlight = true;
    long gen = generation;
    submitter.submit(b.build()).whenCompleteAsync(loop.guarded((reply, error) -> {
      if (gen != generation) {
        return;
      }
      fireInFlight = false;
      List<Due> again = error != null ? batch : retried(batch, reply);
      if (again.isEmpty()) {
        armTimers();
        return;
      }
      // The pause runs on the monotonic clock; the timers keep their (past) due times.
      later(error != null ? FAILURE_PAUSE_MS : RETRY_PAUSE_MS * 5, () -> {
        dueTimers.addAll(again);
        armTimers();
      });
      armTimers();
    }), loop);
  }

  // at-least-once effects

  /** Dispatches every effect of the applied outbox not already under way; returns how many are pending. */
  private int dispatchPendingEffects() {
    int pending = 0;
    for (Map.Entry<Outbox.Id, PendingEffect> entry : outbox.effects()) {
      dispatchEffect(entry.getKey());
      pending++;
    }
    return pending;
  }

  private void dispatchEffect(Outbox.Id id) {
    if (!active || effectsPaused || effectsBusy.contains(id)) {
      return;
    }
    PendingEffect effect = outbox.effect(id);
    if (effect == null) {
      return;
    }
    effectsBusy.add(id);
    int attempt = effect.getAttempts() + 1;
    EffectContext ctx = new EffectContext(id.source().ecosystem(), EntityRef.of(id.source().type(), id.source().id()),
        effect.getVersion(), effect.getLogIndex(), effect.getTerm(), (int) Math.min(id.seq(), Integer.MAX_VALUE),
        nodeId);
    long gen = generation;
    // The attempt timeout counts from the handler's start, on its own lane: waiting behind a hung
    // handler of the same name is no attempt, and a timeout interrupts the handler's thread.
    lanes.submit(effect.getHandler(), () -> {
      if (!active || !stillLeader.getAsBoolean()) {
        throw new NotLeaderAnyMore();
      }
      if (effectsPaused) {
        throw new PausedBeforeAttempt();
      }
      handlers.invoke(id.source(), effect, ctx);
    }, retry.attemptTimeout().toMillis())
        .whenCompleteAsync(loop.guarded((ok, failure) -> {
          if (gen != generation) {
            return; // no longer this leadership's effect: the next leader re-dispatches it
          }
          Throwable error = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          if (error instanceof EffectLanes.LaneFullException) {
            // Not an attempt: the handler's lane is full (its handlers are slow or hung). The effect
            // waits in the outbox; look again after a pause.
            LOG.debug("{}: {}", nodeId, error.getMessage());
            later(FAILURE_PAUSE_MS * 5, () -> {
              effectsBusy.remove(id);
              dispatchEffect(id);
            });
            return;
          }
          if (error instanceof NotLeaderAnyMore) {
            // Ratis says we are deposed; deactivate() is on its way. Should we still be leader
            // after a pause, try again then.
            later(FAILURE_PAUSE_MS, () -> {
              effectsBusy.remove(id);
              dispatchEffect(id);
            });
            return;
          }
          if (error instanceof PausedBeforeAttempt) {
            // Not an attempt. A resume applied meanwhile found this effect busy and skipped it, so
            // look again: still paused, nothing happens (the resume to come dispatches it).
            effectsBusy.remove(id);
            dispatchEffect(id);
            return;
          }
          EffectReport.Builder report = EffectReport.newBuilder().setId(id.toProto());
          if (error == null) {
            report.setSucceeded(true);
          } else {
            String text = error instanceof java.util.concurrent.TimeoutException
                ? "no answer within " + retry.attemptTimeout().toMillis() + " ms (its thread was interrupted)"
                : error.toString();
            if (text.length() > ERROR_CHARS_MAX) {
              text = text.substring(0, ERROR_CHARS_MAX);
            }
            boolean last = attempt >= retry.attemptsMax();
            LOG.warn("{}: at-least-once effect {} via '{}' failed (attempt {} of {}){}: {}", nodeId,
                ctx.idempotencyKey(), effect.getHandler(), attempt, retry.attemptsMax(),
                last ? ", moving it to the dead letters" : "", text);
            report.setFailed(EffectFailure.newBuilder().setAttempt(attempt).setError(text).setDeadLetter(last)
                .setTimestampMs(System.currentTimeMillis()));
          }
          reports.addLast(report.build());
          pumpReports();
        }), loop);
  }

  /** Not an attempt: the node stepped down before the handler ran. */
  private static final class NotLeaderAnyMore extends RuntimeException {
    NotLeaderAnyMore() {
      super("not leader any more", null, false, false);
    }
  }

  /** Not an attempt: effects were paused between the dispatch and the handler thread's turn. */
  private static final class PausedBeforeAttempt extends RuntimeException {
    PausedBeforeAttempt() {
      super("at-least-once effects are paused", null, false, false);
    }
  }

  private void pumpReports() {
    if (!active || reportInFlight || reports.isEmpty()) {
      return;
    }
    List<EffectReport> batch = new ArrayList<>();
    while (!reports.isEmpty() && batch.size() < ITEMS_PER_ENTRY_MAX) {
      batch.add(reports.pollFirst());
    }
    reportInFlight = true;
    long gen = generation;
    submitter.submit(CommandBatch.newBuilder().addAllEffectReports(batch).build()).whenCompleteAsync(loop.guarded((reply, error) -> {
      if (gen != generation) {
        return;
      }
      reportInFlight = false;
      if (error != null) {
        for (int i = batch.size() - 1; i >= 0; i--) {
          reports.addFirst(batch.get(i));
        }
        later(FAILURE_PAUSE_MS, this::pumpReports);
        return;
      }
      for (int i = 0; i < batch.size(); i++) {
        EffectReport r = batch.get(i);
        Outbox.Id id = Outbox.Id.of(r.getId());
        boolean retryLater = r.hasFailed() && !r.getFailed().getDeadLetter() && reply.getWork(i) == WorkStatus.DONE;
        if (retryLater) {
          long pauseMs = retry.backoffAfter(r.getFailed().getAttempt()).toMillis();
          pauseMs += (long) (pauseMs * 0.2 * ThreadLocalRandom.current().nextDouble());
          later(pauseMs, () -> {
            effectsBusy.remove(id);
            dispatchEffect(id);
          });
        } else {
          effectsBusy.remove(id);
        }
      }
      pumpReports();
    }), loop);
  }

  private void later(long delayMs, Runnable task) {
    long gen = generation;
    loop.schedule(() -> {
      if (gen == generation) {
        task.run();
      }
    }, delayMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    active = false;
    loop.shutdownNow();
    lanes.close();
  }
}
