package io.pachyderm.cluster.internal;

import io.pachyderm.cluster.ClusterIdentity;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.Transport;
import io.pachyderm.cluster.tls.TlsMaterial;
import java.util.List;
import java.util.UUID;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;

/**
 * The one place the public cluster types ({@link Peer}, {@link Transport}, the id of
 * {@link ClusterIdentity}, {@link TlsMaterial}) become Ratis' types, for the node and the client.
 * Kept out of the public types so that their signatures hold no Ratis type. Stateless.
 */
public final class RatisCluster {
  private RatisCluster() {}

  /** Ratis' group id for a cluster id. */
  public static RaftGroupId groupId(UUID clusterId) {
    return RaftGroupId.valueOf(clusterId);
  }

  /** Ratis' group id for an explicit cluster name ({@link ClusterIdentity#id(String)}). */
  public static RaftGroupId groupId(String clusterName) {
    return groupId(ClusterIdentity.id(clusterName));
  }

  /** Ratis' group id for a cluster whose initial peer list is {@code peers} ({@link ClusterIdentity#id(List)}). */
  public static RaftGroupId groupId(List<Peer> peers) {
    return groupId(ClusterIdentity.id(peers));
  }

  /** {@code clusterName} null means: derived from {@code peers}. */
  public static RaftGroupId groupId(String clusterName, List<Peer> peers) {
    return groupId(ClusterIdentity.id(clusterName, peers));
  }

  /**
   * The Ratis peer: its peer, client and admin addresses. Ratis' clients dial the client address
   * (also of a leader named in a not-leader reply) and the admin address for admin calls.
   */
  public static RaftPeer raftPeer(Peer peer) {
    return RaftPeer.newBuilder().setId(RaftPeerId.valueOf(peer.id())).setAddress(peer.address())
        .setClientAddress(peer.clientAddress()).setAdminAddress(peer.adminAddress()).build();
  }

  /** {@code clusterName} null means: the id derived from {@code peers}. */
  public static RaftGroup group(String clusterName, List<Peer> peers) {
    return group(groupId(clusterName, peers), peers);
  }

  public static RaftGroup group(RaftGroupId id, List<Peer> peers) {
    return RaftGroup.valueOf(id, peers.stream().map(RatisCluster::raftPeer).toList());
  }

  /** Ratis' RPC type for a transport; exhaustive, so a new transport cannot be forgotten here. */
  public static SupportedRpcType rpcType(Transport transport) {
    return switch (transport) {
      case GRPC -> SupportedRpcType.GRPC;
      case NETTY -> SupportedRpcType.NETTY;
    };
  }

  /**
   * Mutual TLS for Ratis' gRPC transport: present this certificate, require one the bundle trusts.
   * Both managers read the material current at each handshake, so reloads reach Ratis too.
   */
  public static GrpcTlsConfig grpcTlsConfig(TlsMaterial material) {
    return new GrpcTlsConfig(material.keyManager(), material.trustManager(), true);
  }
}
