/**
 * Who may call a node, once it serves mutual TLS (or asks clients for a shared token). {@link
 * io.pachyderm.node.security.Identities} is the rule that maps a certificate to a peer, an admin or
 * a named client; {@link io.pachyderm.node.security.CallAuthorizer} is the gRPC interceptor that
 * applies it to every call on the node's port (Raft peer service, client service, Ratis admin
 * service) and counts refusals; {@code PeerIdBinding} holds each Raft request to the sender its
 * certificate names; {@link io.pachyderm.node.security.AuthorizationPolicy} is the per-node policy
 * file (identity, {@link io.pachyderm.node.security.Operation}, ecosystem) and {@code
 * ClientRequests} decodes a client request into what it needs from it; {@link
 * io.pachyderm.node.security.PortGuard} keeps each of a node's separate peer, client and admin
 * ports to its own service. {@link io.pachyderm.node.security.ThrowawayCa} issues certificates
 * that follow the rule, from a CA made on the spot: for a local cluster, chaos runs, benchmarks
 * and tests.
 */
package io.pachyderm.node.security;
