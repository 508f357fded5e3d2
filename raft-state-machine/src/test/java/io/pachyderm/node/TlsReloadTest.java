package io.pachyderm.node;

import io.pachyderm.cluster.internal.RatisCluster;
import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.node.security.ThrowawayCa;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.cluster.tls.TlsMaterial;
import io.pachyderm.entity.EntityRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate rotation without a restart (issue 11): a node's certificate files replaced by a new
 * certificate (same identity, new key and serial) are what a new connection's handshake sees
 * within a few reload intervals, clients still call through it, a corrupt replacement is
 * refused while the certificate in use stays, and a CA added to the trust bundle is trusted.
 */
class TlsReloadTest {
  @TempDir
  Path dir;

  @Test
  void aRotatedNodeCertificateIsServedToNewConnectionsAndACorruptOneIsRefused() throws Exception {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("reload-ca"), "reload-ca");
    TlsFiles alice = ca.client("alice");
    try (TestCluster cluster = new TestCluster(dir.resolve("nodes"), 3, TestCounter.TYPES, true,
        (id, b) -> b.tls(ca.node(id)).tlsReloadInterval(Duration.ofMillis(200)))) {
      cluster.awaitLeader();
      Peer n1 = cluster.peers().get(0);
      TlsMaterial inUse = cluster.node(0).tlsMaterial().orElseThrow();
      BigInteger first = inUse.certificateChain().get(0).getSerialNumber();
      assertThat(servedSerial(n1.clientHost(), n1.clientPort(), alice)).isEqualTo(first);

      // Rotate: the same paths, a new key and certificate (ThrowawayCa writes them in place).
      TlsFiles rotated = ca.node("n1");
      assertThat(rotated).isEqualTo(inUse.files());
      BigInteger second = serialIn(rotated.certificateChain());
      assertThat(second).isNotEqualTo(first);
      await(() -> second.equals(servedSerial(n1.clientHost(), n1.clientPort(), alice)), "n1 to serve serial " + second);
      assertThat(servedSerial(n1.host(), n1.port(), alice)).isEqualTo(second);
      assertThat(inUse.reloads()).isPositive();

      // The rotated node still takes calls and its peers still reach it over the new certificate.
      EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("rotated");
      try (PachydermClient client = PachydermClient.builder(java.util.List.of(n1)).entityTypes(TestCounter.TYPES)
          .clusterId(io.pachyderm.cluster.ClusterIdentity.id(cluster.peers()))
          .requestTimeout(Duration.ofSeconds(60)).tls(alice).build()) {
        assertThat(client.call(ref, new TestCounter.Add(2)).version()).isEqualTo(1);
      }
      cluster.assertReplicasAgree();

      // A corrupt replacement: refused (and logged), the second certificate stays in use.
      long refusedBefore = inUse.reloadsRefused();
      Files.writeString(rotated.certificateChain(), "-----BEGIN CERTIFICATE-----\nnot base64 at all\n"
          + "-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
      await(() -> inUse.reloadsRefused() > refusedBefore, "n1 to refuse the corrupt certificate file");
      assertThat(servedSerial(n1.clientHost(), n1.clientPort(), alice)).isEqualTo(second);
      assertThat(inUse.certificateChain().get(0).getSerialNumber()).isEqualTo(second);

      // Once the files are whole again they are taken.
      TlsFiles third = ca.node("n1");
      BigInteger thirdSerial = serialIn(third.certificateChain());
      await(() -> thirdSerial.equals(servedSerial(n1.clientHost(), n1.clientPort(), alice)),
          "n1 to serve serial " + thirdSerial);

      // The trust bundle too: a client of another CA is refused until that CA joins the bundle.
      TlsFiles zed = ThrowawayCa.create(dir.resolve("other-ca"), "other-ca").client("zed");
      TlsFiles zedTrustingTheCluster = new TlsFiles(zed.certificateChain(), zed.privateKey(), alice.trustBundle());
      assertThat(acceptedAsClient(n1.clientHost(), n1.clientPort(), zedTrustingTheCluster)).isFalse();
      Files.writeString(third.trustBundle(), Files.readString(third.trustBundle(), StandardCharsets.US_ASCII)
          + Files.readString(zed.trustBundle(), StandardCharsets.US_ASCII), StandardCharsets.US_ASCII);
      await(() -> acceptedAsClient(n1.clientHost(), n1.clientPort(), zedTrustingTheCluster),
          "n1 to accept a client of the CA added to its trust bundle");
    }
  }

  @Test
  void aReplacementThatNoLongerNamesTheNodeIsRefused() throws Exception {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("reload-ca"), "reload-ca");
    TlsFiles files = ca.node("n1");
    TlsMaterial material = files.load();
    Peer self = new Peer("n1", "127.0.0.1:7001");
    BigInteger first = material.certificateChain().get(0).getSerialNumber();

    assertThat(material.reloadIfChanged(c -> io.pachyderm.node.internal.NodeChecks.requireNodeCertificate("n1", self, files, c)))
        .isInstanceOf(TlsMaterial.Reload.Unchanged.class);

    // n2's certificate written over n1's files: valid TLS, wrong identity.
    TlsFiles n2 = ca.node("n2");
    Files.copy(n2.certificateChain(), files.certificateChain(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(n2.privateKey(), files.privateKey(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    TlsMaterial.Reload reload = material.reloadIfChanged(c -> io.pachyderm.node.internal.NodeChecks.requireNodeCertificate("n1", self, files, c));

    assertThat(reload).isInstanceOfSatisfying(TlsMaterial.Reload.Refused.class,
        r -> assertThat(r.reason()).contains("names peers [n2], not this node"));
    assertThat(material.certificateChain().get(0).getSerialNumber()).isEqualTo(first);
    // Looked at once: the same files are not tried (or logged) again on every poll.
    assertThat(material.reloadIfChanged(c -> { })).isInstanceOf(TlsMaterial.Reload.Unchanged.class);
  }

  @Test
  void aKeyThatDoesNotMatchTheNewCertificateIsRefusedNamingTheFile() throws Exception {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("reload-ca"), "reload-ca");
    TlsFiles files = ca.client("bob");
    TlsMaterial material = files.load();
    BigInteger first = material.certificateChain().get(0).getSerialNumber();
    byte[] oldKey = Files.readAllBytes(files.privateKey());

    ca.client("bob");
    Files.write(files.privateKey(), oldKey);
    TlsMaterial.Reload reload = material.reloadIfChanged(c -> { });

    assertThat(reload).isInstanceOfSatisfying(TlsMaterial.Reload.Refused.class,
        r -> assertThat(r.reason()).contains(files.privateKey().toString()).contains("does not belong"));
    assertThat(material.certificateChain().get(0).getSerialNumber()).isEqualTo(first);
    assertThat(material.reloadsRefused()).isEqualTo(1);
  }

  /** The serial of the certificate a server presents to a new TLS connection. */
  private static BigInteger servedSerial(String host, int port, TlsFiles client) {
    TlsMaterial identity = client.load();
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {RatisCluster.grpcTlsConfig(identity).getKeyManager().getKeyManager()},
          new TrustManager[] {RatisCluster.grpcTlsConfig(identity).getTrustManager().getTrustManager()}, null);
      try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port)) {
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2"});
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Whether the server keeps a connection that presents {@code client}'s certificate. In TLS 1.3
   * the client's handshake ends before the server has checked the client's certificate, so this
   * reads: an accepted connection gets the server's HTTP/2 settings, a refused one an alert.
   */
  private static boolean acceptedAsClient(String host, int port, TlsFiles client) {
    TlsMaterial identity = client.load();
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {RatisCluster.grpcTlsConfig(identity).getKeyManager().getKeyManager()},
          new TrustManager[] {RatisCluster.grpcTlsConfig(identity).getTrustManager().getTrustManager()}, null);
      try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port)) {
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2"});
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket.getInputStream().read() >= 0;
      }
    } catch (javax.net.ssl.SSLException | java.net.SocketException refused) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private static BigInteger serialIn(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in)).getSerialNumber();
    }
  }

  private static void await(Supplier<Boolean> condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.get()) {
        return;
      }
      TestCluster.sleep(100);
    }
    throw new AssertionError("timed out waiting for " + what);
  }
}
