package io.pachyderm.plantedc.internal;

/** The internal half of the planted cycle in {@link io.pachyderm.plantedc.Facade}. */
public final class FacadeInternals {
  private FacadeInternals() {}

  public static Class<?> install() {
    return io.pachyderm.plantedc.Facade.class;
  }
}
