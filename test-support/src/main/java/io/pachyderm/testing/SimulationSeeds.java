package io.pachyderm.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test once per seed: a property test over {@code count} seeded runs, each its own
 * invocation, named {@code seed <n>} in the report.
 *
 * <pre>{@code
 * @SimulationSeeds(count = 50)
 * void everyOrderOfTwoTransfersConservesMoney(@Seed long seed) {
 *   Exploration e = explorer.randomWalks(seed, 20);
 *   ExplorationAssert.assertThat(e).hasNoFailure();
 * }
 * }</pre>
 *
 * <p>The first seed is the base: {@code pachyderm.seed} if set, else a random one; the others
 * follow from it (the same base always gives the same seeds). So the failing invocation's
 * {@code replay with -Dpachyderm.seed=<n>} makes that seed the first one of the next run.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(SimulationExtension.class)
public @interface SimulationSeeds {
  /** How many seeds, hence invocations: at least 1, at most {@value SimulationExtension#SEEDS_MAX}. */
  int count();
}
