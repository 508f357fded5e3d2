package io.pachyderm.testing;

import io.pachyderm.simulation.Counterexample;
import io.pachyderm.simulation.Exploration;
import io.pachyderm.simulation.Failure;
import io.pachyderm.simulation.Schedule;
import io.pachyderm.simulation.SimulationFailure;
import io.pachyderm.simulation.World;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.opentest4j.AssertionFailedError;

/**
 * Fluent checks of an {@link Exploration} whose failures read as reports: the counterexample
 * with its steps and the failing entity's inbox, or the final world and the schedule reaching it.
 *
 * <pre>{@code
 * ExplorationAssert.assertThat(explorer.exhaust())
 *     .hasNoFailure()
 *     .isComplete()
 *     .hasFinalWorlds(2)
 *     .allFinalWorldsSatisfy("money is conserved", w -> total(w) == 200_00);
 * }</pre>
 *
 * <p>Failures are {@link AssertionError}s: {@link #hasNoFailure()} throws the exploration's
 * {@link SimulationFailure}, {@link #allFinalWorldsSatisfy} a {@link FinalWorldFailure}, the others
 * an {@link AssertionFailedError} (with the {@code SimulationFailure} as cause when the
 * exploration failed). Under {@link SimulationExtension} their schedules are saved for replay.
 * Immutable; each check returns this object.
 */
public final class ExplorationAssert {
  /** Most final worlds listed in one failure message; the rest are counted. */
  static final int FINALS_LISTED_MAX = 10;

  private final Exploration actual;

  private ExplorationAssert(Exploration actual) {
    this.actual = actual;
  }

  /** Starts checking {@code exploration}; named to sit beside AssertJ's {@code assertThat} overloads. */
  public static ExplorationAssert assertThat(Exploration exploration) {
    if (exploration == null) {
      throw new AssertionFailedError("expected an exploration but got null");
    }
    return new ExplorationAssert(exploration);
  }

  /** The exploration found no counterexample; else throws its {@link SimulationFailure} (the full report). */
  public ExplorationAssert hasNoFailure() {
    if (actual.failure().isPresent()) {
      throw new SimulationFailure(actual.failure().get());
    }
    return this;
  }

  /**
   * The whole space within the rules was explored: no bound ({@code depthMax}, {@code statesMax})
   * was hit and no failure stopped the search. For random walks and PCT it means that no walk hit
   * {@code depthMax}, not that every schedule was tried.
   */
  public ExplorationAssert isComplete() {
    requireNoFailure("expected a complete exploration");
    if (!actual.complete()) {
      throw new AssertionFailedError("expected a complete exploration, but a bound was hit (depthMax or statesMax): "
          + actual);
    }
    return this;
  }

  /** Exactly {@code count} distinct final worlds (by their entities' states and effects), and no failure. */
  public ExplorationAssert hasFinalWorlds(int count) {
    requireNoFailure("expected " + count + " final world(s)");
    int found = actual.finals().size();
    if (found != count) {
      throw new AssertionFailedError("expected " + count + " final world(s) but found " + found + ": " + actual
          + listFinals(actual.finals()), count, found);
    }
    return this;
  }

  /**
   * Every final world satisfies {@code holds} (a check that throws counts as not satisfied), there
   * is at least one final world, and no failure. The failure names the first world that does not,
   * the schedule that reaches it, and the world itself.
   *
   * @param description what {@code holds} checks, for the failure message
   */
  public ExplorationAssert allFinalWorldsSatisfy(String description, Predicate<World> holds) {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(holds, "holds");
    requireNoFailure("expected every final world to satisfy '" + description + "'");
    List<Exploration.FinalWorld> finals = actual.finals();
    if (finals.isEmpty()) {
      // Vacuously true would hide an exploration whose every walk hit a bound.
      throw new AssertionFailedError("expected every final world to satisfy '" + description
          + "', but there is no final world to check: " + actual);
    }
    for (int i = 0; i < finals.size(); i++) {
      Exploration.FinalWorld f = finals.get(i);
      Throwable thrown = null;
      boolean ok;
      try {
        ok = holds.test(f.world());
      } catch (RuntimeException | AssertionError e) {
        ok = false;
        thrown = e;
      }
      if (!ok) {
        String schedule = f.schedule().toString();
        throw new FinalWorldFailure("final world " + (i + 1) + " of " + finals.size() + " does not satisfy '"
            + description + "'" + (thrown == null ? "" : " (the check threw " + thrown + ")")
            + "\nreached by schedule " + (schedule.isEmpty() ? "(empty)" : schedule)
            + " (replay: explorer.replay(Schedule.parse(\"" + schedule + "\")))\n" + f.world()
            + "\nexploration: " + actual, f.schedule(), f.world(), thrown);
      }
    }
    return this;
  }

  /** The exploration found a counterexample of this kind; else fails with what it found instead. */
  public ExplorationAssert failsWith(Failure.Kind kind) {
    Objects.requireNonNull(kind, "kind");
    if (actual.failure().isEmpty()) {
      throw new AssertionFailedError("expected the exploration to fail with " + kind + " but it found no failure: "
          + actual, kind, "no failure");
    }
    Counterexample c = actual.failure().get();
    if (c.failure().kind() != kind) {
      throw new AssertionFailedError("expected the exploration to fail with " + kind + " but it failed with "
          + c.failure().kind() + ":\n" + c.report(), kind, c.failure().kind(), new SimulationFailure(c));
    }
    return this;
  }

  /** Fails with the counterexample's report, and the {@link SimulationFailure} as cause, if there is one. */
  private void requireNoFailure(String expectation) {
    if (actual.failure().isPresent()) {
      Counterexample c = actual.failure().get();
      throw new AssertionFailedError(expectation + ", but the exploration stopped at a failure:\n" + c.report(),
          new SimulationFailure(c));
    }
  }

  private static String listFinals(List<Exploration.FinalWorld> finals) {
    StringBuilder b = new StringBuilder();
    int listed = Math.min(finals.size(), FINALS_LISTED_MAX);
    for (int i = 0; i < listed; i++) {
      Schedule s = finals.get(i).schedule();
      b.append("\nfinal world ").append(i + 1).append(", schedule ").append(s.isEmpty() ? "(empty)" : s.toString())
          .append(": ").append(finals.get(i).world());
    }
    if (finals.size() > listed) {
      b.append("\n... and ").append(finals.size() - listed).append(" more");
    }
    return b.toString();
  }
}
