package io.pachyderm.bench;

/**
 * One scenario's outcome. {@code measured} is {@code null} when the scenario could not run;
 * {@code failure} then says why.
 *
 * @param warmupChunks warm-up chunks run on the row's deployment before measuring
 * @param logEntries batch entries committed during the measured phase, -1 when unknown
 * @param elections Raft term changes during the measured phase
 * @param heapUsedMb heap in use after a full GC at the end of the run, deployment still up (whole JVM)
 * @param countCheck whether the counters add up to the successful calls
 */
record Result(Scenario scenario, int warmupChunks, Measurement measured, long logEntries, long elections,
              double heapUsedMb, String countCheck, ErrorTally errors, String failure) {

  static Result failed(Scenario scenario, ErrorTally errors, String failure) {
    return new Result(scenario, 0, null, 0, 0, 0, "n/a", errors, failure);
  }

  boolean ran() {
    return measured != null;
  }
}
