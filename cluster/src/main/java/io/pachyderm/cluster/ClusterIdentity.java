package io.pachyderm.cluster;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * Maps a cluster onto the Ratis group id both nodes and clients use: the cluster id. Ratis refuses
 * every request (a client's, or a peer's vote or append) whose group id the node does not serve,
 * so a client or a node with another cluster's id cannot write into this one.
 *
 * <p>Which id: an explicit cluster name maps to {@link #groupId(String)}; without one the id is
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

  /** Deterministic: every node and client derives the same group id from an explicit cluster name. */
  public static RaftGroupId groupId(String clusterName) {
    return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("pachyderm:" + clusterName).getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The Ratis peer: its peer, client and admin addresses. Ratis' clients dial the client address
   * (also of a leader named in a not-leader reply) and the admin address for admin calls.
   */
  public static RaftPeer raftPeer(Peer peer) {
    return RaftPeer.newBuilder().setId(RaftPeerId.valueOf(peer.id())).setAddress(peer.address())
        .setClientAddress(peer.clientAddress()).setAdminAddress(peer.adminAddress()).build();
  }

  /** The id of the cluster whose initial peer list is {@code peers}, when no name is given. */
  public static RaftGroupId groupId(List<Peer> peers) {
    StringBuilder key = new StringBuilder("pachyderm-peers:");
    peers.stream().map(p -> p.id() + "=" + p.address()).sorted().forEach(p -> key.append(p).append(','));
    return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(key.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** {@code clusterName} null means: derived from {@code peers}. */
  public static RaftGroupId groupId(String clusterName, List<Peer> peers) {
    return clusterName == null ? groupId(peers) : groupId(clusterName);
  }

  /** {@code clusterName} null means: the id derived from {@code peers}. */
  public static RaftGroup group(String clusterName, List<Peer> peers) {
    return group(groupId(clusterName, peers), peers);
  }

  public static RaftGroup group(RaftGroupId id, List<Peer> peers) {
    return RaftGroup.valueOf(id, peers.stream().map(ClusterIdentity::raftPeer).toList());
  }
}
