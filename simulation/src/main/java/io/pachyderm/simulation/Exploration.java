package io.pachyderm.simulation;

import java.util.List;
import java.util.Optional;

/**
 * What an exploration found.
 *
 * @param finals the distinct final worlds (nothing left to deliver), each with one schedule that
 *     reaches it, in the order found; worlds are the same when their entities' versions and states,
 *     and the effects produced, are
 * @param statesVisited worlds expanded
 * @param transitions transitions taken
 * @param revisits worlds not expanded again because an equal world was already explored (0 without hashing)
 * @param complete whether the whole space within the rules was explored (no bound was hit)
 * @param failure the first counterexample, if any (the search stops there)
 * @param elapsedNanos wall time, for reporting speed only
 */
public record Exploration(List<FinalWorld> finals, long statesVisited, long transitions, long revisits,
                          boolean complete, Optional<Counterexample> failure, long elapsedNanos) {

  /** A final world and how to get there. */
  public record FinalWorld(World world, Schedule schedule) {}

  /** @throws SimulationFailure carrying the counterexample's report, if there is one */
  public Exploration assertNoFailure() {
    if (failure.isPresent()) {
      throw new SimulationFailure(failure.get());
    }
    return this;
  }

  public double statesPerSecond() {
    return elapsedNanos == 0 ? 0 : statesVisited * 1e9 / elapsedNanos;
  }

  @Override
  public String toString() {
    return String.format("%d final world(s), %,d states, %,d transitions, %,d revisits, %s%s", finals.size(),
        statesVisited, transitions, revisits,
        complete ? "complete" : failure.isPresent() ? "stopped at the first failure" : "INCOMPLETE (a bound was hit)",
        failure.map(c -> ", FAILED: " + c.failure().message()).orElse(""));
  }
}
