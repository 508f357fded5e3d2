package io.pachyderm.bench.versus;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Calls issued on a fixed schedule ({@link RateSchedule}), whatever the system answers: an open
 * loop. One thread issues the calls asynchronously ({@link Driver#updateAsync}); at most
 * {@code inflightMax} are outstanding, and when that many are, the issuer waits for one to end.
 *
 * <p>Latency is measured from each call's <em>intended</em> start, not from when it was actually
 * issued, so a system that stalls (or an issuer held back by the in-flight limit) is charged for
 * every call that should have started during the stall: the coordinated-omission correction. A
 * closed loop, or an open loop timing from the actual send, would hide those waits.
 *
 * <p>Bounded: the schedule has a fixed number of calls, and after the last one is issued the
 * outstanding calls get {@code drainMax} to finish; those still open then count as errors.
 */
final class OpenLoop {
  /** Latencies up to one minute at 3 significant digits; longer ones are clamped to it. */
  static final long LATENCY_US_MAX = 60_000_000L;
  /** A call issued this much after its intended start counts as a late start (the issuer fell behind). */
  static final long LATE_START_NS = 1_000_000L;

  /** The time source and the wait; the system's in production, a fake one in the tests. */
  interface Ticker {
    long nowNs();

    void sleepUntilNs(long ns) throws InterruptedException;
  }

  static final Ticker SYSTEM = new Ticker() {
    @Override
    public long nowNs() {
      return System.nanoTime();
    }

    @Override
    public void sleepUntilNs(long ns) throws InterruptedException {
      // Bounded by ns itself: each park is at most the time left.
      for (long left = ns - System.nanoTime(); left > 0; left = ns - System.nanoTime()) {
        LockSupport.parkNanos(left);
        if (Thread.interrupted()) {
          throw new InterruptedException("open loop interrupted while waiting for its next call");
        }
      }
    }
  };

  /**
   * What one phase measured.
   *
   * @param offeredPerS the schedule's rate
   * @param ok calls that succeeded
   * @param errors calls that failed, timed out or were still open after the drain
   * @param seconds from the first intended start to the last completion
   * @param latencyUs latency of the successful calls, from their intended start
   * @param lateStarts calls issued more than {@link #LATE_START_NS} after their intended start
   */
  record Measured(double offeredPerS, long ok, long errors, double seconds, Histogram latencyUs, long lateStarts,
                  String firstError) {
    double achievedPerS() {
      return seconds > 0 ? ok / seconds : 0;
    }
  }

  private final Driver driver;
  private final KeyChooser chooser;
  private final long seed;
  private final int inflightMax;
  private final Ticker ticker;

  OpenLoop(Driver driver, KeyChooser chooser, long seed, int inflightMax, Ticker ticker) {
    if (inflightMax < 1) {
      throw new IllegalArgumentException("inflightMax must be >= 1, was " + inflightMax);
    }
    this.driver = driver;
    this.chooser = chooser;
    this.seed = seed;
    this.inflightMax = inflightMax;
    this.ticker = ticker;
  }

  Measured run(RateSchedule schedule, Duration drainMax) throws InterruptedException {
    Semaphore inflight = new Semaphore(inflightMax);
    Histogram latencyUs = new Histogram(LATENCY_US_MAX, 3);
    AtomicLong errors = new AtomicLong();
    AtomicLong lastDoneNs = new AtomicLong(Long.MIN_VALUE);
    AtomicReference<String> firstError = new AtomicReference<>();
    SplittableRandom random = new SplittableRandom(seed);
    long lateStarts = 0;
    long issued = 0;
    long startNs = ticker.nowNs();
    for (long i = 0; i < schedule.calls(); i++) {
      long intendedNs = schedule.intendedNs(startNs, i);
      ticker.sleepUntilNs(intendedNs);
      if (!inflight.tryAcquire(drainMax.toNanos(), TimeUnit.NANOSECONDS)) {
        // Nothing came back for a whole drain period: the system is down; stop offering.
        firstError.compareAndSet(null, inflightMax + " calls outstanding for " + drainMax + "; stopped issuing");
        break;
      }
      if (ticker.nowNs() - intendedNs > LATE_START_NS) {
        lateStarts++;
      }
      issued++;
      CompletableFuture<Integer> call;
      try {
        call = driver.updateAsync(chooser.next(random));
      } catch (RuntimeException e) {
        call = CompletableFuture.failedFuture(e);
      }
      call.whenComplete((retries, failure) -> {
        long doneNs = ticker.nowNs();
        lastDoneNs.accumulateAndGet(doneNs, Math::max);
        if (failure == null) {
          synchronized (latencyUs) {
            latencyUs.recordValue(Math.min(LATENCY_US_MAX, Math.max(0, doneNs - intendedNs) / 1_000));
          }
        } else {
          errors.incrementAndGet();
          firstError.compareAndSet(null, failure.toString());
        }
        inflight.release();
      });
    }
    // The drain: every permit back means every issued call ended.
    boolean drained = inflight.tryAcquire(inflightMax, drainMax.toNanos(), TimeUnit.NANOSECONDS);
    long open = drained ? 0 : inflightMax - inflight.availablePermits();
    long notIssued = schedule.calls() - issued;
    long endNs = Math.max(lastDoneNs.get(), startNs + 1);
    synchronized (latencyUs) {
      Histogram copy = latencyUs.copy();
      return new Measured(schedule.ratePerS(), copy.getTotalCount(), errors.get() + open + notIssued,
          (endNs - startNs) / 1e9, copy, lateStarts, firstError.get());
    }
  }
}
