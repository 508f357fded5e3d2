package io.pachyderm.client;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/** Maps a cluster name and its peers onto the Ratis group both nodes and clients use. */
public final class ClusterIdentity {
  private ClusterIdentity() {}

  /** Deterministic: every node and client derives the same group id from the cluster name. */
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

  public static RaftGroup group(String clusterName, List<Peer> peers) {
    return RaftGroup.valueOf(groupId(clusterName), peers.stream().map(ClusterIdentity::raftPeer).toList());
  }
}
