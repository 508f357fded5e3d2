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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code pachyderm reseed}: refuses a directory a running node holds and one that is no node's,
 * each with a clear error and nothing moved; on a stopped node's directory it moves aside the
 * snapshots, log segments and disk store, keeps the cluster id, term, vote and journal, and says so
 * (the whole re-seed on a cluster: {@code CorruptCheckpointReseedTest} in raft-state-machine); with
 * no leader to re-seed from it refuses before moving anything ({@link ReseedPrecondition}).
 */
class ReseedCliTest {
  @TempDir
  Path dir;

  @Test
  void aDirectoryThatIsNoNodesIsBadInputNamingWhatIsMissing() throws Exception {
    Path notANode = Files.createDirectories(dir.resolve("photos"));
    Files.writeString(notANode.resolve("cat.jpg"), "meow");
    CliRun run = CliRun.of("reseed", "--data", notANode.toString(), "--peers", "n1=127.0.0.1:" + FreePorts.one());
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("is not a Pachyderm node's data directory: it has no")
        .contains(notANode.resolve("cluster-id").toString());
    assertThat(Files.list(notANode).map(p -> p.getFileName().toString())).containsExactly("cat.jpg");
  }

  @Test
  void aDirectoryARunningNodeHoldsIsRefusedAndNothingMoves() throws Exception {
    Path data = dir.resolve("n1");
    String peers = "n1=127.0.0.1:" + FreePorts.one();
    try (PachydermNode node = oneWrite(data, peers)) {
      CliRun run = CliRun.of("reseed", "--data", data.toString(), "--peers", peers);
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_REJECTED);
      assertThat(run.err()).contains("refused, nothing changed: a node is running on this data directory")
          .contains("in_use.lock").contains("stop it first");
      assertThat(data.resolve("state")).isDirectory();
      assertThat(reseedDirs(data)).isEmpty();
    }
  }

  @Test
  void aStoppedNodeWithNoLeaderToReseedFromIsRefusedAndNothingMoves() throws Exception {
    Path data = dir.resolve("n1");
    String peers = "n1=127.0.0.1:" + FreePorts.one();
    oneWrite(data, peers).close();
    // The only node is down: no leader holds what this node's log would lose.
    CliRun run = CliRun.of("reseed", "--data", data.toString(), "--peers", peers, "--timeout-ms", "3000");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_REJECTED);
    assertThat(run.err()).contains("refused, nothing changed: no node answers as leader");
    assertThat(data.resolve("state")).isDirectory();
    assertThat(reseedDirs(data)).isEmpty();
  }

  @Test
  void aStoppedFollowersFilesAreMovedAsideAndTheLeaderStepsDown() throws Exception {
    int base = FreePorts.consecutive(3);
    String peers = "n1=127.0.0.1:" + base + ",n2=127.0.0.1:" + (base + 1) + ",n3=127.0.0.1:" + (base + 2);
    Path data = dir.resolve("n1");
    try (PachydermNode n2 = node("n2", dir.resolve("n2"), peers); PachydermNode n3 = node("n3", dir.resolve("n3"), peers)) {
      write(peers);
      node("n1", data, peers).close();
      Path group;
      try (Stream<Path> groups = Files.list(data.resolve("raft"))) {
        group = groups.findFirst().orElseThrow();
      }
      CliRun run = CliRun.of("reseed", "--data", data.toString(), "--peers", peers, "--timeout-ms", "20000");
      assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_OK);
      Path aside = reseedDirs(data).get(0);
      assertThat(run.out()).contains("moved " + group.resolve("sm") + " -> " + aside.resolve(data.relativize(group))
              .resolve("sm"))
          .contains("moved " + data.resolve("state") + " -> " + aside.resolve("state"))
          .contains("kept  " + data.resolve("cluster-id")).contains("kept  " + data.resolve("journal"))
          .contains("stepped down");
      assertThat(group.resolve("sm")).isEmptyDirectory();
      assertThat(group.resolve("current").resolve("raft-meta")).exists();
      assertThat(aside.resolve("state")).isDirectory();

      CliRun again = CliRun.of("reseed", "--data", data.toString(), "--peers", peers, "--timeout-ms", "20000");
      assertThat(again.out()).as(again.toString()).contains("nothing to move aside");
      assertThat(reseedDirs(data)).hasSize(1);
    }
  }

  private static java.util.List<Path> reseedDirs(Path data) throws Exception {
    try (Stream<Path> entries = Files.list(data)) {
      return entries.filter(p -> p.getFileName().toString().startsWith("reseed-")).sorted().toList();
    }
  }

  /** Node {@code id} of {@code peers} on {@code data} (the node command's own builder), started. */
  private static PachydermNode node(String id, Path data, String peers) {
    CommandLine.ParseResult parsed = PachydermCli.commandLine().parseArgs("node", "--id", id, "--peers", peers,
        "--data", data.toString(), "--disk-reserve", "0");
    NodeCommand command = (NodeCommand) parsed.subcommand().commandSpec().userObject();
    return command.builder().build().start();
  }

  private static void write(String peers) {
    try (PachydermClient client = PachydermClient.builder(Peer.parseList(peers)).entityTypes(ExampleTypes.all())
        .requestTimeout(Duration.ofSeconds(60)).build()) {
      client.call(Counter.TYPE.ref("c"), new Counter.Increment(2));
    }
  }

  /** A one-node cluster on {@code data} (the node command's own builder), started, with one write. */
  private static PachydermNode oneWrite(Path data, String peers) throws Exception {
    CommandLine.ParseResult parsed = PachydermCli.commandLine().parseArgs("node", "--id", "n1", "--peers", peers,
        "--data", data.toString(), "--disk-reserve", "0");
    NodeCommand command = (NodeCommand) parsed.subcommand().commandSpec().userObject();
    PachydermNode node = command.builder().build().start();
    try (PachydermClient client = PachydermClient.builder(Peer.parseList(peers)).entityTypes(ExampleTypes.all())
        .requestTimeout(Duration.ofSeconds(60)).build()) {
      client.call(Counter.TYPE.ref("c"), new Counter.Increment(2));
    }
    return node;
  }
}
