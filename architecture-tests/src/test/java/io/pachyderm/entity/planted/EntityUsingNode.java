package io.pachyderm.entity.planted;

/** A planted violation for {@link io.pachyderm.architecture.ImportGraphTest}: entity-runtime code using the node. */
public final class EntityUsingNode {
  private EntityUsingNode() {}

  static Class<?> node() {
    return io.pachyderm.node.PachydermNode.class;
  }
}
