package io.pachyderm.api;

import java.util.Map;

/**
 * The command was certainly never delivered: every attempt failed before a connection to a node
 * existed (connection refused, connect timeout, unknown host), so no node can have applied it and
 * sending it again is safe. Distinct from {@link io.pachyderm.api.OutcomeUnknownException}, which
 * stays the answer whenever any attempt may have reached a node (a timeout on an open connection,
 * a connection lost mid-request, a node that answered "not leader" and then went silent).
 */
public final class NotSentException extends PachydermException {
  private static final long serialVersionUID = 1L;

  private final Map<String, String> reasonsByPeer;

  /** @param reasonsByPeer each peer tried, by id (or address when Ratis gave no id), and why it failed */
  public NotSentException(String message, Map<String, String> reasonsByPeer) {
    super(message);
    this.reasonsByPeer = Map.copyOf(reasonsByPeer);
  }

  /** The peers tried and why each could not be reached; immutable. */
  public Map<String, String> reasonsByPeer() {
    return reasonsByPeer;
  }
}
