package io.pachyderm.planteda;

/** Half of a planted package cycle for {@link io.pachyderm.architecture.ImportGraphTest}. */
public final class Ping {
  private Ping() {}

  static Class<?> other() {
    return io.pachyderm.plantedb.Pong.class;
  }
}
