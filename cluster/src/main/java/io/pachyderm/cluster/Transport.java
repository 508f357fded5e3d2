package io.pachyderm.cluster;

/**
 * Ratis' RPC transport, for both replication and clients. Nodes and clients of a cluster must agree.
 * The mapping onto Ratis' own type is internal ({@code io.pachyderm.cluster.internal.RatisCluster}).
 */
public enum Transport {
  /** gRPC: pipelined log replication. The default; see README for the measurement. */
  GRPC,
  /** Netty: stop-and-wait replication in Ratis 3.3.0. */
  NETTY
}
