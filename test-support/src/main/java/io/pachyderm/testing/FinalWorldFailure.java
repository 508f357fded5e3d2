package io.pachyderm.testing;

import io.pachyderm.simulation.Schedule;
import io.pachyderm.simulation.World;
import java.util.Objects;
import org.opentest4j.AssertionFailedError;

/**
 * A final world of an exploration does not satisfy what a test expects of it
 * ({@link ExplorationAssert#allFinalWorldsSatisfy}). Carries the schedule that reaches the world,
 * which {@link SimulationExtension} saves like a counterexample's, and the world itself.
 */
public final class FinalWorldFailure extends AssertionFailedError {
  private static final long serialVersionUID = 1L;

  /** As text, because {@link Schedule} is not serializable and test runners may serialize failures. */
  private final String schedule;
  private final transient World world;

  public FinalWorldFailure(String message, Schedule schedule, World world, Throwable cause) {
    super(message, cause);
    this.schedule = Objects.requireNonNull(schedule, "schedule").toString();
    this.world = Objects.requireNonNull(world, "world");
  }

  /** The schedule that reaches the world from the exploration's start: {@code explorer.replay(schedule())}. */
  public Schedule schedule() {
    return Schedule.parse(schedule);
  }

  /** The offending world (null once this error has been serialized). */
  public World world() {
    return world;
  }
}
