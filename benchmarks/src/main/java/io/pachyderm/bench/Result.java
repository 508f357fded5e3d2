package io.pachyderm.bench;

/**
 * One scenario's outcome. {@code measured} is {@code null} when the scenario could not run;
 * {@code failure} then says why.
 *
 * @param warmupChunks warm-up chunks run on the row's deployment before measuring
 * @param logEntries batch entries committed during the measured phase, -1 when unknown
 * @param elections Raft term changes during the measured phase
 * @param heapUsedMb heap in use after a full GC at the end of the run, deployment still up (whole JVM)
 * @param countCheck whether the counters add up to the successful calls (transfers: whether the
 *     money is conserved and every transfer was debited and credited once)
 * @param delivery how the messages of a transfers row landed; null for other rows
 */
record Result(Scenario scenario, int warmupChunks, Measurement measured, long logEntries, long elections,
              double heapUsedMb, String countCheck, Delivery delivery, ErrorTally errors, String failure) {

  /**
   * How the credits of a transfers row landed, from the leader's outbox.
   *
   * @param deliveredPerSecond deliveries the leader applied during the measured phase, per second;
   *     -1 when unknown (the leader changed)
   * @param pendingAtEnd credits not yet delivered when the last call of the phase had returned; -1 when unknown
   * @param lagMs from then until the leader had delivered every credit (0 when none was pending);
   *     -1 when that did not happen within the phase time limit
   */
  record Delivery(double deliveredPerSecond, long pendingAtEnd, double lagMs) {}

  static Result failed(Scenario scenario, ErrorTally errors, String failure) {
    return new Result(scenario, 0, null, 0, 0, 0, "n/a", null, errors, failure);
  }

  boolean ran() {
    return measured != null;
  }
}
