package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.node.PachydermNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The node command's --metrics-port and --metrics-host reach the node (its endpoint answers
 * there), and bad values are bad input (exit 64) before anything starts.
 */
class MetricsCliTest {
  @TempDir
  Path dir;

  @Test
  void theMetricsOptionsReachTheNode() throws Exception {
    String peers = "n1=127.0.0.1:" + FreePorts.one();
    int metricsPort = FreePorts.one();
    NodeCommand command = parse("node", "--id", "n1", "--peers", peers, "--data", dir.resolve("n1").toString(),
        "--metrics-port", Integer.toString(metricsPort), "--metrics-host", "127.0.0.1");
    try (PachydermNode node = command.builder().build().start()) {
      InetSocketAddress address = node.metricsAddress().orElseThrow();
      assertThat(address.getPort()).isEqualTo(metricsPort);
      HttpResponse<String> live = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/health/live")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);
    }
    NodeCommand without = parse("node", "--id", "n1", "--peers", peers, "--data", dir.resolve("n1").toString());
    try (PachydermNode node = without.builder().build().start()) {
      assertThat(node.metricsAddress()).isEmpty();
    }
  }

  @Test
  void badMetricsOptionsAreBadInput() {
    String peers = "n1=127.0.0.1:" + FreePorts.one();
    String data = dir.resolve("bad").toString();
    assertBadInput(CliRun.of("node", "--id", "n1", "--peers", peers, "--data", data, "--metrics-port", "70000"),
        "--metrics-port must be 0..65535, was 70000");
    assertBadInput(CliRun.of("node", "--id", "n1", "--peers", peers, "--data", data, "--metrics-host", "0.0.0.0"),
        "--metrics-host needs --metrics-port");
    assertBadInput(CliRun.of("cluster", "start", "--base-port", "7001", "--metrics-base-port", "7002",
        "--data", data), "--metrics-base-port 7002 overlaps the nodes' ports 7001..7009");
  }

  private static NodeCommand parse(String... args) {
    CommandLine.ParseResult parsed = PachydermCli.commandLine().parseArgs(args);
    return (NodeCommand) parsed.subcommand().commandSpec().userObject();
  }

  private static void assertBadInput(CliRun run, String expected) {
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(run.err()).as(run.toString()).contains(expected);
  }
}
