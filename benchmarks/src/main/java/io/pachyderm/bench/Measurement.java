package io.pachyderm.bench;

import org.HdrHistogram.Histogram;

/**
 * What one phase of a workload observed.
 *
 * @param latencyUs latency of each successful call, in microseconds, from the call to its return
 * @param okCalls calls that returned a reply
 * @param failedCalls calls that threw (any exception)
 * @param unknownCalls of the failed, those whose outcome is unknown (they may have been applied)
 * @param elapsedNs from the common start of the threads until the last one finished
 * @param timeLimitHit whether threads stopped early because the phase's time limit passed
 * @param threadsStuck threads still running when the bounded wait for them ended
 * @param jitCompileMs time the JIT compiler spent during the phase (all compiler threads)
 * @param gcPauseMs time spent in stop-the-world collections during the phase (all collectors)
 */
record Measurement(Histogram latencyUs, long okCalls, long failedCalls, long unknownCalls, long elapsedNs,
                   boolean timeLimitHit, int threadsStuck, long jitCompileMs, long gcPauseMs) {

  double callsPerSecond() {
    return elapsedNs == 0 ? 0 : okCalls * 1e9 / elapsedNs;
  }

  double elapsedSeconds() {
    return elapsedNs / 1e9;
  }
}
