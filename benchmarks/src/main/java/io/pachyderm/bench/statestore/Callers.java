package io.pachyderm.bench.statestore;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The child side's common parts: a fixed number of caller threads working through numbered
 * calls, a progress reporter the driver's watchdog reads, and disk usage. Not a test helper: this
 * is the benchmark's load.
 */
final class Callers {
  private Callers() {}

  /** One numbered call; returns whether it succeeded (a failure is counted, not thrown). */
  @FunctionalInterface
  interface Call {
    boolean run(long index) throws Exception;
  }

  /** What a run of calls did. */
  record Outcome(long ok, long failed, String firstFailure, long wallNs) {
    double callsPerSecond() {
      return wallNs <= 0 ? 0 : (ok + failed) * 1e9 / wallNs;
    }
  }

  /**
   * Runs calls {@code 0 .. count-1} from {@code threads} threads, each taking the next index, and
   * adds one to {@code progress} per completed call (success or failure). Bounded by
   * {@code count}; a call that never returns is bounded by the client's request timeout.
   */
  static Outcome run(int threads, long count, AtomicLong progress, Call call) throws InterruptedException {
    AtomicLong next = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    long startNs = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      Thread w = new Thread(() -> {
        for (long i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
          boolean success;
          try {
            success = call.run(i);
          } catch (Exception e) {
            firstFailure.compareAndSet(null, "call " + i + ": " + e);
            success = false;
          }
          (success ? ok : failed).incrementAndGet();
          progress.incrementAndGet();
        }
      }, "bench-caller-" + t);
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
    return new Outcome(ok.get(), failed.get(), firstFailure.get(), System.nanoTime() - startNs);
  }

  /** Prints {@code progress} every second on {@code out} until the JVM ends (a daemon thread). */
  static void reportProgress(PrintStream out, AtomicLong progress) {
    Thread reporter = new Thread(() -> {
      while (true) {
        ChildLine.progress(out, progress.get());
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bench-progress");
    reporter.setDaemon(true);
    reporter.start();
  }

  /** Bytes the files under {@code dir} occupy on disk ({@code du -sk}: blocks, not apparent sizes). */
  static long diskBytes(Path dir) {
    try {
      Process du = new ProcessBuilder("du", "-sk", dir.toString()).redirectErrorStream(true).start();
      String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (du.waitFor() != 0) {
        throw new IllegalStateException("du -sk " + dir + " failed: " + out.trim());
      }
      return Long.parseLong(out.trim().split("\\s+")[0]) * 1024;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run du on " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while measuring " + dir, e);
    }
  }

  /** Heap in use after a full collection (two, so that finalizable garbage goes too), in bytes. */
  static long heapAfterGcBytes() {
    System.gc();
    System.gc();
    return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
