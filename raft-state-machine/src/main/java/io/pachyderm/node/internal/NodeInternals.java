package io.pachyderm.node.internal;

import io.pachyderm.node.PachydermNode;
import java.util.Objects;
import java.util.function.Function;
import org.apache.ratis.server.RaftServer;

/**
 * What tests and operations tooling (chaos nodes, benchmarks) reach inside a node that its public
 * API does not show: the Ratis server. Kept off {@link PachydermNode}'s signatures so that the
 * public API holds no Ratis type; {@code PachydermNode} hands its accessor over when its class is
 * initialized, which happens before any node exists.
 */
public final class NodeInternals {
  private static volatile Function<PachydermNode, RaftServer> raftServerOf;

  private NodeInternals() {
  }

  /** Called once, by {@link PachydermNode}'s static initializer. */
  public static void install(Function<PachydermNode, RaftServer> accessor) {
    Objects.requireNonNull(accessor, "accessor");
    if (raftServerOf != null) {
      throw new IllegalStateException("the node's accessor is installed already");
    }
    raftServerOf = accessor;
  }

  /** The Ratis server under {@code node}. */
  public static RaftServer raftServer(PachydermNode node) {
    return raftServerOf.apply(Objects.requireNonNull(node, "node"));
  }
}
