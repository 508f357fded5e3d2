/**
 * Machinery the node and the client share: the refusals that travel from node to client
 * ({@link io.pachyderm.cluster.internal.NodeRefusalException}, {@link io.pachyderm.cluster.internal.StorageFullRefusal};
 * their class names are on the wire, see each), the bounded executor, client tokens, loopback ports and
 * gRPC's java.util.logging levels. Not a public API.
 */
package io.pachyderm.cluster.internal;
