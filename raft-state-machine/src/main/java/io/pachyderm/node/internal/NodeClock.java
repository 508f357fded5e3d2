package io.pachyderm.node.internal;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The two clocks of the node's off-log work, passed in so that tests drive time instead of
 * sleeping. {@link #SYSTEM} is the only place here that reads the machine's clocks.
 *
 * <p>Intervals and deadlines (retry pauses, backoffs, the timer rate limit's refill) are measured
 * on {@link #monotonicNs()}, which a step of the wall clock (NTP, a VM resume) does not move; the
 * wall clock is read only where a wall time is the point: whether a timer's {@code dueMs} (a wall
 * time written in the log) has come, and the timestamp of a failed attempt.
 *
 * <p>Implementations are thread-safe.
 */
interface NodeClock {
  /** Nanoseconds from an arbitrary origin; only differences mean anything. Never goes back. */
  long monotonicNs();

  /** Milliseconds since the epoch; may step either way. */
  long wallMs();

  /**
   * The machine's monotonic clock with {@code wallMs} as the wall clock: for a node whose wall
   * clock is set from outside (a test that steps it), so that the leader's due times and its
   * decisions read one clock.
   */
  static NodeClock withWallClock(LongSupplier wallMs) {
    Objects.requireNonNull(wallMs, "wallMs");
    return new NodeClock() {
      @Override
      public long monotonicNs() {
        return SYSTEM.monotonicNs();
      }

      @Override
      public long wallMs() {
        return wallMs.getAsLong();
      }
    };
  }

  /** The machine's clocks: {@link System#nanoTime()} and {@link System#currentTimeMillis()}. */
  NodeClock SYSTEM = new NodeClock() {
    @Override
    public long monotonicNs() {
      return System.nanoTime();
    }

    @Override
    public long wallMs() {
      return System.currentTimeMillis();
    }

    @Override
    public String toString() {
      return "NodeClock.SYSTEM";
    }
  };
}
