package io.pachyderm.bench.statestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WatchdogTest {
  private static final long S = 1_000_000_000L;

  @Test
  void aChildThatKeepsCompletingCallsIsNotStalled() {
    Watchdog w = new Watchdog(60_000, 0);
    for (long t = 1; t <= 300; t++) {
      w.progress(t * 100, t * S);
      assertThat(w.stalled(t * S + 59 * S)).isFalse();
    }
  }

  @Test
  void noCallCompletedForTheLimitIsAStallEvenWhileTheChildKeepsReportingTheSameCount() {
    Watchdog w = new Watchdog(60_000, 0);
    w.progress(835_147, 10 * S);
    for (long t = 11; t < 70; t++) {
      w.progress(835_147, t * S); // the reporter thread lives on, the count does not move
      assertThat(w.stalled(t * S)).isFalse();
    }
    assertThat(w.stalled(70 * S)).isTrue();
    Watchdog.Verdict v = w.verdict(true, 137, false);
    assertThat(v).isEqualTo(new Watchdog.Verdict.Stalled(835_147, 60));
    assertThat(v.cell()).isEqualTo("STALLED: no call completed for 60 s after 835,147 calls; killed");
  }

  @Test
  void aChildThatNeverReportsStallsFromItsStart() {
    Watchdog w = new Watchdog(1_000, 5 * S);
    assertThat(w.stalled(5 * S + S - 1)).isFalse();
    assertThat(w.stalled(6 * S)).isTrue();
    assertThat(w.doneCalls()).isZero();
  }

  @Test
  void theExitSaysHowTheRunEnded() {
    Watchdog w = new Watchdog(60_000, 0);
    w.progress(42, S);
    assertThat(w.verdict(false, 0, true)).isEqualTo(new Watchdog.Verdict.Completed());
    assertThat(w.verdict(false, Watchdog.OUT_OF_MEMORY_EXIT, false)).isEqualTo(new Watchdog.Verdict.OutOfMemory(42));
    assertThat(w.verdict(false, 1, false)).isEqualTo(new Watchdog.Verdict.Failed(1, 42));
    // Exit 0 without the last line is not a completed run.
    assertThat(w.verdict(false, 0, false)).isEqualTo(new Watchdog.Verdict.Failed(0, 42));
    assertThat(w.verdict(false, Watchdog.OUT_OF_MEMORY_EXIT, false).cell()).isEqualTo("OUT OF MEMORY after 42 calls");
  }

  @Test
  void aZeroLimitIsRefused() {
    assertThatThrownBy(() -> new Watchdog(0, 0)).hasMessageContaining("stall limit must be >= 1 ms: 0");
  }
}
