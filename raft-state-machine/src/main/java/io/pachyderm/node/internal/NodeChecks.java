package io.pachyderm.node.internal;

import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.Transport;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.cluster.tls.TlsMaterial;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks a node makes before it serves: secure by default, a certificate that names the node
 * and its hosts, and ports that are free. Each fails with the message an operator acts on.
 */
public final class NodeChecks {
  private NodeChecks() {
  }

  /** Secure by default: TLS, or loopback, or an explicit {@link #insecure()}; never Netty with TLS. */
  public static void requireSecureSetup(String nodeId, List<Peer> peers, Transport transport, TlsMaterial tls,
                                        boolean insecure) {
    if (tls != null && insecure) {
      throw new IllegalArgumentException("node " + nodeId + ": TLS and insecure both given; choose one");
    }
    if (tls != null && transport != Transport.GRPC) {
      throw new IllegalArgumentException("node " + nodeId + ": TLS needs the gRPC transport; Ratis 3.3.0's Netty "
          + "transport has no TLS, so this node would serve in plaintext. Use --transport grpc (the default)");
    }
    Peer self = peers.stream().filter(p -> p.id().equals(nodeId)).findFirst().orElse(null);
    if (self != null && self.separatePorts() && transport != Transport.GRPC) {
      throw new IllegalArgumentException("node " + nodeId + ": separate client and admin ports need the gRPC "
          + "transport; Ratis 3.3.0's Netty transport serves everything on the peer port. Use --transport grpc "
          + "or give --peers without client= and admin=");
    }
    if (tls != null) {
      requireNodeCertificate(nodeId, self, tls.files(), tls.certificateChain().get(0));
      return;
    }
    if (insecure) {
      return;
    }
    if (self == null) {
      return;
    }
    for (String address : List.of(self.address(), self.clientAddress(), self.adminAddress())) {
      String host = address.substring(0, address.lastIndexOf(':'));
      if (isLoopback(host)) {
        continue;
      }
      throw new IllegalArgumentException("node " + nodeId + ": refusing to serve on " + address
          + " without TLS: anyone who can reach that address could forge Raft messages, reconfigure the cluster "
          + "and read or write any entity. Give --tls-cert, --tls-key and --tls-ca (PachydermNode.Builder.tls), "
          + "or --insecure (Builder.insecure()) on a network where nothing hostile can reach the node. "
          + "Loopback addresses (127.0.0.1, localhost) need neither");
    }
  }

  /** Whether {@code host} resolves to a loopback address only; unresolvable hosts are not loopback. */
  public static boolean isLoopback(String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    try {
      for (InetAddress address : InetAddress.getAllByName(bare)) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Fails naming the address when one of this node's ports is taken: Ratis 3.3.0 ends the whole JVM
   * (ExitUtils.terminate) when its gRPC server cannot bind, which an application embedding a node
   * must not suffer for a port conflict. Racy (another process may bind in between), but it turns
   * the common case (a port already in use) into an exception.
   */
  public static void requirePortsFree(String nodeId, Peer self) {
    for (String address : new java.util.LinkedHashSet<>(List.of(self.address(), self.clientAddress(),
        self.adminAddress()))) {
      String host = address.substring(0, address.lastIndexOf(':'));
      int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
      try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new java.net.InetSocketAddress(host.replaceAll("^\\[|\\]$", ""), port));
      } catch (IOException e) {
        throw new UncheckedIOException("node " + nodeId + ": cannot start: " + address + " is in use or cannot be "
            + "bound on this host (" + e.getMessage() + ")", e);
      }
    }
  }

  /**
   * A node's certificate must name the node (URI SAN {@code pachyderm:peer:<id>}) and every host
   * it serves on: peers, clients and admin callers each check the host they dialled, so a missing
   * name would show up far away as their handshake error. Checked at build and on every reload.
   */
  public static void requireNodeCertificate(String nodeId, Peer self, TlsFiles files, X509Certificate certificate) {
    List<String> named = io.pachyderm.node.security.Identities.peerIds(certificate);
    if (!named.contains(nodeId)) {
      throw new IllegalArgumentException("node " + nodeId + ": the certificate " + files.certificateChain()
          + " names peers " + named + ", not this node; it needs a subject alternative name URI:"
          + io.pachyderm.node.security.Identities.PEER_URI_PREFIX + nodeId
          + " or its peers will refuse its Raft calls");
    }
    if (self == null) {
      return;
    }
    Map<String, String> hosts = new LinkedHashMap<>();
    hosts.putIfAbsent(self.host(), "peer address " + self.address());
    hosts.putIfAbsent(self.clientHost(), "client address " + self.clientAddress());
    hosts.putIfAbsent(self.adminHost(), "admin address " + self.adminAddress());
    for (Map.Entry<String, String> h : hosts.entrySet()) {
      String host = h.getKey();
      if (!io.pachyderm.node.security.Identities.namesHost(certificate, host)) {
        throw new IllegalArgumentException("node " + nodeId + ": the certificate " + files.certificateChain()
            + " does not name this node's host " + host + " (" + h.getValue() + "); it needs a subject alternative "
            + "name " + (host.matches("[0-9.]+|\\[.*\\]|.*:.*") ? "IP:" : "DNS:") + host.replaceAll("^\\[|\\]$", "")
            + ", or whoever dials that address refuses the connection (gRPC checks the host it dialled)");
      }
    }
  }
}
