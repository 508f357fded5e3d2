package io.pachyderm.cluster;

import io.pachyderm.api.PachydermException;

/**
 * A node refused this client because it serves another cluster: the client's cluster id (from
 * its peer list, or given explicitly) is not the node's. Nothing was applied; retrying with the
 * same settings gets the same answer. Either the peer list is stale (it names another cluster's
 * nodes) or the client needs the cluster's id explicitly (its peer list is not the cluster's
 * initial one): {@code PachydermClient.Builder#clusterId} (module {@code client}).
 */
public final class ClusterMismatchException extends PachydermException {
  private static final long serialVersionUID = 1L;

  public ClusterMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
