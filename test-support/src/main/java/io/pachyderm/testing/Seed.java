package io.pachyderm.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code long} (or {@code Long}) parameter of a {@link SimulationTest} or
 * {@link SimulationSeeds} method, or of a {@code @BeforeEach}/{@code @AfterEach} method of its
 * class, to receive the test's seed; every such parameter of one test gets the same seed. With
 * {@code @ExtendWith(SimulationExtension.class)} on the class, a {@code @BeforeAll} method may take
 * one too: that seed is then the class's, and every test of the class sees it, except
 * {@link SimulationSeeds} invocations, which have their own. Not for constructor parameters: one
 * test instance may serve several seeds.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Seed {}
