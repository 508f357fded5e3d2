package io.pachyderm.bench.versus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class OpenLoopTest {
  private static final long MS = 1_000_000L;

  /** A clock that moves only when the loop sleeps or a call stalls. */
  static final class FakeTicker implements OpenLoop.Ticker {
    long nowNs = 5 * MS;

    @Override
    public long nowNs() {
      return nowNs;
    }

    @Override
    public void sleepUntilNs(long ns) {
      nowNs = Math.max(nowNs, ns);
    }
  }

  /** Answers at once, except that call {@code stallCall} holds the issuer for {@code stallNs} first. */
  static class StallingDriver implements Driver {
    final FakeTicker ticker;
    final int stallCall;
    final long stallNs;
    final List<Long> issuedAtNs = new ArrayList<>();
    int failEvery;

    StallingDriver(FakeTicker ticker, int stallCall, long stallNs) {
      this.ticker = ticker;
      this.stallCall = stallCall;
      this.stallNs = stallNs;
    }

    @Override
    public int update(int caller, int key) {
      throw new AssertionError("the open loop must not block");
    }

    @Override
    public CompletableFuture<Integer> updateAsync(int key) {
      issuedAtNs.add(ticker.nowNs);
      if (issuedAtNs.size() - 1 == stallCall) {
        ticker.nowNs += stallNs;
      }
      if (failEvery > 0 && issuedAtNs.size() % failEvery == 0) {
        return CompletableFuture.failedFuture(new IllegalStateException("refused"));
      }
      return CompletableFuture.completedFuture(0);
    }

    @Override
    public void close() {
    }
  }

  @Test
  void calls_start_on_schedule_whatever_the_answers() throws Exception {
    FakeTicker ticker = new FakeTicker();
    StallingDriver driver = new StallingDriver(ticker, -1, 0);
    OpenLoop.Measured m = new OpenLoop(driver, new KeyChooser.Hot(), 1, 8, ticker)
        .run(new RateSchedule(100, 10), Duration.ofSeconds(1));
    assertThat(driver.issuedAtNs).hasSize(10);
    for (int i = 0; i < 10; i++) {
      assertThat(driver.issuedAtNs.get(i)).isEqualTo(5 * MS + i * 10 * MS);
    }
    assertThat(m.ok()).isEqualTo(10);
    assertThat(m.errors()).isZero();
    assertThat(m.lateStarts()).isZero();
    assertThat(m.latencyUs().getMaxValue()).isZero();
  }

  @Test
  void a_stall_is_charged_to_every_call_due_during_it_coordinated_omission_corrected() throws Exception {
    // 100 calls/s, call 0 stalls the issuer 50 ms: calls 1..4 (due at 10..40 ms) go out at 50 ms.
    FakeTicker ticker = new FakeTicker();
    StallingDriver driver = new StallingDriver(ticker, 0, 50 * MS);
    OpenLoop.Measured m = new OpenLoop(driver, new KeyChooser.Hot(), 1, 8, ticker)
        .run(new RateSchedule(100, 10), Duration.ofSeconds(1));
    assertThat(m.ok()).isEqualTo(10);
    // From the intended start: 50, 40, 30, 20, 10, then 0 ms. Timed from the actual send, only call 0 would be slow.
    assertThat(m.latencyUs().getCountBetweenValues(9_000, 61_000)).isEqualTo(5);
    assertThat(m.latencyUs().getMaxValue()).isBetween(49_900L, 50_100L);
    assertThat(m.latencyUs().getMean()).isBetween(14_900.0, 15_100.0);
    assertThat(m.lateStarts()).isEqualTo(4);
    assertThat(m.seconds()).isEqualTo(0.09);
    assertThat(m.achievedPerS()).isBetween(111.0, 111.2);
  }

  @Test
  void failures_are_counted_not_timed() throws Exception {
    FakeTicker ticker = new FakeTicker();
    StallingDriver driver = new StallingDriver(ticker, -1, 0);
    driver.failEvery = 4;
    OpenLoop.Measured m = new OpenLoop(driver, new KeyChooser.Uniform(10), 1, 8, ticker)
        .run(new RateSchedule(1_000, 20), Duration.ofSeconds(1));
    assertThat(m.ok()).isEqualTo(15);
    assertThat(m.errors()).isEqualTo(5);
    assertThat(m.latencyUs().getTotalCount()).isEqualTo(15);
    assertThat(m.firstError()).contains("refused");
  }

  @Test
  void calls_that_never_answer_count_as_errors_after_the_drain_and_the_issuer_stops() throws Exception {
    FakeTicker ticker = new FakeTicker();
    Driver silent = new StallingDriver(ticker, -1, 0) {
      @Override
      public CompletableFuture<Integer> updateAsync(int key) {
        issuedAtNs.add(ticker.nowNs);
        return new CompletableFuture<>();
      }
    };
    OpenLoop.Measured m = new OpenLoop(silent, new KeyChooser.Hot(), 1, 3, ticker)
        .run(new RateSchedule(1_000, 10), Duration.ofMillis(20));
    assertThat(((StallingDriver) silent).issuedAtNs).hasSize(3);
    assertThat(m.ok()).isZero();
    assertThat(m.errors()).isEqualTo(10);
    assertThat(m.firstError()).contains("3 calls outstanding");
  }
}
