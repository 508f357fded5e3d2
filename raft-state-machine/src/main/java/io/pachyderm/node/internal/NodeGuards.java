package io.pachyderm.node.internal;

import io.pachyderm.cluster.internal.RatisCluster;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.tls.TlsMaterial;
import io.pachyderm.node.security.AuthorizationPolicy;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;

/**
 * Who may call a node, wired into Ratis' gRPC servers: mutual TLS on every port, the call
 * authorizer (policy and token) and, with separate ports, the guard that refuses another port's
 * services; and the start-up line that tells the operator which of these is on.
 */
public final class NodeGuards {
  /** The node's logger, so the start-up line reads as the node's. */
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.pachyderm.node.PachydermNode");

  private NodeGuards() {
  }

  /**
   * Ratis' parameters with the TLS configuration and the interceptors.
   *
   * @param authorizer null without TLS and without a client token
   * @param wrongPortCalls counts calls refused for reaching the wrong one of the separate ports
   */
  public static Parameters parameters(String nodeId, Peer self, TlsMaterial tls, CallAuthorizer authorizer,
                                      AtomicLong wrongPortCalls) {
    Parameters parameters = new Parameters();
    if (tls != null) {
      // TLS.setConf is Ratis' fallback for the server, client and admin ports alike, so one
      // mutual-TLS configuration covers every port, separate or not.
      GrpcConfigKeys.TLS.setConf(parameters, RatisCluster.grpcTlsConfig(tls));
    }
    PortGuard.Addresses addresses = new PortGuard.Addresses(self.address(), self.clientAddress(), self.adminAddress());
    // Ratis calls the customizer once per gRPC server it builds (one, or three with separate ports),
    // naming the services that server carries: each gets the authorizer and, when separate, a guard
    // that refuses the other ports' services.
    GrpcConfigKeys.Server.setServicesCustomizer(parameters, (nettyServer, services) -> {
      if (self.separatePorts()) {
        PortGuard guard = new PortGuard(nodeId, services, addresses, wrongPortCalls);
        nettyServer.fallbackHandlerRegistry(guard.refusingRegistry());
        nettyServer.intercept(guard);
      }
      if (authorizer != null) {
        // Added last, so it runs first: nothing about the ports is told to an unauthenticated caller.
        nettyServer.intercept(authorizer);
      }
      return nettyServer;
    });
    return parameters;
  }

  /** One line at startup that says who may use the client service: the answer an operator looks for. */
  public static void logClientAccess(String nodeId, AuthorizationPolicy policy, TlsMaterial tls, String clientToken) {
    String token = clientToken == null ? "" : "; every client request must carry the shared token";
    if (policy != null) {
      LOG.info("node {}: client authorization policy {}: default deny, each client request is checked against it{}",
          nodeId, policy.source(), token);
    } else if (tls != null) {
      LOG.info("node {}: no client authorization policy: any client certificate the trust bundle verifies may call, "
          + "query and read history in every ecosystem{}", nodeId, token);
    } else if (clientToken != null) {
      LOG.info("node {}: no TLS: clients are checked for the shared token only (sent in plaintext), and peer and "
          + "admin traffic is not authenticated", nodeId);
    } else {
      LOG.info("node {}: no TLS and no token: anyone who reaches the port may use every service", nodeId);
    }
  }
}
