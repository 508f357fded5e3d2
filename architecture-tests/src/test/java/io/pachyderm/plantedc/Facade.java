package io.pachyderm.plantedc;

import io.pachyderm.plantedc.internal.FacadeInternals;

/**
 * A planted cycle between a public package and its own internal package for
 * {@link io.pachyderm.architecture.ImportGraphTest}: the shape {@code PachydermNode} and
 * {@code NodeInternals} had (the public type installs its accessor, the internal type names the
 * public one), which a rule over top-level packages cannot see.
 */
public final class Facade {
  static {
    FacadeInternals.install();
  }

  private Facade() {}
}
