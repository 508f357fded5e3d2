/**
 * Who may call a node, once it serves mutual TLS. {@link io.pachyderm.node.security.Identities}
 * is the rule that maps a certificate to a peer or an admin; {@link
 * io.pachyderm.node.security.CallAuthorizer} is the gRPC interceptor that applies it to every call
 * on the node's port (Raft peer service, client service, Ratis admin service) and counts refusals;
 * {@code PeerIdBinding} holds each Raft request to the sender its certificate names. {@link
 * io.pachyderm.node.security.ThrowawayCa} issues certificates that follow the rule, from a CA made
 * on the spot: for a local cluster, chaos runs, benchmarks and tests.
 */
package io.pachyderm.node.security;
