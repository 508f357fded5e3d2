package io.pachyderm.simulation;

import java.util.Objects;
import java.util.function.Predicate;

/** A named predicate over a world, checked after every step. */
public record Invariant(String name, Predicate<World> holds) {
  public Invariant {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(holds, "holds");
  }
}
