package io.pachyderm.node.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NodeClockTest {
  @Test
  void aClockWithASetWallClockReadsItForWallTimeAndTheMachineForIntervals() {
    AtomicLong wall = new AtomicLong(42);
    NodeClock clock = NodeClock.withWallClock(wall::get);
    assertThat(clock.wallMs()).isEqualTo(42);
    wall.set(-1_000); // a step back far past the epoch: only the wall clock moves
    assertThat(clock.wallMs()).isEqualTo(-1_000);

    long before = clock.monotonicNs();
    assertThat(clock.monotonicNs()).as("monotonic, whatever the wall clock does").isGreaterThanOrEqualTo(before);
  }
}
