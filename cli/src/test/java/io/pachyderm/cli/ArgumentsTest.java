package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input never reaches a cluster: one line on stderr, exit 64, no stack trace. */
class ArgumentsTest {
  private static final String PEERS = "n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003";

  @Test
  void helpListsTheCommandsAndTheExitCodes() {
    CliRun run = CliRun.of("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("node", "call", "send", "query", "status", "dead-letters", "demo", "cluster",
        "Exit codes");
  }

  @Test
  void subcommandHelpIsInherited() {
    CliRun run = CliRun.of("cluster", "start", "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--base-port", "--nodes", "--data");
  }

  @Test
  void noCommandIsBadInput() {
    assertBadInput(CliRun.of(), "missing command");
  }

  @Test
  void unknownCommandIsBadInput() {
    assertBadInput(CliRun.of("frobnicate"), "frobnicate");
  }

  @Test
  void callWithoutPeersIsBadInput() {
    assertBadInput(CliRun.of("call", "counter", "c1", "Increment"), "--peers");
  }

  @Test
  void callWithoutCommandTypeIsBadInput() {
    assertBadInput(CliRun.of("call", "--peers", PEERS, "counter", "c1"), "COMMAND_TYPE");
  }

  @Test
  void peerWithoutIdIsBadInput() {
    assertBadInput(callWithPeers("127.0.0.1:7001"), "must be id=host:port");
  }

  @Test
  void peerWithoutPortIsBadInput() {
    assertBadInput(callWithPeers("n1=localhost"), "address 'localhost' must be host:port");
  }

  @Test
  void peerWithPortOutOfRangeIsBadInput() {
    assertBadInput(callWithPeers("n1=127.0.0.1:99999"), "outside 1..65535");
  }

  @Test
  void duplicatePeerIdsAreBadInput() {
    assertBadInput(callWithPeers("n1=127.0.0.1:7001,n1=127.0.0.1:7002"), "duplicate peer ids");
  }

  @Test
  void unclosedJsonIsBadInput() {
    CliRun run = CliRun.of("call", "--peers", PEERS, "counter", "c1", "Increment", "{\"by\":2");
    assertBadInput(run, "JSON of Increment is not valid");
    assertThat(run.err()).contains("line 1").doesNotContain("REDACTED");
  }

  @Test
  void jsonWithTrailingTextIsBadInput() {
    assertBadInput(CliRun.of("send", "--peers", PEERS, "counter", "c1", "Increment", "{\"by\":2} x"),
        "JSON of Increment is not valid");
  }

  @Test
  void emptyJsonIsBadInput() {
    assertBadInput(CliRun.of("call", "--peers", PEERS, "counter", "c1", "Increment", " "), "not valid");
  }

  @Test
  void invalidEcosystemIsBadInput() {
    assertBadInput(CliRun.of("call", "--peers", PEERS, "--ecosystem", "a b", "counter", "c1", "Reset"),
        "ecosystem name 'a b'");
  }

  @Test
  void unknownTransportIsBadInput() {
    assertBadInput(CliRun.of("status", "--peers", PEERS, "--transport", "udp"), "--transport");
  }

  @Test
  void transportIsCaseInsensitive() {
    CliRun run = CliRun.of("status", "--peers", "n1=127.0.0.1", "--transport", "NETTY");
    assertBadInput(run, "must be host:port");
  }

  @Test
  void nonPositiveTimeoutIsBadInput() {
    assertBadInput(CliRun.of("query", "--peers", PEERS, "--timeout-ms", "0", "counter", "c1"), "--timeout-ms");
  }

  @Test
  void nodeIdOutsideThePeersIsBadInput(@TempDir Path dir) {
    assertBadInput(CliRun.of("node", "--id", "n9", "--peers", PEERS, "--data", dir.toString()),
        "--id n9 is not one of --peers");
  }

  @Test
  void clusterOfZeroNodesIsBadInput(@TempDir Path dir) {
    assertBadInput(CliRun.of("cluster", "start", "--nodes", "0", "--data", dir.toString()), "--nodes must be 1..");
  }

  @Test
  void clusterPortsBeyondTheRangeAreBadInput(@TempDir Path dir) {
    assertBadInput(CliRun.of("cluster", "start", "--base-port", "65534", "--data", dir.toString()),
        "outside 1024..65535");
  }

  @Test
  void clusterStartOnAPortInUseFailsNamingThePort(@TempDir Path dir) throws IOException {
    int base = FreePorts.consecutive(9);
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", base + 1));
      CliRun run = CliRun.of("cluster", "start", "--base-port", Integer.toString(base), "--data", dir.toString());
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_FAILURE);
      assertThat(run.errLines()).as(run.toString()).hasSize(1);
      assertThat(run.err()).contains("port " + (base + 1) + " on 127.0.0.1 is in use");
    }
    // n2's admin port (the 8th of 3 x 3 ports) is checked too.
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", base + 7));
      CliRun run = CliRun.of("cluster", "start", "--base-port", Integer.toString(base), "--data", dir.toString());
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_FAILURE);
      assertThat(run.err()).contains("port " + (base + 7) + " on 127.0.0.1 is in use");
    }
  }

  @Test
  void peersWithAClientPortButNoAdminPortAreBadInput() {
    assertBadInput(callWithPeers("n1=127.0.0.1:7001;client=7101"), "gives client= but not admin=");
  }

  @Test
  void clusterStopWithoutAClusterSaysSo(@TempDir Path dir) {
    CliRun run = CliRun.of("cluster", "stop", "--data", dir.toString());
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("no cluster in");
  }

  @Test
  void clusterStatusWithoutAClusterFails(@TempDir Path dir) {
    CliRun run = CliRun.of("cluster", "status", "--data", dir.toString());
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_FAILURE);
    assertThat(run.errLines()).as(run.toString()).hasSize(1);
    assertThat(run.err()).contains("no cluster in");
  }

  @Test
  void callWithNobodyListeningIsNotSent() {
    // Nothing can have reached a node, so it is "not sent" (safe to retry), not "outcome unknown".
    String nobody = "n1=127.0.0.1:" + FreePorts.one();
    CliRun run = CliRun.of("call", "--peers", nobody, "--timeout-ms", "1000", "counter", "c1", "Increment",
        "{\"by\":1}");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_NOT_SENT);
    assertThat(run.errLines()).as(run.toString()).hasSize(1);
    assertThat(run.err()).contains("not sent", "safe to retry");
    assertThat(run.out()).isEmpty();
  }

  private static CliRun callWithPeers(String peers) {
    return CliRun.of("call", "--peers", peers, "counter", "c1", "Increment", "{\"by\":1}");
  }

  private static void assertBadInput(CliRun run, String expected) {
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(run.errLines()).as(run.toString()).hasSize(1);
    assertThat(run.err()).as(run.toString()).contains(expected).doesNotContain("\tat ", "Exception");
    assertThat(run.out()).as(run.toString()).isEmpty();
  }
}
