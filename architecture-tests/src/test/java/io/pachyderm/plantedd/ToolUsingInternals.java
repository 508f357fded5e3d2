package io.pachyderm.plantedd;

/**
 * A planted user of two internal packages for {@link io.pachyderm.architecture.ImportGraphTest}: one
 * a module-info exports only to the CLI (the client's), one whose module has its descriptor written
 * in the test (the node's); and one API type, which it may use.
 */
public final class ToolUsingInternals {
  private ToolUsingInternals() {}

  static Object[] used() {
    return new Object[] {io.pachyderm.client.internal.Connection.class, io.pachyderm.node.internal.NodeInternals.class,
        io.pachyderm.client.PachydermClient.class};
  }
}
