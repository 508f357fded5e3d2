/**
 * Machinery the node and the client share: the refusals that travel from node to client
 * ({@link io.pachyderm.cluster.internal.NodeRefusals}, named on the wire by stable identifiers, and
 * {@link io.pachyderm.cluster.internal.StorageFullRefusal}; see each), the conversions of the public cluster
 * types to Ratis' ({@link io.pachyderm.cluster.internal.RatisCluster}), the bounded executor, client tokens, loopback ports and
 * gRPC's java.util.logging levels. Not a public API.
 */
package io.pachyderm.cluster.internal;
