package io.pachyderm.node.internal;

import io.pachyderm.replica.Outbox;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.node.settings.EffectRetry;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.EffectFailure;
import io.pachyderm.protocol.EffectReport;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.WorkStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the attempts of the applied outbox's at-least-once effects and proposes their reports
 * (success, failed attempt, dead letter), one report proposal in flight at a time of at most
 * {@link WorkLoop#ITEMS_PER_PROPOSAL_MAX} reports. A failed attempt that is not the last is tried
 * again after {@link EffectRetry#backoffAfter} plus up to 20% jitter drawn from the injected random
 * source, once its report is applied.
 *
 * <p>Paused effects ({@code paused}, the replicated operator setting): no new attempt starts, so
 * none is counted and none can become a dead letter while paused; the effects wait in the outbox.
 * An attempt whose handler had already started when the pause was applied runs to its end and is
 * reported as usual (a running handler cannot be taken back). A retry waiting out its backoff when
 * the pause began is dispatched on resume, with every other pending effect.
 *
 * <p>Bounds: an effect is {@code busy} from its dispatch until its report is applied (or its
 * retry starts), at most once, and at most {@link #WINDOW_ITEMS_MAX} effects are busy, so attempts
 * under way, reports queued and retries waiting are each at most a window, never the whole outbox
 * ({@code outboxItemsMax}); attempts run on the {@link AttemptRunner} (per handler:
 * {@code effectHandlerThreadsMax} threads, {@code effectsQueuedPerHandlerMax} queued). The pump
 * reads the outbox's effects in key order from a cursor, a page at a time once less than half a
 * window is busy; an effect applied after the scan came to the end (or before its cursor) is
 * dispatched at once if the window has room, else the pump makes one more pass from the beginning
 * once this one ends. A new leadership and a resume start from the beginning.
 *
 * <p>Not thread-safe: touched on the leader's work loop only; the attempts run elsewhere.
 */
final class EffectPump {
  private static final Logger LOG = LoggerFactory.getLogger(EffectPump.class);
  /** After a proposal of reports that failed, or before a retry an old leadership's step-down refused. */
  static final long FAILURE_PAUSE_MS = 200;
  /** Before an effect whose handler's lane was full is dispatched again (not an attempt). */
  static final long LANE_FULL_PAUSE_MS = 1_000;
  /** The error text a report keeps of a failed attempt. */
  static final int ERROR_CHARS_MAX = 2000;
  /** A retry waits its backoff plus up to this share of it, so that retries of many effects spread out. */
  static final double JITTER_SHARE_MAX = 0.2;
  /** Effects busy at most (attempts, reports, retries waiting): each holds a closure and its report. */
  static final int WINDOW_ITEMS_MAX = 4_096;

  private final String nodeId;
  private final Outbox outbox;
  private final LeaderWork.Submitter submitter;
  private final LeaderWork.HandlerInvoker handlers;
  private final BooleanSupplier stillLeader;
  private final BooleanSupplier paused;
  private final EffectRetry retry;
  private final AttemptRunner attempts;
  private final RandomGenerator random;
  private final WorkLoop loop;
  private final Set<Outbox.Id> busy = new HashSet<>();
  private final ArrayDeque<EffectReport> reports = new ArrayDeque<>();
  private boolean reportInFlight;
  private int windowItemsMax = WINDOW_ITEMS_MAX;
  /** The pass over the outbox, a page at a time. */
  private final OutboxScan scan;
  private int busyPeak;

  /**
   * @param stillLeader asked on the attempt's thread right before the handler runs: Ratis may know
   *     of a step-down (a paused leader resuming) before the loop hears of it
   * @param paused the replicated setting, read on the loop and on the attempt's thread
   * @param random the jitter of retries; used on the loop only
   */
  EffectPump(String nodeId, Outbox outbox, LeaderWork.Submitter submitter, LeaderWork.HandlerInvoker handlers,
             BooleanSupplier stillLeader, BooleanSupplier paused, EffectRetry retry, AttemptRunner attempts,
             RandomGenerator random, WorkLoop loop) {
    this.nodeId = nodeId;
    this.outbox = outbox;
    this.scan = new OutboxScan(outbox::effectIdsAfter);
    this.submitter = submitter;
    this.handlers = handlers;
    this.stillLeader = stillLeader;
    this.paused = paused;
    this.retry = retry;
    this.attempts = attempts;
    this.random = random;
    this.loop = loop;
  }

  /** Forgets everything: a new leadership starts from the outbox (late answers are dropped by the loop). */
  void reset() {
    busy.clear();
    reports.clear();
    reportInFlight = false;
    scan.reset();
  }

  /**
   * Dispatches the outbox's effects not already under way from its beginning (a new leadership, a
   * resume, dropped hand-overs: after the pass under way, if any), a window at a time; returns how
   * many effects the outbox holds.
   */
  int dispatchPending() {
    scan.rescan();
    refill();
    return outbox.effectCount();
  }

  /** An effect was applied: dispatched now if the scan is past it and the window has room. */
  void effectAdded(Outbox.Id id) {
    if (!loop.active() || busy.contains(id)) {
      return;
    }
    boolean scanWillReadIt = scan.willRead(id);
    if (scanWillReadIt) {
      refill();
    } else if (busy.size() < windowItemsMax) {
      dispatch(id);
    } else {
      scan.passOverlooked();
    }
  }

  /** Tests: the window's size, set before the leadership starts. */
  void windowItemsMax(int max) {
    if (max < 2) {
      throw new IllegalArgumentException("an effect window holds at least 2 effects, got " + max);
    }
    windowItemsMax = max;
  }

  /** Effects busy now. */
  int heldItems() {
    return busy.size();
  }

  /** The most effects busy at once since this pump was made. */
  int heldItemsPeak() {
    return busyPeak;
  }

  /** Reads the next page of the outbox's effects once less than half a window is busy; not while paused. */
  private void refill() {
    int room = windowItemsMax - busy.size();
    if (!loop.active() || paused.getAsBoolean() || room < windowItemsMax / 2) {
      return;
    }
    for (Outbox.Id id : scan.next(room)) {
      dispatch(id);
    }
  }

  private void dispatch(Outbox.Id id) {
    if (!loop.active() || paused.getAsBoolean() || busy.contains(id)) {
      return;
    }
    PendingEffect effect = outbox.effect(id);
    if (effect == null) {
      return;
    }
    busy.add(id);
    busyPeak = Math.max(busyPeak, busy.size());
    int attempt = effect.getAttempts() + 1;
    EffectContext ctx = new EffectContext(id.source().ecosystem(), EntityRef.of(id.source().type(), id.source().id()),
        effect.getVersion(), effect.getLogIndex(), effect.getTerm(), (int) Math.min(id.seq(), Integer.MAX_VALUE),
        nodeId);
    // The attempt timeout counts from the handler's start, on its own lane: waiting behind a hung
    // handler of the same name is no attempt, and a timeout interrupts the handler's thread.
    loop.whenDone(attempts.submit(effect.getHandler(), () -> {
      if (!loop.active() || !stillLeader.getAsBoolean()) {
        throw new NotLeaderAnyMore();
      }
      if (paused.getAsBoolean()) {
        throw new PausedBeforeAttempt();
      }
      handlers.invoke(id.source(), effect, ctx);
    }, retry.attemptTimeout().toMillis()), (ok, failure) -> attempted(id, effect, ctx, attempt, failure));
  }

  private void attempted(Outbox.Id id, PendingEffect effect, EffectContext ctx, int attempt, Throwable failure) {
    Throwable error = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (error instanceof EffectLanes.LaneFullException) {
      // Not an attempt: the handler's lane is full (its handlers are slow or hung). The effect
      // waits in the outbox; look again after a pause.
      LOG.debug("{}: {}", nodeId, error.getMessage());
      loop.later(LANE_FULL_PAUSE_MS, () -> redispatch(id));
      return;
    }
    if (error instanceof NotLeaderAnyMore) {
      // Ratis says we are deposed; the deactivation is on its way. Should we still be leader
      // after a pause, try again then.
      loop.later(FAILURE_PAUSE_MS, () -> redispatch(id));
      return;
    }
    if (error instanceof PausedBeforeAttempt) {
      // Not an attempt. A resume applied meanwhile found this effect busy and skipped it, so look
      // again: still paused, nothing happens (the resume to come dispatches it).
      redispatch(id);
      return;
    }
    EffectReport.Builder report = EffectReport.newBuilder().setId(id.toProto());
    if (error == null) {
      report.setSucceeded(true);
    } else {
      String text = error instanceof TimeoutException
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
          .setTimestampMs(loop.clock().wallMs()));
    }
    reports.addLast(report.build());
    pumpReports();
  }

  private void redispatch(Outbox.Id id) {
    busy.remove(id);
    dispatch(id);
    refill();
  }

  /** The pause before the attempt after failed attempt {@code attempt}: its backoff plus jitter. */
  private long retryPauseMs(int attempt) {
    long pauseMs = retry.backoffAfter(attempt).toMillis();
    return pauseMs + (long) (pauseMs * JITTER_SHARE_MAX * random.nextDouble());
  }

  private void pumpReports() {
    if (!loop.active() || reportInFlight || reports.isEmpty()) {
      return;
    }
    List<EffectReport> batch = new ArrayList<>();
    while (!reports.isEmpty() && batch.size() < WorkLoop.ITEMS_PER_PROPOSAL_MAX) {
      batch.add(reports.pollFirst());
    }
    reportInFlight = true;
    loop.whenDone(submitter.submit(CommandBatch.newBuilder().addAllEffectReports(batch).build()), (reply, error) -> {
      reportInFlight = false;
      if (error != null) {
        for (int i = batch.size() - 1; i >= 0; i--) {
          reports.addFirst(batch.get(i));
        }
        loop.later(FAILURE_PAUSE_MS, this::pumpReports);
        return;
      }
      for (int i = 0; i < batch.size(); i++) {
        EffectReport r = batch.get(i);
        Outbox.Id id = Outbox.Id.of(r.getId());
        boolean retryLater = r.hasFailed() && !r.getFailed().getDeadLetter() && reply.getWork(i) == WorkStatus.DONE;
        if (retryLater) {
          loop.later(retryPauseMs(r.getFailed().getAttempt()), () -> redispatch(id));
        } else {
          busy.remove(id);
        }
      }
      refill();
      pumpReports();
    });
  }

  /** Not an attempt: the node stepped down before the handler ran. */
  private static final class NotLeaderAnyMore extends RuntimeException {
    NotLeaderAnyMore() {
      super("not leader any more", null, false, false);
    }
  }

  /** Not an attempt: effects were paused between the dispatch and the handler's turn. */
  private static final class PausedBeforeAttempt extends RuntimeException {
    PausedBeforeAttempt() {
      super("at-least-once effects are paused", null, false, false);
    }
  }
}
