package io.pachyderm.node.security;

/**
 * Calls a node refused since it started, by reason. Handshakes refused by TLS itself (no
 * certificate, or one no trusted CA signed) never reach the node's check and are not counted here.
 *
 * @param unauthenticated calls that carried no verified certificate
 * @param notPeer calls to the Raft peer service from a certificate that names no member of the group
 * @param notAdmin calls to Ratis' admin service from a certificate that is neither a member's nor an admin's,
 *     Pachyderm admin requests on the client service from such a certificate, and calls to services the
 *     node does not serve
 * @param impersonation Raft peer-service calls from a member's certificate carrying a request in
 *     another peer's name
 * @param notAuthorized under an authorization policy: client requests the policy does not grant
 *     the caller's identity (or calls from a certificate with none), and requests that are not a
 *     Pachyderm client's (admin-service calls the policy refuses count in {@code notAdmin})
 * @param badToken client requests without the node's shared token or with a wrong one
 */
public record Refusals(long unauthenticated, long notPeer, long notAdmin, long impersonation, long notAuthorized,
                       long badToken) {
  public static final Refusals NONE = new Refusals(0, 0, 0, 0, 0, 0);

  public long total() {
    return unauthenticated + notPeer + notAdmin + impersonation + notAuthorized + badToken;
  }
}
