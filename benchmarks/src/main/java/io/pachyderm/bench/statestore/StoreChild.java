package io.pachyderm.bench.statestore;

import io.pachyderm.api.EntityState;
import io.pachyderm.api.ReadMode;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.examples.counter.Counter;
import io.pachyderm.local.LocalPachyderm;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The child JVM of {@link StateStoreBenchmark} for one local node ({@code LocalPachyderm}) and
 * one state store: {@code populate} creates N counters and reads each back; {@code latency}
 * reopens that directory (its first call times the restart) and runs calls over the existing
 * counters until the node has taken at least {@code --snapshots-min} snapshots; {@code readback}
 * reopens a populated directory and only reads every counter back (populate's second half, for a
 * directory kept with {@code --keep}). It speaks
 * {@link ChildLine}s on stdout; its own progress and errors go to stderr.
 */
@Command(name = "state-store-child", description = "One local node under the state-store benchmark (started by it).")
final class StoreChild implements Callable<Integer> {
  /** The counters: entity i is {@code c<i>}, one {@code Increment(1)} each when populated. */
  static EntityRef<Counter.State, Counter.Command> counter(long i) {
    return Counter.TYPE.ref("c" + i);
  }

  /** Latencies are recorded in microseconds up to this; a slower call counts as this. */
  private static final long LATENCY_US_MAX = TimeUnit.MINUTES.toMicros(10);
  private static final long POLL_MS = 200;

  @Parameters(index = "0", description = "populate, latency or readback")
  String mode;

  @Option(names = "--dir", required = true)
  Path dir;

  @Option(names = "--store", required = true)
  String store;

  @Option(names = "--entities", required = true)
  long entities;

  @Option(names = "--callers", defaultValue = "64")
  int callers;

  @Option(names = "--snapshot-entries", defaultValue = "10000",
      description = "The node's snapshot threshold (log entries between automatic snapshots).")
  long snapshotEntries;

  @Option(names = "--snapshots-min", defaultValue = "5")
  int snapshotsMin;

  @Option(names = "--calls-min", defaultValue = "20000")
  long callsMin;

  @Option(names = "--calls-max", defaultValue = "10000000")
  long callsMax;

  @Option(names = "--seconds-max", defaultValue = "600")
  long secondsMax;

  private final PrintStream out = System.out;
  private final AtomicLong progress = new AtomicLong();

  public static void main(String[] args) {
    int code = new CommandLine(new StoreChild()).execute(args);
    // Nodes leave non-daemon threads behind only on failure; exit either way so the driver moves on.
    System.exit(code);
  }

  @Override
  public Integer call() throws Exception {
    StoreKind kind = StoreKind.parse(store);
    Callers.reportProgress(out, progress);
    long mainAtMs = System.currentTimeMillis();
    ChildLine.result(out, "jvm-start-to-main-ms", mainAtMs - ManagementFactory.getRuntimeMXBean().getStartTime());
    switch (mode) {
      case "populate" -> populate(kind);
      case "latency" -> latency(kind);
      case "readback" -> readBackOnly(kind);
      default -> throw new CommandLine.ParameterException(new CommandLine(this),
          "mode must be populate, latency or readback, was '" + mode + "'");
    }
    ChildLine.done(out);
    return 0;
  }

  private LocalPachyderm open(StoreKind kind) {
    LocalPachyderm.Builder b = LocalPachyderm.builder(dir)
        .entityTypes(EntityTypes.of(Counter.TYPE))
        .effectHandler(Counter.ADMIN_MAILER, (Counter.ThresholdReached t, EffectContext ctx) -> { })
        .snapshotThresholdEntries(snapshotEntries)
        .requestTimeout(Duration.ofSeconds(60));
    return kind.configure(b).open();
  }

  /** Creates counters 0..N-1 from the callers, then reads every one back. */
  private void populate(StoreKind kind) throws InterruptedException {
    try (LocalPachyderm local = open(kind)) {
      stderr("populate: creating " + entities + " counters from " + callers + " callers");
      Callers.Outcome created = Callers.run(callers, entities, progress,
          i -> local.call(counter(i), new Counter.Increment(1)).state().count() == 1);
      ChildLine.result(out, "created", created.ok());
      ChildLine.result(out, "create-failed", created.failed());
      ChildLine.result(out, "create-ms", created.wallNs() / 1_000_000);
      ChildLine.result(out, "create-calls-per-s", Math.round(created.callsPerSecond()));
      if (created.firstFailure() != null) {
        stderr("populate: first failed create: " + created.firstFailure());
      }
      // Stale reads on the only node, after every create was acknowledged: its applied state.
      readBack(local);
      ChildLine.result(out, "heap-after-gc-bytes", Callers.heapAfterGcBytes());
    }
    // At rest, after close: the log, the snapshots and the journal as a restart finds them.
    ChildLine.result(out, "disk-bytes", Callers.diskBytes(dir));
  }

  /** Reopens a populated directory (populate's counters, each at version 1) and reads each back. */
  private void readBackOnly(StoreKind kind) throws InterruptedException {
    long openStartNs = System.nanoTime();
    try (LocalPachyderm local = open(kind)) {
      ChildLine.result(out, "open-ms", (System.nanoTime() - openStartNs) / 1_000_000);
      readBack(local);
      ChildLine.result(out, "heap-after-gc-bytes", Callers.heapAfterGcBytes());
    }
    ChildLine.result(out, "disk-bytes", Callers.diskBytes(dir));
  }

  /** A stale read of every counter: each must be at version 1 with count 1. */
  private void readBack(LocalPachyderm local) throws InterruptedException {
    stderr("reading back " + entities + " counters");
    Callers.Outcome read = Callers.run(callers, entities, progress, i -> {
      EntityState<Counter.State> s = local.queryAsync(counter(i), ReadMode.STALE).get(60, TimeUnit.SECONDS);
      return s.version() == 1 && s.state().count() == 1;
    });
    ChildLine.result(out, "read-ok", read.ok());
    ChildLine.result(out, "read-wrong", read.failed());
    ChildLine.result(out, "read-ms", read.wallNs() / 1_000_000);
    if (read.firstFailure() != null) {
      stderr("first failed read: " + read.firstFailure());
    }
  }

  /**
   * Reopens the populated directory (the driver times process start to the first call), then
   * calls Increment(1) on uniformly chosen existing counters until enough snapshots were taken.
   */
  private void latency(StoreKind kind) throws InterruptedException {
    long openStartNs = System.nanoTime();
    try (LocalPachyderm local = open(kind)) {
      ChildLine.result(out, "open-ms", (System.nanoTime() - openStartNs) / 1_000_000);
      long first = local.call(counter(0), new Counter.Increment(1)).state().count();
      ChildLine.firstCallOk(out);
      // Counter 0 was created with 1 by populate: 2 now means the state came back from disk.
      ChildLine.result(out, "restored", first == 2 ? "yes" : "NO(count=" + first + ")");
      SnapshotWatch snapshots = new SnapshotWatch(local.node().meterRegistry());
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong calls = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      List<Histogram> histograms = new ArrayList<>();
      List<Thread> workers = new ArrayList<>();
      long startNs = System.nanoTime();
      for (int t = 0; t < callers; t++) {
        Histogram h = new Histogram(LATENCY_US_MAX, 3);
        histograms.add(h);
        SplittableRandom random = new SplittableRandom(t);
        Thread w = new Thread(() -> {
          while (!stop.get() && calls.getAndIncrement() < callsMax) {
            long callStartNs = System.nanoTime();
            try {
              local.call(counter(random.nextLong(entities)), new Counter.Increment(1));
              h.recordValue(Math.min(LATENCY_US_MAX, (System.nanoTime() - callStartNs) / 1_000)); // each thread its own
            } catch (RuntimeException e) {
              if (failed.getAndIncrement() == 0) {
                stderr("latency: first failed call: " + e);
              }
            }
            progress.incrementAndGet();
          }
        }, "bench-caller-" + t);
        w.start();
        workers.add(w);
      }
      long deadlineNs = startNs + TimeUnit.SECONDS.toNanos(secondsMax);
      boolean timedOut = false;
      while (workers.stream().anyMatch(Thread::isAlive)) {
        Thread.sleep(POLL_MS);
        snapshots.poll();
        if (snapshots.snapshots() >= snapshotsMin && calls.get() >= callsMin) {
          stop.set(true);
        }
        if (System.nanoTime() - deadlineNs > 0 && !stop.get()) {
          timedOut = true;
          stop.set(true);
        }
      }
      for (Thread w : workers) {
        w.join();
      }
      long wallNs = System.nanoTime() - startNs;
      snapshots.poll();
      Histogram all = new Histogram(LATENCY_US_MAX, 3);
      for (Histogram h : histograms) {
        all.add(h);
      }
      ChildLine.result(out, "calls", all.getTotalCount());
      ChildLine.result(out, "calls-failed", failed.get());
      ChildLine.result(out, "calls-per-s", Math.round(all.getTotalCount() * 1e9 / wallNs));
      ChildLine.result(out, "p50-us", all.getValueAtPercentile(50));
      ChildLine.result(out, "p99-us", all.getValueAtPercentile(99));
      ChildLine.result(out, "max-us", all.getMaxValue());
      ChildLine.result(out, "snapshots", snapshots.snapshots());
      ChildLine.result(out, "snapshots-short", timedOut && snapshots.snapshots() < snapshotsMin ? "yes" : "no");
      ChildLine.result(out, "snapshot-ms-mean", Math.round(snapshots.meanMs()));
      ChildLine.result(out, "snapshot-ms-max", Math.round(snapshots.maxMs()));
      ChildLine.result(out, "snapshot-bytes", snapshots.lastBytes());
      ChildLine.result(out, "heap-after-gc-bytes", Callers.heapAfterGcBytes());
    }
  }

  private static void stderr(String line) {
    System.err.println("[child] " + line);
    System.err.flush();
  }
}
