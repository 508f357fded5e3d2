package io.pachyderm.testing;

import io.pachyderm.simulation.Failure;

/**
 * A plain {@code main} that uses {@link ExplorationAssert}, as an application without JUnit would:
 * {@link ExplorationAssertWithoutJUnitTest} runs it in a class loader that has no JUnit. Prints
 * what each check did; a check that does not hold throws.
 */
public final class ExplorationAssertMain {
  private ExplorationAssertMain() {}

  public static void main(String[] args) {
    ExplorationAssert.assertThat(Register.race("from-a", "from-b").exhaust())
        .hasNoFailure()
        .isComplete()
        .hasFinalWorlds(2)
        .allFinalWorldsSatisfy("r saw both writes", w -> w.state(Register.ref("r")).writes() == 2);
    ExplorationAssert.assertThat(Register.race("x", "boom").exhaust()).failsWith(Failure.Kind.HANDLER_FAILED);
    try {
      ExplorationAssert.assertThat(Register.race("from-a", "from-b").exhaust()).hasFinalWorlds(3);
      throw new IllegalStateException("hasFinalWorlds(3) passed on an exploration with 2 final worlds");
    } catch (AssertionError expected) {
      System.out.println("failed as expected: " + expected.getClass().getName());
    }
    System.out.println("all checks ran");
  }
}
