package io.pachyderm.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that drives a simulation: a {@link Test} with the {@link SimulationExtension}, so a
 * {@code @Seed long seed} parameter is injected and a failure names how to replay it.
 *
 * <pre>{@code
 * @SimulationTest
 * void transfersConserveMoney(@Seed long seed) {
 *   Simulation sim = Simulation.builder(TYPES).seed(seed).build();
 *   ...
 * }
 * }</pre>
 *
 * <p>The seed is {@code pachyderm.seed} (a JUnit configuration parameter or system property) if
 * set, else a fresh random one for each test. When the test fails, its message ends with
 * {@code replay with -Dpachyderm.seed=<seed>}; when the failure carries an {@code Explorer}
 * schedule, the schedule is saved and its path printed too (see {@link SimulationExtension}).
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(SimulationExtension.class)
public @interface SimulationTest {}
