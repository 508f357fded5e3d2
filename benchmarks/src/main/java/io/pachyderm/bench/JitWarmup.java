package io.pachyderm.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Runs load against throwaway deployments of every kind the scenarios use (gRPC cluster, Netty
 * cluster, local node), round after round, until the JIT compiler has gone quiet or a time limit
 * passes. Why: on 2 cores the JIT kept one core busy for the first 30-40 s of load; the same
 * scenario measured 2.5k calls/s when run first and 7.6k calls/s when run sixth, and Netty looked
 * as fast as gRPC while both were cold. Without this, a row's figure says more about its position
 * in the run than about what it measures. Every kind is warmed, so that no transport meets the
 * measurement with colder code than another. Its last round doubles as a like-for-like figure:
 * the deployments run in the same JVM at the same time, taking turns.
 */
final class JitWarmup {
  /**
   * Quiet: the JIT spent less than this many ms compiling per second of a round (5% of one core),
   * in {@link #QUIET_ROUNDS} rounds in a row. Measured here: about 1000 ms/s for the first 30 s
   * of load, then 10-150 ms/s with single spikes, by when throughput had levelled out.
   */
  static final double QUIET_COMPILE_MS_PER_S = 50;
  static final int QUIET_ROUNDS = 2;

  /**
   * What the warm-up did.
   *
   * @param lastRoundCompileMsPerS JIT compile time per wall second in the last round
   * @param quiet whether it stopped because the JIT went quiet (else the time limit ended it)
   * @param lastRoundCallsPerS calls/s of each workload in the last round that ran them all
   */
  record Summary(double seconds, long calls, int rounds, double lastRoundCompileMsPerS, boolean quiet,
                 String lastRoundCallsPerS) {
    String describe() {
      return String.format(Locale.ROOT, "%,d calls in %d rounds, %.0f s; JIT compiling %.0f ms/s in the last round"
              + " (%s); last complete round, calls/s:%s", calls, rounds, seconds, lastRoundCompileMsPerS,
          quiet ? "quiet" : "NOT quiet: time limit reached, early rows may be low", lastRoundCallsPerS);
    }
  }

  private JitWarmup() {}

  /**
   * Runs rounds of {@code chunkCalls} calls on each workload in turn until quiet or {@code timeMax}.
   * Failures go to {@code errors}.
   */
  static Summary run(List<Workload> workloads, long chunkCalls, Duration timeMax, Duration phaseMax,
                     ErrorTally errors) throws InterruptedException {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long startNs = System.nanoTime();
    long deadlineNs = startNs + timeMax.toNanos();
    long calls = 0;
    int rounds = 0;
    double rate = Double.NaN;
    int quietRounds = 0;
    String lastRates = "";
    while (System.nanoTime() - deadlineNs < 0) {
      long roundStartNs = System.nanoTime();
      long compileMsBefore = jit.getTotalCompilationTime();
      StringBuilder rates = new StringBuilder();
      boolean complete = true;
      for (Workload w : workloads) {
        long leftNs = deadlineNs - System.nanoTime();
        if (leftNs <= 0) {
          complete = false;
          break;
        }
        Duration limit = Duration.ofNanos(Math.min(leftNs, phaseMax.toNanos()));
        Measurement m = w.run("jit-warmup", chunkCalls, limit, errors);
        calls += m.okCalls();
        rates.append(String.format(Locale.ROOT, " %s %,.0f", w.name(), m.callsPerSecond()));
      }
      rounds++;
      if (complete) {
        lastRates = rates.toString();
      }
      double roundSeconds = (System.nanoTime() - roundStartNs) / 1e9;
      rate = (jit.getTotalCompilationTime() - compileMsBefore) / roundSeconds;
      Progress.line("jit", String.format(Locale.ROOT, "round %d: %.1f s, calls/s:%s; JIT compiling %.0f ms/s",
          rounds, roundSeconds, rates, rate));
      quietRounds = rate < QUIET_COMPILE_MS_PER_S ? quietRounds + 1 : 0;
      if (quietRounds >= QUIET_ROUNDS) {
        return new Summary((System.nanoTime() - startNs) / 1e9, calls, rounds, rate, true, lastRates);
      }
    }
    return new Summary((System.nanoTime() - startNs) / 1e9, calls, rounds, rate, false, lastRates);
  }
}
