package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.client.Peer;
import io.pachyderm.client.tls.TlsFiles;
import io.pachyderm.node.PachydermNode;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's TLS options: a client command with --tls-* is served by a mutual-TLS node and
 * one without is not; the node command's secure-by-default refusal, the Netty refusal and
 * incomplete --tls-* options are bad input (exit 64) before anything starts.
 */
class TlsCliTest {
  private static final String REMOTE_PEERS = "n1=192.0.2.10:7001,n2=192.0.2.11:7001,n3=192.0.2.12:7001";

  @TempDir
  static Path dir;

  private static PachydermNode node;
  private static String peers;
  private static TlsFiles client;
  private static TlsFiles n1;

  @BeforeAll
  static void startNode() throws Exception {
    Authority ca = new Authority();
    n1 = ca.issue("n1", List.of(new GeneralName(GeneralName.uniformResourceIdentifier, "pachyderm:peer:n1"),
        new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
    client = ca.issue("alice", List.of());
    peers = "n1=127.0.0.1:" + FreePorts.one();
    node = NodeCommand.exampleNode("n1", Peer.parseList(peers), dir.resolve("n1")).tls(n1).build().start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!node.isReadyLeader() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(node.isReadyLeader()).as("a one-node cluster elects itself").isTrue();
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @Test
  void aClientCommandWithTlsOptionsIsServed() {
    CliRun run = CliRun.of("call", "--peers", peers, "--tls-cert", client.certificateChain().toString(),
        "--tls-key", client.privateKey().toString(), "--tls-ca", client.trustBundle().toString(),
        "counter", "tls-cli", "Increment", "{\"by\":2}");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.outLines()).containsExactly("version: 1", "state: {\"count\":2}");
  }

  @Test
  void aClientCommandWithoutTlsOptionsIsNotServed() {
    CliRun run = CliRun.of("call", "--peers", peers, "--timeout-ms", "2000", "counter", "tls-cli-plain", "Increment",
        "{\"by\":2}");
    assertThat(run.exitCode()).as(run.toString()).isIn(PachydermCli.EXIT_FAILURE, PachydermCli.EXIT_OUTCOME_UNKNOWN);
  }

  @Test
  void incompleteTlsOptionsAreBadInput() {
    CliRun client = CliRun.of("query", "--peers", peers, "--tls-cert", "a.pem", "counter", "c1");
    assertBadInput(client, "--tls-cert, --tls-key and --tls-ca go together; missing --tls-key, --tls-ca");
    CliRun nodeRun = CliRun.of("node", "--id", "n1", "--peers", peers, "--data", dir.resolve("x").toString(),
        "--tls-ca", "ca.pem");
    assertBadInput(nodeRun, "missing --tls-cert, --tls-key");
  }

  @Test
  void aNodeOnANonLoopbackAddressWithoutTlsIsRefusedNamingInsecure() {
    CliRun run = CliRun.of("node", "--id", "n1", "--peers", REMOTE_PEERS, "--data", dir.resolve("remote").toString());
    assertBadInput(run, "refusing to serve on 192.0.2.10:7001 without TLS");
    assertThat(run.err()).contains("--insecure");
  }

  @Test
  void insecureReachesTheNodeBuilder() {
    // --insecure with TLS is refused by the builder, so this shows the flag got there without
    // binding a port the machine does not have.
    CliRun run = CliRun.of("node", "--id", "n1", "--peers", REMOTE_PEERS, "--data", dir.resolve("both").toString(),
        "--insecure", "--tls-cert", n1.certificateChain().toString(), "--tls-key", n1.privateKey().toString(),
        "--tls-ca", n1.trustBundle().toString());
    assertBadInput(run, "TLS and insecure both given");
  }

  @Test
  void aNodeWithTlsOnNettyIsRefused() {
    CliRun run = CliRun.of("node", "--id", "n1", "--peers", peers, "--data", dir.resolve("netty").toString(),
        "--transport", "netty", "--tls-cert", n1.certificateChain().toString(), "--tls-key", n1.privateKey().toString(),
        "--tls-ca", n1.trustBundle().toString());
    assertBadInput(run, "Netty transport has no TLS");
  }

  private static void assertBadInput(CliRun run, String expected) {
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(run.err()).as(run.toString()).contains(expected);
  }

  /** A throwaway EC CA writing PEM files (raft-state-machine's TestCertificates, trimmed). */
  private static final class Authority {
    private final KeyPair keys = ec();
    private final X500Name name = new X500Name("CN=cli-test-ca");
    private final X509Certificate certificate;
    private long serial = 1;

    Authority() throws Exception {
      X509v3CertificateBuilder b = builder(name, keys);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      certificate = sign(b);
    }

    TlsFiles issue(String commonName, List<GeneralName> altNames) throws Exception {
      KeyPair leaf = ec();
      X509v3CertificateBuilder b = builder(new X500Name("CN=" + commonName), leaf);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      if (!altNames.isEmpty()) {
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(altNames.toArray(new GeneralName[0])));
      }
      Path chain = Files.writeString(dir.resolve(commonName + ".crt"), pem(List.of(sign(b))));
      Path key = Files.writeString(dir.resolve(commonName + ".key"), "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder().encodeToString(leaf.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
      Path ca = Files.writeString(dir.resolve("ca.crt"), pem(List.of(certificate)));
      return new TlsFiles(chain, key, ca);
    }

    private X509v3CertificateBuilder builder(X500Name subject, KeyPair subjectKeys) {
      Instant now = Instant.now();
      return new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(serial++), Date.from(now.minusSeconds(60)),
          Date.from(now.plus(Duration.ofDays(1))), subject, subjectKeys.getPublic());
    }

    private X509Certificate sign(X509v3CertificateBuilder b) throws Exception {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    private static String pem(List<X509Certificate> certificates) throws Exception {
      StringWriter out = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
        for (X509Certificate c : new ArrayList<>(certificates)) {
          writer.writeObject(c);
        }
      }
      return out.toString();
    }

    private static KeyPair ec() {
      try {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
