package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.node.PachydermNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's TLS options: a client command with --tls-* is served by a mutual-TLS node (its
 * certificates from {@link LocalTls}, as {@code cluster start --tls} makes them) and one without is not; the node command's secure-by-default refusal, the Netty refusal and
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
    peers = "n1=127.0.0.1:" + FreePorts.one();
    LocalTls ca = LocalTls.create(dir, Peer.parseList(peers));
    n1 = ca.node("n1");
    client = ca.client();
    node = NodeCommand.classPathNode("n1", Peer.parseList(peers), dir.resolve("n1")).tls(n1).build().start();
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
}
