package io.pachyderm.simulation;

import java.util.Objects;
import java.util.function.Predicate;

/** A named predicate over a world, checked after every step. */
public record Invariant(String name, Predicate<World> holds) {
  public Invariant {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(holds, "holds");
  }

  /** The name of the first of {@code invariants} that {@code w} breaks (a throwing check counts as broken), or null. */
  static String firstBroken(java.util.List<Invariant> invariants, World w) {
    for (Invariant inv : invariants) {
      boolean holds;
      try {
        holds = inv.holds().test(w);
      } catch (RuntimeException e) {
        holds = false;
      }
      if (!holds) {
        return inv.name();
      }
    }
    return null;
  }
}
