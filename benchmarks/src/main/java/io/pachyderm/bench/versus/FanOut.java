package io.pachyderm.bench.versus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The {@code follow} workload (follow fan-out): F followers of one entity (Pachyderm's
 * {@code Entities.follow}, etcd's watch on one key), one publisher updating that entity as fast as
 * it is acknowledged. Every event must reach every follower; the latency of a delivery is from
 * the start of the publish that made the event to the follower's receipt of it. Figures: deliveries
 * per second (events x followers), their latency, and deliveries missing at the end (errors).
 *
 * <p>One publisher, so the entity's updates never race each other (every system serialises them
 * anyway) and each update's marker (Pachyderm's entity version, etcd's revision) names one publish.
 */
final class FanOut {
  /** A follower missing even one event of the probe this long after subscribing: the run fails. */
  static final Duration SUBSCRIBE_WAIT_MAX = Duration.ofSeconds(60);
  /** After the last publish, followers get this long to receive everything. */
  static final Duration DRAIN_WAIT_MAX = Duration.ofSeconds(60);
  private static final long LATENCY_US_MAX = TimeUnit.MINUTES.toMicros(2);
  private static final long POLL_MS = 50;

  /** What one follower received: each event's marker and the receipt time. */
  private static final class Receipts {
    final ConcurrentLinkedQueue<long[]> received = new ConcurrentLinkedQueue<>();
    final AtomicLong lastMarker = new AtomicLong(Long.MIN_VALUE);

    void add(long marker) {
      received.add(new long[] {marker, System.nanoTime()});
      lastMarker.accumulateAndGet(marker, Math::max);
    }
  }

  private FanOut() {
  }

  static ClosedLoop.Measured run(Driver driver, int followers, int key, long publishesMax, Duration duration)
      throws Exception {
    return run(driver, followers, key, publishesMax, duration, DRAIN_WAIT_MAX);
  }

  /** {@link #run} with the wait for the last deliveries given (tests of missing deliveries). */
  static ClosedLoop.Measured run(Driver driver, int followers, int key, long publishesMax, Duration duration,
                                 Duration drainWait) throws Exception {
    List<Receipts> receipts = new ArrayList<>();
    List<AutoCloseable> follows = new ArrayList<>();
    try {
      for (int f = 0; f < followers; f++) {
        Receipts r = new Receipts();
        receipts.add(r);
        follows.add(driver.follow(key, r::add));
      }
      awaitSubscribed(driver, key, receipts);
      for (Receipts r : receipts) {
        r.received.clear();
      }
      Map<Long, Long> startNsByMarker = new HashMap<>();
      long publishErrors = 0;
      String firstError = null;
      long lastMarker = Long.MIN_VALUE;
      long startNs = System.nanoTime();
      long endNs = startNs + duration.toNanos();
      for (long p = 0; p < publishesMax && System.nanoTime() - endNs < 0; p++) {
        long publishStartNs = System.nanoTime();
        try {
          long marker = driver.publish(key);
          startNsByMarker.put(marker, publishStartNs);
          lastMarker = Math.max(lastMarker, marker);
        } catch (Exception e) {
          if (publishErrors++ == 0) {
            firstError = e.toString();
          }
        }
      }
      awaitDelivered(receipts, lastMarker, drainWait);
      Histogram latencyUs = new Histogram(LATENCY_US_MAX, 3);
      long deliveries = 0;
      long lastReceiptNs = startNs;
      for (Receipts r : receipts) {
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (long[] m : r.received) {
          Long sentNs = startNsByMarker.get(m[0]);
          if (sentNs != null && seen.add(m[0])) {
            deliveries++;
            latencyUs.recordValue(Math.min(LATENCY_US_MAX, Math.max(0, (m[1] - sentNs) / 1_000)));
            lastReceiptNs = Math.max(lastReceiptNs, m[1]);
          }
        }
      }
      long missing = (long) startNsByMarker.size() * followers - deliveries;
      if (missing > 0 && firstError == null) {
        firstError = missing + " deliveries missing";
      }
      double seconds = Math.max(1e-9, (lastReceiptNs - startNs) / 1e9);
      return new ClosedLoop.Measured(deliveries, seconds, latencyUs, 0, missing + publishErrors, firstError);
    } finally {
      for (AutoCloseable c : follows) {
        c.close();
      }
    }
  }

  /** Publishes probes until every follower has received one (a subscription may start late). */
  private static void awaitSubscribed(Driver driver, int key, List<Receipts> receipts) throws Exception {
    long deadlineNs = System.nanoTime() + SUBSCRIBE_WAIT_MAX.toNanos();
    while (true) {
      long probe = driver.publish(key);
      long probeDeadlineNs = Math.min(deadlineNs, System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
      while (System.nanoTime() - probeDeadlineNs < 0) {
        if (receipts.stream().allMatch(r -> r.lastMarker.get() >= probe)) {
          return;
        }
        Thread.sleep(POLL_MS);
      }
      if (System.nanoTime() - deadlineNs >= 0) {
        long ready = receipts.stream().filter(r -> r.lastMarker.get() >= probe).count();
        throw new IllegalStateException("follow fan-out: only " + ready + " of " + receipts.size()
            + " followers received an event within " + SUBSCRIBE_WAIT_MAX);
      }
    }
  }

  private static void awaitDelivered(List<Receipts> receipts, long lastMarker, Duration wait)
      throws InterruptedException {
    long deadlineNs = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() - deadlineNs < 0 && !receipts.stream().allMatch(r -> r.lastMarker.get() >= lastMarker)) {
      Thread.sleep(POLL_MS);
    }
  }
}
