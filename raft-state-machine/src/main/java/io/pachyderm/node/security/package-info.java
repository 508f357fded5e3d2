/**
 * Who may call a node, once it serves mutual TLS (or asks clients for a shared token). {@link
 * io.pachyderm.node.security.Identities} is the rule that maps a certificate to a peer, an admin or
 * a named client; {@link io.pachyderm.node.security.AuthorizationPolicy} is the per-node policy
 * file (identity, {@link io.pachyderm.node.security.Operation}, ecosystem); {@link
 * io.pachyderm.node.security.Refusals} counts the calls refused. {@link
 * io.pachyderm.node.security.ThrowawayCa} issues certificates that follow the rule, from a CA made
 * on the spot: for a local cluster, chaos runs, benchmarks and tests. The gRPC interceptors that
 * apply these rules to every call ({@code CallAuthorizer}, {@code PortGuard}, and their helpers
 * {@code PeerIdBinding}, {@code ClientRequests}, {@code AdminRequests}) hold Ratis' shaded gRPC
 * types and so live in {@code io.pachyderm.node.internal}; they still log under this package's
 * names.
 */
package io.pachyderm.node.security;
