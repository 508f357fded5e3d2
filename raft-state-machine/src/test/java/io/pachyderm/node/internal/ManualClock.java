package io.pachyderm.node.internal;

import java.util.concurrent.atomic.AtomicLong;

/** A {@link NodeClock} a test moves by hand: both clocks together, or the wall clock alone (an NTP step). */
final class ManualClock implements NodeClock {
  private final AtomicLong monotonicNs = new AtomicLong(1_000_000_000L);
  private final AtomicLong wallMs;

  ManualClock(long wallMs) {
    this.wallMs = new AtomicLong(wallMs);
  }

  /** Time passes: both clocks move forward by {@code ms}. */
  void advanceMs(long ms) {
    if (ms < 0) {
      throw new IllegalArgumentException("time does not go back: " + ms);
    }
    monotonicNs.addAndGet(ms * 1_000_000L);
    wallMs.addAndGet(ms);
  }

  /** The wall clock steps by {@code deltaMs} (either way); no time passes. */
  void stepWallMs(long deltaMs) {
    wallMs.addAndGet(deltaMs);
  }

  @Override
  public long monotonicNs() {
    return monotonicNs.get();
  }

  @Override
  public long wallMs() {
    return wallMs.get();
  }
}
