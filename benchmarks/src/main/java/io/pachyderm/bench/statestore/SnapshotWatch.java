package io.pachyderm.bench.statestore;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Counts a node's snapshots and times each from its own metrics: the timer
 * {@code pachyderm.snapshot.duration} (one record per snapshot written) and the gauge
 * {@code pachyderm.snapshot.size} (bytes of the last one). Polled from one thread; a poll that
 * finds one new snapshot has that snapshot's exact duration (the timer's total grew by it), one
 * that finds several attributes their mean to each. Counting the snapshot directory instead would
 * miss snapshots: Ratis keeps only the last two.
 */
final class SnapshotWatch {
  static final String DURATION_METER = "pachyderm.snapshot.duration";
  static final String SIZE_METER = "pachyderm.snapshot.size";

  private final MeterRegistry registry;
  private final long startCount;
  private final double startTotalMs;
  private long seenCount;
  private double seenTotalMs;
  private double maxMs;

  SnapshotWatch(MeterRegistry registry) {
    this.registry = registry;
    Timer t = timer();
    this.startCount = t.count();
    this.startTotalMs = t.totalTime(TimeUnit.MILLISECONDS);
    this.seenCount = startCount;
    this.seenTotalMs = startTotalMs;
  }

  private Timer timer() {
    Timer t = registry.find(DURATION_METER).timer();
    if (t == null) {
      throw new IllegalStateException("the node registers no timer " + DURATION_METER
          + ": the benchmark cannot count its snapshots");
    }
    return t;
  }

  /** Reads the timer; call every few hundred milliseconds. */
  void poll() {
    Timer t = timer();
    long count = t.count();
    double totalMs = t.totalTime(TimeUnit.MILLISECONDS);
    if (count > seenCount) {
      maxMs = Math.max(maxMs, (totalMs - seenTotalMs) / (count - seenCount));
      seenCount = count;
      seenTotalMs = totalMs;
    }
  }

  /** Snapshots taken since this watch was made, as of the last poll. */
  long snapshots() {
    return seenCount - startCount;
  }

  double meanMs() {
    long n = snapshots();
    return n == 0 ? 0 : (seenTotalMs - startTotalMs) / n;
  }

  double maxMs() {
    return maxMs;
  }

  /** Bytes of the node's last snapshot, -1 when the node reports none. */
  long lastBytes() {
    Gauge g = registry.find(SIZE_METER).gauge();
    return g == null ? -1 : (long) g.value();
  }
}
