package io.pachyderm.node.internal;

import io.pachyderm.replica.Outbox;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.TimerFire;
import io.pachyderm.runtime.TimerKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Proposes the fire of every timer of the applied outbox whose due time has come, at most
 * {@code firesPerSecondMax} fires per second (a token bucket), one proposal in flight at a time of
 * at most {@link WorkLoop#ITEMS_PER_PROPOSAL_MAX} fires.
 *
 * <p>Time: a due time is a wall time written in the log, so only the wall clock decides whether a
 * timer is due; the token bucket refills on the monotonic clock, so a step of the wall clock
 * neither stops nor speeds the rate limit (issue 12: a step back stopped the limiter, and so every
 * timer, for as long as the step). While it waits for a due time the pump looks at the wall clock
 * at least every {@link #WALL_CLOCK_RECHECK_MS}, so a step forward is noticed within that.
 *
 * <p>Bounds: the pump holds a window of the earliest timers, at most {@link #WINDOW_ITEMS_MAX}
 * (fires in flight included), never the whole outbox ({@code outboxItemsMax} timers would be
 * hundreds of MB). The window is always a prefix of the outbox's timers in due order
 * ({@link Outbox#timersDueAfter}): it holds every timer up to {@code readUpTo}, the last point read,
 * or every timer when {@code readAll}. So a timer scheduled at or before that point joins the window
 * and one after it is left to the next page, read when the window runs below half. When a scheduled
 * timer overflows the window, the latest one leaves it and the point moves back to the new latest
 * (the outbox still holds the one that left, after that point). A set, not a queue: a timer read
 * twice is held once, and one timer is proposed once.
 *
 * <p>Not thread-safe: touched on the leader's work loop only.
 */
final class TimerPump {
  /** The longest the pump waits towards a due time before it looks at the wall clock again. */
  static final long WALL_CLOCK_RECHECK_MS = 1_000;
  /** After a batch with fires to retry; the timers keep their (past) due times meanwhile. */
  static final long RETRY_PAUSE_MS = 100;
  /** After a proposal that failed. */
  static final long FAILURE_PAUSE_MS = 200;
  /** Timers the pump holds at most (the window and the fires in flight): ~100 B each. */
  static final int WINDOW_ITEMS_MAX = 4_096;

  private record Due(long dueMs, TimerKey key, long seq) {
    Outbox.DuePoint point() {
      return new Outbox.DuePoint(dueMs, key);
    }
  }

  private final Outbox outbox;
  private final LeaderWork.Submitter submitter;
  private final WorkLoop loop;
  private final double firesPerSecondMax;
  private final TreeSet<Due> dueTimers = new TreeSet<>(
      Comparator.comparingLong(Due::dueMs).thenComparing(Due::key).thenComparingLong(Due::seq));
  private int windowItemsMax = WINDOW_ITEMS_MAX;
  /** The last point read from the outbox (null: none yet); the window holds every timer up to it. */
  private Outbox.DuePoint readUpTo;
  /** The last page read came to the outbox's end: the window holds every timer. */
  private boolean readAll;
  /** Fires in the proposal in flight, and fires waiting out a retry pause (held too: they come back). */
  private int firesInFlight;
  private int firesRetrying;
  private int heldPeak;
  private boolean inFlight;
  private Deadlines.Wake wake;
  private long wakeAtMs = Long.MAX_VALUE;
  private double fireTokens;
  private long fireTokensAtNs;

  TimerPump(Outbox outbox, LeaderWork.Submitter submitter, WorkLoop loop, int firesPerSecondMax) {
    if (firesPerSecondMax < 1) {
      throw new IllegalArgumentException("firesPerSecondMax must be >= 1, got " + firesPerSecondMax);
    }
    this.outbox = outbox;
    this.submitter = submitter;
    this.loop = loop;
    this.firesPerSecondMax = firesPerSecondMax;
    reset();
  }

  /** Forgets everything and fills the rate limit: a new leadership starts from the outbox. */
  void reset() {
    dueTimers.clear();
    readUpTo = null;
    readAll = false;
    firesInFlight = 0;
    firesRetrying = 0;
    inFlight = false;
    if (wake != null) {
      wake.cancel();
      wake = null;
    }
    wakeAtMs = Long.MAX_VALUE;
    fireTokens = firesPerSecondMax;
    fireTokensAtNs = loop.clock().monotonicNs();
  }

  /**
   * Reads the outbox's earliest timers again from its start (a new leadership, or hand-overs were
   * dropped), then fires those due; returns how many timers the outbox holds.
   */
  int takeOver() {
    dueTimers.clear();
    readUpTo = null;
    readAll = false;
    arm();
    return outbox.timerCount();
  }

  void scheduled(TimerKey key, long seq, long dueMs) {
    offer(new Due(dueMs, key, seq));
    arm();
  }

  /** Tests: the window's size, set before the leadership starts. */
  void windowItemsMax(int max) {
    if (max < 2) {
      throw new IllegalArgumentException("a timer window holds at least 2 timers, got " + max);
    }
    windowItemsMax = max;
  }

  /** Timers held now: the window and the fires in flight. */
  int heldItems() {
    return dueTimers.size() + firesInFlight + firesRetrying;
  }

  /** The most timers held at once since this pump was made. */
  int heldItemsPeak() {
    return heldPeak;
  }

  /** A timer of the outbox joins the window if it falls inside the part of the due order it holds. */
  private void offer(Due due) {
    if (!readAll && (readUpTo == null || due.point().compareTo(readUpTo) > 0)) {
      return; // after the window: a later page reads it from the outbox
    }
    dueTimers.add(due);
    while (heldItems() > windowItemsMax && !dueTimers.isEmpty()) {
      Due latest = dueTimers.pollLast();
      // Every timer at that point leaves with it, so the window stays a prefix of the due order.
      while (!dueTimers.isEmpty() && dueTimers.last().point().equals(latest.point())) {
        dueTimers.pollLast();
      }
      readUpTo = dueTimers.isEmpty() ? null : dueTimers.last().point();
      readAll = false;
    }
    heldPeak = Math.max(heldPeak, heldItems());
  }

  /** Reads the next page of the outbox's timers once the window runs below half. */
  private void refill() {
    int room = windowItemsMax - heldItems();
    if (readAll || room < windowItemsMax / 2) {
      return;
    }
    List<PendingTimer> page = outbox.timersDueAfter(readUpTo, room);
    for (PendingTimer t : page) {
      Outbox.DuePoint point = Outbox.DuePoint.of(t);
      dueTimers.add(new Due(t.getDueMs(), point.key(), t.getSeq()));
      readUpTo = point;
    }
    readAll = page.size() < room;
    heldPeak = Math.max(heldPeak, heldItems());
  }

  private void arm() {
    if (!loop.active() || inFlight) {
      return;
    }
    refill();
    if (dueTimers.isEmpty()) {
      return;
    }
    long nowMs = loop.clock().wallMs();
    long wakeAt = Math.max(dueTimers.first().dueMs(), nowMs);
    if (fireTokensAvailable() < 1) {
      wakeAt = Math.max(wakeAt, nowMs + (long) Math.ceil(1000.0 / firesPerSecondMax));
    }
    wakeAt = Math.min(wakeAt, nowMs + WALL_CLOCK_RECHECK_MS);
    if (wakeAt <= nowMs) {
      fireDue();
      return;
    }
    if (wake != null && wakeAtMs <= wakeAt) {
      return;
    }
    if (wake != null) {
      wake.cancel();
    }
    wakeAtMs = wakeAt;
    wake = loop.later(wakeAt - nowMs, () -> {
      wake = null;
      wakeAtMs = Long.MAX_VALUE;
      arm();
    });
  }

  /** Refills the rate limit's tokens for the monotonic time since the last refill. */
  private double fireTokensAvailable() {
    long nowNs = loop.clock().monotonicNs();
    fireTokens = Math.min(firesPerSecondMax, fireTokens + (nowNs - fireTokensAtNs) * firesPerSecondMax / 1e9);
    fireTokensAtNs = nowNs;
    return fireTokens;
  }

  private void fireDue() {
    long nowMs = loop.clock().wallMs();
    List<Due> batch = new ArrayList<>();
    CommandBatch.Builder proposal = CommandBatch.newBuilder();
    while (!dueTimers.isEmpty() && dueTimers.first().dueMs() <= nowMs && batch.size() < WorkLoop.ITEMS_PER_PROPOSAL_MAX
        && fireTokens >= 1) {
      Due due = dueTimers.pollFirst();
      PendingTimer current = outbox.timer(due.key());
      if (current == null || current.getSeq() != due.seq()) {
        continue; // cancelled, replaced or fired: nothing to do
      }
      fireTokens -= 1;
      batch.add(due);
      proposal.addTimerFires(TimerFire.newBuilder().setOwner(Protos.ref(due.key().owner())).setName(due.key().name())
          .setSeq(due.seq()));
    }
    if (batch.isEmpty()) {
      arm();
      return;
    }
    inFlight = true;
    firesInFlight = batch.size();
    loop.whenDone(submitter.submit(proposal.build()), (reply, error) -> {
      inFlight = false;
      List<Due> again = error != null ? batch : WorkLoop.retried(batch, reply);
      firesInFlight = 0;
      // The retried fires stay held through their pause: the window does not read past them meanwhile.
      firesRetrying += again.size();
      if (again.isEmpty()) {
        arm();
        return;
      }
      // The pause runs on the monotonic clock; the timers keep their (past) due times.
      loop.later(error != null ? FAILURE_PAUSE_MS : RETRY_PAUSE_MS, () -> {
        firesRetrying -= again.size();
        for (Due due : again) {
          offer(due);
        }
        arm();
      });
      arm();
    });
  }
}
