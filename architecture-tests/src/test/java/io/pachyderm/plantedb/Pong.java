package io.pachyderm.plantedb;

/** The other half of a planted package cycle for {@link io.pachyderm.architecture.ImportGraphTest}. */
public final class Pong {
  private Pong() {}

  static Class<?> other() {
    return io.pachyderm.planteda.Ping.class;
  }
}
