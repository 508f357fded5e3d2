package io.pachyderm.examples.simulation;

import io.pachyderm.simulation.Exploration;
import io.pachyderm.simulation.Explorer;
import io.pachyderm.simulation.Rules;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * How fast the explorer goes on the examples, with and without state hashing: prints a Markdown
 * table (the README's). A figure, not a test: nothing is asserted, and times depend on the machine.
 * Each scenario runs {@link #RUNS_PER_SCENARIO} times after a warm-up run (or {@code args[0]} times,
 * with {@code args[1]} as the unhashed bound instead of {@link #UNHASHED_STATES_MAX}); the best rate
 * and time are printed.
 *
 * <pre>
 * mvn -B -o -q -pl examples -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=/tmp/examples.classpath -Dmdep.includeScope=test
 * java -cp examples/target/test-classes:examples/target/classes:$(cat /tmp/examples.classpath) \
 *     io.pachyderm.examples.simulation.ExplorationSpeed
 * </pre>
 */
public final class ExplorationSpeed {
  private static final int RUNS_PER_SCENARIO = 5;
  /** Without hashing the tree of schedules can be huge: stop there and say so. */
  private static final long UNHASHED_STATES_MAX = 2_000_000;
  /** Runs per scenario and the unhashed bound: the defaults, or the command line's ({@code [runs] [states]}). */
  private static int runsPerScenario = RUNS_PER_SCENARIO;
  private static long unhashedStatesMax = UNHASHED_STATES_MAX;

  private record Scenario(String name, Supplier<Explorer> explorer) {}

  private ExplorationSpeed() {}

  public static void main(String[] args) {
    if (args.length > 2) {
      throw new IllegalArgumentException("usage: ExplorationSpeed [runs per scenario] [unhashed states max]");
    }
    if (args.length > 0) {
      runsPerScenario = positive(args[0], "runs per scenario");
    }
    if (args.length > 1) {
      unhashedStatesMax = positive(args[1], "unhashed states max");
    }
    Rules anyTime = Rules.DEFAULT.withTimers(Rules.TimerPolicy.ANY_TIME);
    List<Scenario> scenarios = List.of(
        new Scenario("janken: 2 moves racing", Scenarios::jankenMoves),
        new Scenario("janken: 2 moves, deadline ANY_TIME", () -> Scenarios.jankenMoves().rules(anyTime)),
        new Scenario("ping-pong: rally of 10", () -> Scenarios.rally(10)),
        new Scenario("ping-pong: rally of 5, 1 duplicate",
            () -> Scenarios.rally(5).rules(Rules.DEFAULT.withDuplicates(1))),
        new Scenario("ping-pong: rally of 10, 1 duplicate",
            () -> Scenarios.rally(10).rules(Rules.DEFAULT.withDuplicates(1))),
        new Scenario("bank: 4 transfers, 3 accounts", Scenarios::bankTransfers),
        new Scenario("bank: same, 1 restart", () -> Scenarios.bankTransfers().rules(Rules.DEFAULT.withRestarts(1))),
        new Scenario("booking: reserve-or-refuse, 4 bookings",
            () -> Scenarios.reserveOrRefuse("alice", "bob", "carol", "dave")),
        new Scenario("booking: check-then-book, 2 bookings (to the bug)",
            () -> Scenarios.checkThenBook("alice", "bob")));

    for (Scenario s : scenarios) {
      measure(s, true, 1);
      measure(s, false, 1);
    }
    System.out.println("| scenario | final worlds | states (hashing) | transitions (hashing) | states/s (hashing) "
        + "| ms (hashing) | states (no hashing) | states/s (no hashing) | ms (no hashing) |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Scenario s : scenarios) {
      Best hashed = measure(s, true, runsPerScenario);
      Best every = measure(s, false, runsPerScenario);
      Exploration h = hashed.exploration;
      Exploration n = every.exploration;
      String finals = h.failure().isPresent() ? "stopped at the failure" : String.valueOf(h.finals().size());
      System.out.println(String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %,.0f | %,.1f | %s | %,.0f | %,.1f |",
          s.name(), finals, h.statesVisited(), h.transitions(), hashed.statesPerSecond, hashed.elapsedMs,
          states(n), every.statesPerSecond, every.elapsedMs));
    }
    System.out.println();
    System.out.println("java " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors()
        + " processors, best of " + runsPerScenario + " runs after a warm-up; no-hashing runs stop at "
        + String.format(Locale.ROOT, "%,d", unhashedStatesMax) + " states");
  }

  private static int positive(String arg, String what) {
    try {
      int n = Integer.parseInt(arg);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(what + " must be a whole number >= 1, got '" + arg + "'");
  }

  /** The last run's exploration (all runs explore the same space), the best rate and the shortest time. */
  private record Best(Exploration exploration, double statesPerSecond, double elapsedMs) {}

  private static Best measure(Scenario s, boolean hashing, int runs) {
    Exploration last = null;
    double best = 0;
    double fastestMs = Double.MAX_VALUE;
    for (int run = 0; run < runs; run++) {
      Explorer explorer = s.explorer().get().stateHashing(hashing);
      if (!hashing) {
        explorer.statesMax(unhashedStatesMax);
      }
      last = explorer.exhaust();
      best = Math.max(best, last.statesPerSecond());
      fastestMs = Math.min(fastestMs, last.elapsedNanos() / 1e6);
    }
    return new Best(last, best, fastestMs);
  }

  private static String states(Exploration e) {
    String n = String.format(Locale.ROOT, "%,d", e.statesVisited());
    return e.complete() || e.failure().isPresent() ? n : "> " + n + " (bound)";
  }
}
