package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.Transport;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.node.security.ThrowawayCa.AltName;
import io.pachyderm.node.security.ThrowawayCa;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secure by default (issue 11): a node on an address other than loopback needs TLS or an explicit
 * insecure(); TLS on the Netty transport, TLS with insecure(), and a certificate that does not
 * name the node are refused before anything starts. Nothing here binds a port.
 */
class SecureByDefaultTest {
  @TempDir
  Path dir;

  @Test
  void aNodeOnANonLoopbackAddressWithoutTlsRefusesToStartAndSaysHowToFixIt() {
    List<Peer> peers = Peer.parseList("n1=192.0.2.10:7001,n2=192.0.2.11:7001,n3=192.0.2.12:7001");
    assertThatThrownBy(() -> PachydermNode.builder("n1", peers, dir.resolve("n1")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("refusing to serve on 192.0.2.10:7001 without TLS")
        .hasMessageContaining("--tls-cert")
        .hasMessageContaining("--insecure");
  }

  @Test
  void theWildcardAddressIsNotLoopback() {
    List<Peer> peers = Peer.parseList("n1=0.0.0.0:7001");
    assertThatThrownBy(() -> PachydermNode.builder("n1", peers, dir.resolve("n1")).build())
        .hasMessageContaining("without TLS");
  }

  @Test
  void insecureAllowsPlaintextOnANonLoopbackAddress() {
    List<Peer> peers = Peer.parseList("n1=192.0.2.10:7001,n2=192.0.2.11:7001,n3=192.0.2.12:7001");
    PachydermNode node = PachydermNode.builder("n1", peers, dir.resolve("n1")).insecure().build();
    node.close();
  }

  @Test
  void loopbackDevelopmentNeedsNoFlags() {
    for (String host : List.of("127.0.0.1", "localhost")) {
      List<Peer> peers = Peer.parseList("n1=" + host + ":" + TestCluster.freePort());
      PachydermNode node = PachydermNode.builder("n1", peers, dir.resolve(host)).build();
      node.close();
    }
    assertThat(io.pachyderm.node.internal.NodeChecks.isLoopback("127.0.0.2")).isTrue();
    assertThat(io.pachyderm.node.internal.NodeChecks.isLoopback("[::1]")).isTrue();
    assertThat(io.pachyderm.node.internal.NodeChecks.isLoopback("192.0.2.10")).isFalse();
    assertThat(io.pachyderm.node.internal.NodeChecks.isLoopback("no-such-host.invalid")).isFalse();
  }

  @Test
  void tlsOnTheNettyTransportIsRefusedBecauseRatisNettyHasNoTls() {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("ca"), "ca");
    List<Peer> peers = Peer.parseList("n1=127.0.0.1:7001");
    assertThatThrownBy(() -> PachydermNode.builder("n1", peers, dir.resolve("n1")).transport(Transport.NETTY)
        .tls(ca.node("n1")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Netty transport has no TLS");
    assertThatThrownBy(() -> PachydermClient.builder(peers).transport(Transport.NETTY).tls(ca.client("c")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Netty transport has no TLS");
  }

  @Test
  void tlsAndInsecureTogetherAreRefused() {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("ca"), "ca");
    List<Peer> peers = Peer.parseList("n1=127.0.0.1:7001");
    assertThatThrownBy(() -> PachydermNode.builder("n1", peers, dir.resolve("n1")).tls(ca.node("n1")).insecure().build())
        .hasMessageContaining("TLS and insecure both given");
  }

  @Test
  void aCertificateThatDoesNotNameTheNodesHostIsRefused() {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("ca"), "ca");
    TlsFiles uriOnly = ca.issue("uri-only", "n1", List.of(
        new AltName.Uri("pachyderm:peer:n1")));
    assertThatThrownBy(() -> PachydermNode.builder("n1", Peer.parseList("n1=127.0.0.1:7001"), dir.resolve("a"))
        .tls(uriOnly).build())
        .hasMessageContaining("does not name this node's host 127.0.0.1")
        .hasMessageContaining("IP:127.0.0.1");
    TlsFiles otherIp = ca.issue("other-ip", "n1", List.of(
        new AltName.Uri("pachyderm:peer:n1"),
        new AltName.Ip("127.0.0.2"), new AltName.Dns("127.0.0.1")));
    assertThatThrownBy(() -> PachydermNode.builder("n1", Peer.parseList("n1=127.0.0.1:7001"), dir.resolve("b"))
        .tls(otherIp).build())
        .hasMessageContaining("does not name this node's host 127.0.0.1");
    // The test CA's node certificates name 127.0.0.1 and localhost: both addresses build.
    for (String host : List.of("127.0.0.1", "localhost")) {
      PachydermNode.builder("n1", Peer.parseList("n1=" + host + ":" + TestCluster.freePort()), dir.resolve(host))
          .tls(ca.node("n1")).build().close();
    }
  }

  @Test
  void aClientPortOnANonLoopbackAddressNeedsTlsEvenWhenThePeerPortIsLoopback() {
    List<Peer> peers = Peer.parseList("n1=127.0.0.1:7001;client=192.0.2.10:7101;admin=7201");
    assertThatThrownBy(() -> PachydermNode.builder("n1", peers, dir.resolve("n1")).build())
        .hasMessageContaining("refusing to serve on 192.0.2.10:7101 without TLS");
  }

  @Test
  void separatePortsOnTheNettyTransportAreRefused() {
    List<Peer> peers = Peer.parseList("n1=127.0.0.1:7001;client=7101;admin=7201");
    assertThatThrownBy(() -> PachydermNode.builder("n1", peers, dir.resolve("n1")).transport(Transport.NETTY).build())
        .hasMessageContaining("separate client and admin ports need the gRPC transport");
  }

  @Test
  void aCertificateThatDoesNotNameTheAdminPortsHostIsRefusedNamingThatAddress() {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("ca"), "ca");
    TlsFiles ipOnly = ca.issue("ip-only", "n1", List.of(AltName.peer("n1"), new AltName.Ip("127.0.0.1")));
    List<Peer> peers = Peer.parseList("n1=127.0.0.1:7001;client=7101;admin=localhost:7201");
    assertThatThrownBy(() -> PachydermNode.builder("n1", peers, dir.resolve("n1")).tls(ipOnly).build())
        .hasMessageContaining("does not name this node's host localhost (admin address localhost:7201)")
        .hasMessageContaining("DNS:localhost");
  }

  @Test
  void aCertificateThatDoesNotNameTheNodeIsRefused() {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("ca"), "ca");
    List<Peer> peers = Peer.parseList("n1=127.0.0.1:7001,n2=127.0.0.1:7002");
    assertThatThrownBy(() -> PachydermNode.builder("n1", peers, dir.resolve("n1")).tls(ca.node("n2")).build())
        .hasMessageContaining("names peers [n2], not this node")
        .hasMessageContaining("URI:pachyderm:peer:n1");
  }
}
