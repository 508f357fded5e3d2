package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.StorageFullException;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.examples.ExampleTypes;
import io.pachyderm.examples.counter.Counter;
import io.pachyderm.node.PachydermNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The node command's --disk-reserve reaches the node: a reserve larger than any disk refuses every
 * write with the retryable storage-full error, naming the reserve; a bad size is bad input (exit 64).
 */
class DiskReserveCliTest {
  @TempDir
  Path dir;

  @Test
  void aReserveLargerThanTheDiskRefusesWritesNamingIt() throws Exception {
    String peers = "n1=127.0.0.1:" + FreePorts.one();
    NodeCommand command = parse("node", "--id", "n1", "--peers", peers, "--data", dir.resolve("n1").toString(),
        "--disk-reserve", "100TB");
    try (PachydermNode node = command.builder().build().start();
         PachydermClient client = PachydermClient.builder(Peer.parseList(peers)).entityTypes(ExampleTypes.all())
             .requestTimeout(Duration.ofSeconds(60)).build()) {
      assertThatThrownBy(() -> client.call(Counter.TYPE.ref("c"), new Counter.Increment(1)))
          .isInstanceOf(StorageFullException.class)
          .hasMessageContaining("node n1 refuses writes: " + dir.resolve("n1").resolve("raft"))
          .hasMessageContaining("below the reserve of " + (100L << 40) + " bytes");
      assertThat(client.query(Counter.TYPE.ref("c")).version()).as("reads go on").isZero();
    }
  }

  @Test
  void aBadSizeIsBadInput() {
    String peers = "n1=127.0.0.1:" + FreePorts.one();
    CliRun run = CliRun.of("node", "--id", "n1", "--peers", peers, "--data", dir.resolve("bad").toString(),
        "--disk-reserve", "lots");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("--disk-reserve must be a size such as 256MB, 2GB or a number of bytes, was 'lots'");
  }

  private static NodeCommand parse(String... args) {
    CommandLine.ParseResult parsed = PachydermCli.commandLine().parseArgs(args);
    return (NodeCommand) parsed.subcommand().commandSpec().userObject();
  }
}
