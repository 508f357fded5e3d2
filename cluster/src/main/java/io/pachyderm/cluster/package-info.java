/**
 * One cluster as both its nodes and its clients describe it: the members ({@link io.pachyderm.cluster.Peer},
 * with their peer, client and admin addresses), the {@link io.pachyderm.cluster.Transport}, and the cluster id
 * derived from them ({@link io.pachyderm.cluster.ClusterIdentity}), and the refusal when they disagree
 * ({@link io.pachyderm.cluster.ClusterMismatchException}). Its own module so that the node and the
 * client share these without depending on each other. Immutable values; thread-safe.
 */
package io.pachyderm.cluster;
