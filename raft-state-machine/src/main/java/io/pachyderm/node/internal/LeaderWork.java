package io.pachyderm.node.internal;

import io.pachyderm.replica.Outbox;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.node.settings.EffectRetry;
import io.pachyderm.node.settings.QueueLimits;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.WorkStatus;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What only a ready leader does for reliable messaging, off the apply path, as one agent with three
 * pumps: {@link DeliveryPump} turns committed outbox messages into delivery entries,
 * {@link TimerPump} fires due timers (at a bounded rate), {@link EffectPump} runs at-least-once
 * effects and records their outcome. Everything they propose is a log entry the state machine
 * validates against the applied outbox, so a stale or duplicate proposal is a no-op
 * ({@link WorkStatus#GONE}), and a new leader simply rescans the outbox.
 *
 * <p>Threading: the apply thread calls the {@code *Added}/{@code activate}/{@code deactivate}/
 * {@code effectsPaused} methods, which only post tasks to the agent's inbox; answers of proposals
 * and attempts are posted there too. Everything else (the pumps, their queues, the
 * {@link Deadlines}) is touched only by {@link #doWork()}, one turn at a time: on the node, by one
 * thread that {@link #start()} creates; in a test, by the test's own thread, which moves the
 * injected clock and takes the turns itself. A generation number, bumped on every activation
 * change, makes late answers from an earlier leadership harmless.
 *
 * <p>Time and chance come in through the constructor: a {@link NodeClock} (every interval on its
 * monotonic clock; its wall clock only for due times and failure timestamps, see
 * {@link TimerPump}) and the {@link RandomGenerator} of retries' jitter. Nothing here reads the
 * machine's clock or a random source of its own.
 *
 * <p>Bounds: hand-overs from the apply thread wait in the inbox up to
 * {@link QueueLimits#leaderWorkTasksQueuedMax()}; past it they are dropped and one rescan of the
 * outbox is queued instead, which finds the same work (the outbox is the truth). Each pump holds a
 * bounded window of the outbox's items (a few thousand: {@link DeliveryPump#WINDOW_ITEMS_MAX},
 * {@link TimerPump#WINDOW_ITEMS_MAX}, {@link EffectPump#WINDOW_ITEMS_MAX}) and reads the next page
 * from the outbox when it runs low, so a leader's heap does not grow with {@code outboxItemsMax}.
 * Answers in the inbox are bounded by what is in flight: one proposal per pump and one attempt per
 * busy effect. A turn runs at most {@link #TASKS_PER_TURN_MAX}
 * inbox tasks and as many due deadlines, so no source starves the other.
 */
final class LeaderWork implements AutoCloseable, WorkLoop {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderWork.class);
  /** Inbox tasks, and then due deadlines, one turn runs at most. */
  static final int TASKS_PER_TURN_MAX = 1_024;

  /** Proposes a batch of internal work to this node's Raft server and returns the applied reply. */
  interface Submitter {
    CompletableFuture<BatchReply> submit(CommandBatch batch);
  }

  /** Runs one at-least-once effect's handler; a throw is a failed attempt. */
  interface HandlerInvoker {
    void invoke(EntityKey source, PendingEffect effect, EffectContext ctx) throws Exception;
  }

  private final String nodeId;
  private final Outbox outbox;
  private final NodeClock clock;
  private final Consumer<Throwable> onLoopError;
  private final AttemptRunner attempts;
  private final int handOversQueuedMax;
  private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
  /** Hand-overs from the apply thread in the inbox and not yet run. */
  private final AtomicInteger handOversQueued = new AtomicInteger();
  /** A rescan is queued in the inbox in place of dropped hand-overs. */
  private final AtomicBoolean rescanQueued = new AtomicBoolean();
  private final AtomicLong handOversDropped = new AtomicLong();
  private final AtomicBoolean turnRequested = new AtomicBoolean();
  private volatile boolean active;
  private volatile boolean closed;
  /** A copy of the replicated setting, written by the apply thread; read on the loop and attempt threads. */
  private volatile boolean effectsPaused;
  /** The thread that takes the turns on a node; null while the caller takes them ({@link #doWork()}). */
  private volatile GuardedLoop runner;

  // Touched only during a turn.
  private long generation;
  private final Deadlines deadlines = new Deadlines();
  private final DeliveryPump deliveries;
  private final TimerPump timers;
  private final EffectPump effects;
  // Touched only on the runner's thread.
  private ScheduledFuture<?> runnerWake;
  private long runnerWakeAtNs = Long.MAX_VALUE;

  /**
   * The node's leader work: attempts run on one {@link EffectLanes lane} per registered handler.
   *
   * @param stillLeader asked on the attempt's thread right before each attempt: Ratis may know of a
   *     step-down (a paused leader resuming) before {@link #deactivate()} reaches this loop
   * @param handlerNames the registered handlers, each of which gets its own lane
   * @param clock the node's clocks ({@link NodeClock#SYSTEM} on a node)
   * @param random the jitter of effect retries; used on the loop only, so it need not be thread-safe
   * @param onLoopError what an unexpected throw on the loop reports to (the node's fail-stop)
   */
  LeaderWork(String nodeId, Outbox outbox, Submitter submitter, HandlerInvoker handlers, BooleanSupplier stillLeader,
             EffectRetry retry, int firesPerSecondMax, QueueLimits limits, Set<String> handlerNames, NodeClock clock,
             RandomGenerator random, Consumer<Throwable> onLoopError) {
    this(nodeId, outbox, submitter, handlers, stillLeader, retry, firesPerSecondMax, limits.leaderWorkTasksQueuedMax(),
        new EffectLanes("pachyderm-effects-alo-" + nodeId, handlerNames, limits.effectHandlerThreadsMax(),
            limits.effectsQueuedPerHandlerMax()), clock, random, onLoopError);
  }

  /** As above, with attempts run by {@code attempts} (closed with this). */
  LeaderWork(String nodeId, Outbox outbox, Submitter submitter, HandlerInvoker handlers, BooleanSupplier stillLeader,
             EffectRetry retry, int firesPerSecondMax, int handOversQueuedMax, AttemptRunner attempts, NodeClock clock,
             RandomGenerator random, Consumer<Throwable> onLoopError) {
    if (handOversQueuedMax < 1) {
      throw new IllegalArgumentException("leaderWorkTasksQueuedMax must be >= 1, got " + handOversQueuedMax);
    }
    this.nodeId = nodeId;
    this.outbox = outbox;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.onLoopError = Objects.requireNonNull(onLoopError, "onLoopError");
    this.attempts = attempts;
    this.handOversQueuedMax = handOversQueuedMax;
    this.deliveries = new DeliveryPump(nodeId, outbox, submitter, this);
    this.timers = new TimerPump(outbox, submitter, this, firesPerSecondMax);
    this.effects = new EffectPump(nodeId, outbox, submitter, handlers, stillLeader, () -> effectsPaused, retry,
        attempts, Objects.requireNonNull(random, "random"), this);
  }

  /** Starts the thread that takes the turns (a node's way); a test takes them with {@link #doWork()}. */
  LeaderWork start() {
    if (runner != null) {
      throw new IllegalStateException("leader work of " + nodeId + " already started");
    }
    // An unexpected throw on the loop would silently stop deliveries, timers or effects: fail-stop.
    runner = new GuardedLoop("pachyderm-leader-work-" + nodeId, onLoopError);
    // A wake is cancelled whenever an earlier deadline comes: drop it at once instead of at its time.
    runner.setRemoveOnCancelPolicy(true);
    requestTurn();
    return this;
  }

  // ---- called on the apply thread ---------------------------------------------------------

  @Override
  public boolean active() {
    return active;
  }

  /** As {@link #active()}: the name the state machine knows. */
  boolean isActive() {
    return active;
  }

  /**
   * This node is leader and has applied every earlier entry. Items applied from now on are
   * handed over by the {@code *Added} calls; everything applied before is found by the rescan.
   */
  void activate() {
    active = true;
    post(() -> {
      reset();
      rescan();
    });
  }

  void deactivate() {
    if (active) {
      active = false;
      post(this::reset);
    }
  }

  void messageAdded(Outbox.Id id) {
    if (active) {
      handOver(() -> deliveries.messageAdded(id));
    }
  }

  void effectAdded(Outbox.Id id) {
    if (active) {
      handOver(() -> effects.effectAdded(id));
    }
  }

  void timerScheduled(TimerKey key, long seq, long dueMs) {
    if (active) {
      handOver(() -> timers.scheduled(key, seq, dueMs));
    }
  }

  /**
   * The operator's setting as applied (or loaded from a snapshot). Resuming dispatches every
   * pending effect; pausing only stops new attempts (see {@link EffectPump}).
   */
  void effectsPaused(boolean paused) {
    boolean resumed = effectsPaused && !paused;
    effectsPaused = paused;
    if (resumed && active) {
      post(effects::dispatchPending);
    }
  }

  /** Tests: every pump's window, set before the first activation. */
  void pumpWindowItemsMax(int max) {
    deliveries.windowItemsMax(max);
    timers.windowItemsMax(max);
    effects.windowItemsMax(max);
  }

  /** Tests: the most items each pump held at once (deliveries, timers, effects), read between turns. */
  int[] pumpHeldItemsPeaks() {
    return new int[] {deliveries.heldItemsPeak(), timers.heldItemsPeak(), effects.heldItemsPeak()};
  }

  /** Tests: the items each pump holds now (deliveries, timers, effects), read between turns. */
  int[] pumpHeldItems() {
    return new int[] {deliveries.heldItems(), timers.heldItems(), effects.heldItems()};
  }

  /** Hand-overs dropped because the inbox was full (each was found again by a rescan). */
  long handOversDropped() {
    return handOversDropped.get();
  }

  /**
   * Posts {@code task}, unless {@link QueueLimits#leaderWorkTasksQueuedMax()} hand-overs wait
   * already: then the task is dropped and one rescan of the outbox stands in for every dropped task
   * (the apply thread must not wait, and a committed entry cannot be refused).
   */
  private void handOver(Runnable task) {
    if (handOversQueued.incrementAndGet() <= handOversQueuedMax) {
      post(() -> {
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
      post(() -> {
        rescanQueued.set(false);
        rescan();
      });
    }
  }

  private void post(Runnable task) {
    inbox.add(task);
    requestTurn();
  }

  // ---- the turn ---------------------------------------------------------------------------

  /**
   * One turn: runs the inbox's tasks, then the deadlines due by the clock (at most
   * {@link #TASKS_PER_TURN_MAX} of each); returns how many tasks ran (0: nothing to do until a post
   * or the next deadline). One caller at a time: the runner's thread, or a test's.
   */
  int doWork() {
    int ran = 0;
    for (Runnable task; ran < TASKS_PER_TURN_MAX && (task = inbox.poll()) != null; ran++) {
      run(task);
    }
    return ran + deadlines.runDue(clock.monotonicNs(), this::run, TASKS_PER_TURN_MAX);
  }

  private void run(Runnable task) {
    try {
      task.run();
    } catch (Throwable t) {
      if (!closed) {
        onLoopError.accept(t);
      }
    }
  }

  private void requestTurn() {
    GuardedLoop loop = runner;
    if (loop == null || closed || !turnRequested.compareAndSet(false, true)) {
      return;
    }
    try {
      loop.execute(this::turn);
    } catch (RejectedExecutionException e) {
      if (!closed) {
        throw e;
      }
      // closed meanwhile: an answer that arrives after close has nothing left to do
    }
  }

  /** On the runner: a turn, another one at once if there may be more, else a wake at the next deadline. */
  private void turn() {
    turnRequested.set(false);
    if (doWork() > 0) {
      requestTurn();
    }
    long nextNs = deadlines.nextAtNs();
    if (nextNs == Long.MAX_VALUE || closed || (runnerWake != null && runnerWakeAtNs <= nextNs)) {
      return;
    }
    if (runnerWake != null) {
      runnerWake.cancel(false);
    }
    runnerWakeAtNs = nextNs;
    runnerWake = runner.schedule(() -> {
      runnerWake = null;
      runnerWakeAtNs = Long.MAX_VALUE;
      turn();
    }, Math.max(0, nextNs - clock.monotonicNs()), TimeUnit.NANOSECONDS);
  }

  // ---- what the pumps ask of the loop (during a turn) -------------------------------------

  @Override
  public NodeClock clock() {
    return clock;
  }

  @Override
  public Deadlines.Wake later(long delayMs, Runnable task) {
    long gen = generation;
    return deadlines.at(clock.monotonicNs() + TimeUnit.MILLISECONDS.toNanos(delayMs), () -> {
      if (gen == generation) {
        task.run();
      }
    });
  }

  @Override
  public <T> void whenDone(CompletableFuture<T> future, BiConsumer<T, Throwable> then) {
    long gen = generation;
    future.whenComplete((value, error) -> post(() -> {
      if (gen == generation) {
        then.accept(value, error);
      }
    }));
  }

  private void reset() {
    generation++;
    deadlines.clear(); // every deadline belongs to the leadership that just ended
    deliveries.reset();
    timers.reset();
    effects.reset();
  }

  private void rescan() {
    if (!active) {
      return;
    }
    int m = deliveries.takeOver();
    int e = effects.dispatchPending();
    int t = timers.takeOver();
    if (m + e + t > 0) {
      LOG.info("{} took over {} undelivered messages, {} unacknowledged effects, {} timers", nodeId, m, e, t);
    }
  }

  @Override
  public void close() {
    active = false;
    closed = true;
    GuardedLoop loop = runner;
    if (loop != null) {
      loop.shutdownNow();
    }
    attempts.close();
  }
}
