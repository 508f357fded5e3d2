package io.pachyderm.simulation;

import io.pachyderm.entity.EntityRef;
import java.util.List;

/**
 * A schedule that breaks something, with everything needed to understand and replay it.
 *
 * @param schedule the transitions from the explorer's start, or null when a {@link Simulation}
 *     (not an {@link Explorer}) found it: then the seed and the same calls replay it
 * @param seed the seed of the random walk or simulation that found it (null for exhaustive search)
 * @param steps every step from the start, the last one the failing one
 */
public record Counterexample(Failure failure, Schedule schedule, Long seed, List<Step> steps, World world) {

  /** The whole story: what failed, how to replay it, each step, and what the failing entity received. */
  public String report() {
    StringBuilder b = new StringBuilder();
    b.append(failure.kind()).append(": ").append(failure.message()).append('\n');
    if (schedule == null) {
      b.append("replay: the same calls on a Simulation built with seed(").append(seed).append(')');
    } else {
      b.append("replay: schedule ").append(schedule.isEmpty() ? "(empty)" : schedule.toString());
      if (seed != null) {
        b.append(" (found by the random walk with seed ").append(seed).append(')');
      }
    }
    b.append('\n').append("steps:\n");
    for (int i = 0; i < steps.size(); i++) {
      b.append(String.format("  %3d. %s%n", i + 1, steps.get(i)));
    }
    if (failure.entity() != null) {
      EntityRef<?, ?> ref = EntityRef.of(failure.entity().type(), failure.entity().id());
      b.append("everything ").append(InFlight.ref(failure.entity())).append(" received, in order:\n");
      List<World.Received> received = world.received(ref);
      for (int i = 0; i < received.size(); i++) {
        b.append(String.format("  %3d. %s%n", i + 1, received.get(i)));
      }
    }
    b.append("world at the failure: ").append(world);
    return b.toString();
  }
}
