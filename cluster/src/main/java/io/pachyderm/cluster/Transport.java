package io.pachyderm.cluster;

import org.apache.ratis.rpc.SupportedRpcType;

/** Ratis' RPC transport, for both replication and clients. Nodes and clients of a cluster must agree. */
public enum Transport {
  /** gRPC: pipelined log replication. The default; see README for the measurement. */
  GRPC(SupportedRpcType.GRPC),
  /** Netty: stop-and-wait replication in Ratis 3.3.0. */
  NETTY(SupportedRpcType.NETTY);

  private final SupportedRpcType rpcType;

  Transport(SupportedRpcType rpcType) {
    this.rpcType = rpcType;
  }

  public SupportedRpcType rpcType() {
    return rpcType;
  }
}
