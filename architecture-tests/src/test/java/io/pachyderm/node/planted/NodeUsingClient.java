package io.pachyderm.node.planted;

/** A planted violation for {@link io.pachyderm.architecture.ImportGraphTest}: node code using the client. */
public final class NodeUsingClient {
  private NodeUsingClient() {}

  static Class<?> client() {
    return io.pachyderm.client.PachydermClient.class;
  }
}
