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
import java.util.Map;
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
 * <p>Bounds: the due set mirrors the replicated outbox's timers (a set, not a queue: a rescan adds
 * every timer again, and one timer must be proposed once), so it holds at most
 * {@code outboxItemsMax} entries.
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

  private record Due(long dueMs, TimerKey key, long seq) {}

  private final Outbox outbox;
  private final LeaderWork.Submitter submitter;
  private final WorkLoop loop;
  private final double firesPerSecondMax;
  private final TreeSet<Due> dueTimers = new TreeSet<>(
      Comparator.comparingLong(Due::dueMs).thenComparing(Due::key).thenComparingLong(Due::seq));
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
    inFlight = false;
    if (wake != null) {
      wake.cancel();
      wake = null;
    }
    wakeAtMs = Long.MAX_VALUE;
    fireTokens = firesPerSecondMax;
    fireTokensAtNs = loop.clock().monotonicNs();
  }

  /** Takes every timer of the outbox, then fires those due; returns how many the outbox holds. */
  int takeOver() {
    int timers = 0;
    for (Map.Entry<TimerKey, PendingTimer> entry : outbox.timers()) {
      dueTimers.add(new Due(entry.getValue().getDueMs(), entry.getKey(), entry.getValue().getSeq()));
      timers++;
    }
    arm();
    return timers;
  }

  void scheduled(TimerKey key, long seq, long dueMs) {
    dueTimers.add(new Due(dueMs, key, seq));
    arm();
  }

  private void arm() {
    if (!loop.active() || inFlight || dueTimers.isEmpty()) {
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
    loop.whenDone(submitter.submit(proposal.build()), (reply, error) -> {
      inFlight = false;
      List<Due> again = error != null ? batch : WorkLoop.retried(batch, reply);
      if (again.isEmpty()) {
        arm();
        return;
      }
      // The pause runs on the monotonic clock; the timers keep their (past) due times.
      loop.later(error != null ? FAILURE_PAUSE_MS : RETRY_PAUSE_MS, () -> {
        dueTimers.addAll(again);
        arm();
      });
      arm();
    });
  }
}
