package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.node.PachydermNode;
import io.pachyderm.node.security.AuthorizationPolicy;
import io.pachyderm.node.security.Identities;
import io.pachyderm.node.security.Operation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's --auth-policy and --token-file: a node with mutual TLS, a policy that lets the
 * local client certificate (as {@code cluster start --tls} makes it) only query, and a token. The
 * client command's --token-file gets it served; a refusal exits 2 naming what was refused; the node
 * command's options reach the builder (bad files are bad input, exit 64, before anything starts).
 */
class AuthCliTest {
  private static final String TOKEN = "cli-token-0123456789abcdef";

  @TempDir
  static Path dir;

  private static PachydermNode node;
  private static String peers;
  private static TlsFiles client;
  private static TlsFiles n1;
  private static Path tokenFile;
  private static Path policyFile;

  @BeforeAll
  static void startNode() throws Exception {
    peers = "n1=127.0.0.1:" + FreePorts.one();
    LocalTls ca = LocalTls.create(dir, Peer.parseList(peers));
    n1 = ca.node("n1");
    client = ca.client();
    tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, TOKEN + "\n");
    policyFile = dir.resolve("policy.txt");
    Files.writeString(policyFile, "local query,status *\n");
    node = NodeCommand.classPathNode("n1", Peer.parseList(peers), dir.resolve("n1")).tls(n1)
        .authorizationPolicy(policyFile).clientToken(TOKEN).build().start();
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
  void aClientWithTheTokenMayQueryButNotCall() {
    CliRun query = CliRun.of(client("--token-file", tokenFile.toString(), "query", "counter", "auth-cli"));
    assertThat(query.exitCode()).as(query.toString()).isZero();
    CliRun call = CliRun.of(client("--token-file", tokenFile.toString(), "call", "counter", "auth-cli", "Increment",
        "{\"by\":2}"));
    assertThat(call.exitCode()).as(call.toString()).isEqualTo(PachydermCli.EXIT_REJECTED);
    assertThat(call.err()).contains("refused").contains("PERMISSION_DENIED")
        .contains("client local may not call in ecosystem 'default'");
    assertThat(node.refusals().notAuthorized()).isPositive();
  }

  @Test
  void aClientWithoutTheTokenOrWithAnotherIsRefused() throws Exception {
    CliRun none = CliRun.of(client("query", "counter", "auth-cli"));
    assertThat(none.exitCode()).as(none.toString()).isEqualTo(PachydermCli.EXIT_REJECTED);
    assertThat(none.err()).contains("UNAUTHENTICATED").contains("carries no token");
    Path wrong = dir.resolve("wrong-token");
    Files.writeString(wrong, "another-token-0123456789\n");
    CliRun other = CliRun.of(client("--token-file", wrong.toString(), "query", "counter", "auth-cli"));
    assertThat(other.exitCode()).as(other.toString()).isEqualTo(PachydermCli.EXIT_REJECTED);
    assertThat(other.err()).contains("wrong token");
    assertThat(node.refusals().badToken()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void theNodesOptionsReachTheBuilder() throws Exception {
    Path bad = dir.resolve("bad-policy.txt");
    Files.writeString(bad, "local query *\nlocal write *\n");
    CliRun badPolicy = CliRun.of(node("bad", "--auth-policy", bad.toString()));
    assertBadInput(badPolicy, "authorization policy " + bad + ", line 2: unknown operation 'write'");

    CliRun noTls = CliRun.of("node", "--id", "n1", "--peers", peers, "--data", dir.resolve("no-tls").toString(),
        "--auth-policy", policyFile.toString());
    assertBadInput(noTls, "needs mutual TLS");

    Path shortToken = dir.resolve("short-token");
    Files.writeString(shortToken, "abc\n");
    assertBadInput(CliRun.of(node("short", "--token-file", shortToken.toString())),
        "token file " + shortToken + ": a token must have 16..1024 characters");
    assertBadInput(CliRun.of(client("--token-file", shortToken.toString(), "query", "counter", "x")),
        "a token must have 16..1024 characters");
  }

  @Test
  void theLocalClusterCertificatesNameTheClientAndTheSamplePolicyGrantsIt() throws Exception {
    X509Certificate certificate;
    try (var in = Files.newInputStream(client.certificateChain())) {
      certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    assertThat(Identities.policyNames(certificate)).containsExactly(LocalTls.CLIENT_IDENTITY);
    AuthorizationPolicy sample = AuthorizationPolicy.read(dir.resolve(LocalTls.DIR_NAME).resolve(LocalTls.POLICY_SAMPLE));
    for (Operation o : Operation.values()) {
      assertThat(sample.allows(Identities.policyNames(certificate), o, AuthorizationPolicy.ANY)).as(o.name()).isTrue();
    }
  }

  private static String[] client(String... rest) {
    List<String> args = new ArrayList<>();
    int command = rest[0].startsWith("--") ? 2 : 0;
    for (int i = 0; i < command; i++) {
      args.add(rest[i]);
    }
    List<String> tail = new ArrayList<>(List.of(rest).subList(command, rest.length));
    // subcommand first, then its options
    List<String> out = new ArrayList<>();
    out.add(tail.get(0));
    out.addAll(List.of("--peers", peers, "--timeout-ms", "20000"));
    out.addAll(LocalTls.options(client));
    out.addAll(args);
    out.addAll(tail.subList(1, tail.size()));
    return out.toArray(String[]::new);
  }

  /** A node command with TLS on a port it never binds: each of these fails at build. */
  private static String[] node(String data, String... extra) {
    List<String> args = new ArrayList<>(List.of("node", "--id", "n1", "--peers", peers, "--data",
        dir.resolve(data).toString()));
    args.addAll(LocalTls.options(n1));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  private static void assertBadInput(CliRun run, String expected) {
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(run.err()).as(run.toString()).contains(expected);
  }
}
