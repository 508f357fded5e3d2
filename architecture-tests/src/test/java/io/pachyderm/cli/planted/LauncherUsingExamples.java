package io.pachyderm.cli.planted;

/** A planted violation for {@link io.pachyderm.architecture.ImportGraphTest}: launcher code naming an example. */
public final class LauncherUsingExamples {
  private LauncherUsingExamples() {}

  static Object examples() {
    return io.pachyderm.examples.ExampleTypes.all();
  }
}
