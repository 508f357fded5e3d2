package io.pachyderm.bench.versus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * N callers, each calling the driver and waiting for its answer before the next call (closed loop:
 * latencies are service times at N outstanding calls, not response times at an offered rate).
 * Bounded twice: by a number of calls claimed across all callers and by a deadline; a call in
 * flight at the deadline finishes (within the system's own request timeout) and still counts.
 */
final class ClosedLoop {
  /** Latencies up to one minute at 3 significant digits; longer ones are clamped to it. */
  private static final long LATENCY_US_MAX = 60_000_000L;

  private final Driver driver;
  private final int callers;
  private final Workload workload;
  private final int entities;
  private final KeyChooser chooser;
  private final long seed;

  ClosedLoop(Driver driver, int callers, Workload workload, int entities, long seed) {
    if (callers < 1) {
      throw new IllegalArgumentException("callers must be >= 1, was " + callers);
    }
    this.driver = driver;
    this.callers = callers;
    this.workload = workload;
    this.entities = entities;
    this.chooser = workload.chooser(entities);
    this.seed = seed;
  }

  /** What one phase measured. */
  record Measured(long ops, double seconds, Histogram latencyUs, long retries, long errors, String firstError) {}

  /** Runs until {@code callsMax} calls were started or {@code durationMax} passed. */
  Measured run(long callsMax, Duration durationMax) throws InterruptedException {
    AtomicLong claimed = new AtomicLong();
    AtomicLong retries = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    String[] firstError = new String[1];
    long deadlineNs = System.nanoTime() + durationMax.toNanos();
    List<Histogram> histograms = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    long startNs = System.nanoTime();
    for (int c = 0; c < callers; c++) {
      int caller = c;
      Histogram h = new Histogram(LATENCY_US_MAX, 3);
      histograms.add(h);
      SplittableRandom random = new SplittableRandom(seed * 1_000_003L + c);
      Thread t = new Thread(() -> {
        while (claimed.incrementAndGet() <= callsMax && System.nanoTime() < deadlineNs) {
          int key = chooser.next(random);
          long t0 = System.nanoTime();
          try {
            retries.addAndGet(workload.call(driver, caller, key, entities));
            h.recordValue(Math.min(LATENCY_US_MAX, (System.nanoTime() - t0) / 1_000));
          } catch (Exception e) {
            if (errors.incrementAndGet() == 1) {
              synchronized (firstError) {
                firstError[0] = e.toString();
              }
            }
          }
        }
      }, "versus-caller-" + c);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - startNs) / 1e9;
    Histogram all = new Histogram(LATENCY_US_MAX, 3);
    for (Histogram h : histograms) {
      all.add(h);
    }
    synchronized (firstError) {
      return new Measured(all.getTotalCount(), seconds, all, retries.get(), errors.get(), firstError[0]);
    }
  }
}
