package io.pachyderm.simulation;

/**
 * A schedule broke something: a handler threw, {@code apply} was not deterministic, or an
 * invariant failed. An {@link AssertionError}, so that a test fails with the trace in its message.
 */
public final class SimulationFailure extends AssertionError {
  private final transient Counterexample counterexample;

  public SimulationFailure(Counterexample counterexample) {
    super(counterexample.report());
    this.counterexample = counterexample;
  }

  public Counterexample counterexample() {
    return counterexample;
  }
}
