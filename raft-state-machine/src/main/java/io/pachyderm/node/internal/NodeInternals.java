package io.pachyderm.node.internal;

import java.util.Objects;
import java.util.function.Function;
import org.apache.ratis.server.RaftServer;

/**
 * What tests and operations tooling (chaos nodes, benchmarks) reach inside a node that its public
 * API does not show: the Ratis server. Kept off {@code PachydermNode}'s signatures so that the
 * public API holds no Ratis type; {@code PachydermNode} hands its accessor over when its class is
 * initialized, which happens before any node exists.
 *
 * <p>The node's type comes in as a {@code Class} with the accessor, not as an import: this package
 * is the machinery under {@code io.pachyderm.node} and never depends on it (no package cycle; see
 * {@code ImportGraphTest}). The price is a run-time check: {@link #raftServer} refuses, naming the
 * class, anything that is not a node.
 */
public final class NodeInternals {
  private static volatile Accessor<?> accessor;

  private NodeInternals() {
  }

  /** Called once, by {@code PachydermNode}'s static initializer. */
  public static <N> void install(Class<N> nodeType, Function<N, RaftServer> raftServerOf) {
    Objects.requireNonNull(nodeType, "nodeType");
    Objects.requireNonNull(raftServerOf, "raftServerOf");
    synchronized (NodeInternals.class) {
      if (accessor != null) {
        throw new IllegalStateException("the node's accessor is installed already, for " + accessor.nodeType().getName());
      }
      accessor = new Accessor<>(nodeType, raftServerOf);
    }
  }

  /**
   * The Ratis server under {@code node}, a {@code PachydermNode}.
   *
   * @throws IllegalArgumentException if {@code node} is not a {@code PachydermNode}
   */
  public static RaftServer raftServer(Object node) {
    Objects.requireNonNull(node, "node");
    Accessor<?> installed = accessor;
    if (installed == null) {
      // Unreachable with a real node: creating one initializes its class, which installs the accessor.
      throw new IllegalStateException("no node accessor installed; " + node.getClass().getName() + " is not a node");
    }
    return installed.raftServer(node);
  }

  /**
   * The store of applied states under {@code node}, a started {@code PachydermNode} (a DISK node's
   * is a {@code RocksStateStore}, whose cache tests and tools watch).
   *
   * @throws IOException when Ratis cannot hand over the node's division
   */
  public static io.pachyderm.replica.StateStore stateStore(Object node) throws java.io.IOException {
    RaftServer server = raftServer(node);
    var group = server.getGroupIds().iterator().next();
    return ((EntityStateMachine) server.getDivision(group).getStateMachine()).stateStore();
  }

  private record Accessor<N>(Class<N> nodeType, Function<N, RaftServer> raftServerOf) {
    RaftServer raftServer(Object node) {
      if (!nodeType.isInstance(node)) {
        throw new IllegalArgumentException("not a " + nodeType.getName() + ": " + node.getClass().getName());
      }
      return raftServerOf.apply(nodeType.cast(node));
    }
  }
}
