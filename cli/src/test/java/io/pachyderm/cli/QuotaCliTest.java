package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.node.PachydermNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code node --quota-entities N}: the quota reaches the node, and a command over it is refused. */
class QuotaCliTest {
  @TempDir
  Path dir;

  @Test
  void aCallThatWouldCreateAnEntityOverTheQuotaIsRejectedNamingTheQuota() throws Exception {
    String peers = "n1=127.0.0.1:" + FreePorts.one();
    NodeCommand command = parse("node", "--id", "n1", "--peers", peers, "--data", dir.resolve("n1").toString(),
        "--quota-entities", "1");
    try (PachydermNode node = command.builder().build().start()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!node.isReadyLeader() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(node.isReadyLeader()).as("a one-node cluster elects itself").isTrue();
      CliRun first = CliRun.of("call", "--peers", peers, "counter", "c1", "Increment", "{\"by\":1}");
      assertThat(first.exitCode()).as(first.toString()).isZero();
      CliRun second = CliRun.of("call", "--peers", peers, "counter", "c2", "Increment", "{\"by\":1}");
      assertThat(second.exitCode()).as(second.toString()).isEqualTo(PachydermCli.EXIT_REJECTED);
      assertThat(second.err()).contains("LIMIT_EXCEEDED", "ecosystem 'default'", "entitiesPerEcosystemMax = 1");
    }
  }

  @Test
  void aNegativeQuotaIsRefusedNamingTheOption() {
    NodeCommand command = parse("node", "--id", "n1", "--peers", "n1=127.0.0.1:7001", "--data",
        dir.resolve("n1").toString(), "--quota-entities", "-1");
    assertThatThrownBy(command::builder).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entitiesPerEcosystemMax");
  }

  private static NodeCommand parse(String... args) {
    CommandLine.ParseResult parsed = PachydermCli.commandLine().parseArgs(args);
    return (NodeCommand) parsed.subcommand().commandSpec().userObject();
  }
}
