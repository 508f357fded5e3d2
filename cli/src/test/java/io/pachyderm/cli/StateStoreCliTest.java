package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.examples.ExampleTypes;
import io.pachyderm.examples.counter.Counter;
import io.pachyderm.node.PachydermNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The node command's --state-store reaches the node: disk by default (RocksDB under DIR/state), heap
 * (nothing under DIR/state) on request; --state-cache-bytes and --passivate-after are checked as
 * options, with errors that name them.
 */
class StateStoreCliTest {
  @TempDir
  Path dir;

  @Test
  void theDefaultIsTheDiskStoreWritingItsFilesUnderTheDataDirectoryAndHeapWritesNone() throws Exception {
    assertThat(serveOneWrite(dir.resolve("disk"), "--state-cache-bytes", "64m", "--passivate-after", "90s"))
        .as("disk store files (the default)").isNotEmpty();
    assertThat(serveOneWrite(dir.resolve("heap"), "--state-store", "heap")).as("heap: no state directory").isEmpty();
  }

  @Test
  void badCacheOptionsAreBadInputNamingTheOption() {
    assertBadInput("must be a size such as 256MB", "--state-cache-bytes", "lots");
    assertBadInput("stateCacheBytesMax (" + (1L << 50) + " B) must not exceed the JVM's maximum heap",
        "--state-cache-bytes", String.valueOf(1L << 50));
    assertBadInput("--passivate-after must be a whole number and a unit (ms, s, m or h) such as 500ms, 90s or 10m, "
        + "was '10'", "--passivate-after", "10");
    assertBadInput("passivateAfter must be at least 1 ms, was PT0S", "--passivate-after", "0s");
  }

  private void assertBadInput(String message, String... options) {
    String peers = "n1=127.0.0.1:" + FreePorts.one();
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("node", "--id", "n1", "--peers", peers,
        "--data", dir.resolve("bad").toString()));
    args.addAll(java.util.List.of(options));
    CliRun run = CliRun.of(args.toArray(new String[0]));
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains(message);
  }

  @Test
  void anUnknownKindIsBadInputNamingTheChoices() {
    String peers = "n1=127.0.0.1:" + FreePorts.one();
    CliRun run = CliRun.of("node", "--id", "n1", "--peers", peers, "--data", dir.resolve("bad").toString(),
        "--state-store", "tape");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("--state-store must be heap or disk, was 'tape'");
  }

  /** Starts a node with {@code options}, writes once, stops it; returns the files under its state directory. */
  private static java.util.List<Path> serveOneWrite(Path data, String... options) throws Exception {
    String peers = "n1=127.0.0.1:" + FreePorts.one();
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("node", "--id", "n1", "--peers", peers,
        "--data", data.toString(), "--disk-reserve", "0"));
    args.addAll(java.util.List.of(options));
    CommandLine.ParseResult parsed = PachydermCli.commandLine().parseArgs(args.toArray(new String[0]));
    NodeCommand command = (NodeCommand) parsed.subcommand().commandSpec().userObject();
    try (PachydermNode node = command.builder().build().start();
         PachydermClient client = PachydermClient.builder(Peer.parseList(peers)).entityTypes(ExampleTypes.all())
             .requestTimeout(Duration.ofSeconds(60)).build()) {
      client.call(Counter.TYPE.ref("c"), new Counter.Increment(2));
      assertThat(client.query(Counter.TYPE.ref("c")).version()).isEqualTo(1);
    }
    Path state = data.resolve("state");
    if (!Files.isDirectory(state)) {
      return java.util.List.of();
    }
    try (var files = Files.list(state)) {
      return files.toList();
    }
  }
}
