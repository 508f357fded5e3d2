package io.pachyderm.cluster;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * The cluster id both nodes and clients use (a UUID; the node and client map it onto Ratis' group id). Ratis refuses
 * every request (a client's, or a peer's vote or append) whose group id the node does not serve,
 * so a client or a node with another cluster's id cannot write into this one.
 *
 * <p>Which id: an explicit cluster name maps to {@link #id(String)}; without one the id is
 * derived from the initial peer list (ids and peer addresses, sorted), so three fresh nodes given
 * the same list agree with no coordination, and clusters on different addresses differ. A node
 * writes the id into its data directory at the first start and keeps it (see the node's
 * {@code ClusterIdFile}); a client given another peer list than the cluster's initial one (a
 * subset, a changed membership) needs the cluster name or id explicitly.
 *
 * <p>Why not a random id generated at the first start: the nodes of a new cluster cannot agree on
 * a random value before their Raft group exists (agreeing is what the group is for), and a client
 * would need to be told it; the peer list is what every node and client already shares.
 */
public final class ClusterIdentity {
  private ClusterIdentity() {}

  /** Deterministic: every node and client derives the same id from an explicit cluster name. */
  public static UUID id(String clusterName) {
    if (clusterName == null) {
      throw new IllegalArgumentException("a cluster name must not be null");
    }
    return UUID.nameUUIDFromBytes(("pachyderm:" + clusterName).getBytes(StandardCharsets.UTF_8));
  }

  /** The id of the cluster whose initial peer list is {@code peers}, when no name is given. */
  public static UUID id(List<Peer> peers) {
    if (peers == null || peers.isEmpty()) {
      throw new IllegalArgumentException("a cluster id is derived from at least one peer, got " + peers);
    }
    StringBuilder key = new StringBuilder("pachyderm-peers:");
    peers.stream().map(p -> p.id() + "=" + p.address()).sorted().forEach(p -> key.append(p).append(','));
    return UUID.nameUUIDFromBytes(key.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** {@code clusterName} null means: the id derived from {@code peers}. */
  public static UUID id(String clusterName, List<Peer> peers) {
    return clusterName == null ? id(peers) : id(clusterName);
  }
}
