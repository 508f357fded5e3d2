package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.internal.LoopbackPorts;
import io.pachyderm.node.settings.FatalErrorPolicy;
import io.pachyderm.node.settings.StateStoreKind;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DISK node whose start fails on a damaged checkpoint releases its store: a second start in the
 * same process fails for the same reason, naming the file, not on RocksDB's lock (Ratis never
 * closes a state machine whose start failed).
 */
class FailedStartReleasesStoreTest {
  @TempDir
  Path dir;

  @Test
  void aSecondStartAfterADamagedCheckpointFailsOnTheFileNotOnTheLock() throws Exception {
    List<Peer> peers = List.of(new Peer("n1", "127.0.0.1:" + LoopbackPorts.free()));
    Path data = dir.resolve("n1");
    try (PachydermNode node = builder(peers, data).build().start();
         PachydermClient client = PachydermClient.builder(peers).entityTypes(TestDocument.TYPES)
             .requestTimeout(Duration.ofSeconds(30)).build()) {
      for (int poll = 0; poll < 600 && !node.isReadyLeader(); poll++) {
        Thread.sleep(50);
      }
      for (int i = 0; i < 25; i++) {
        client.call(TestDocument.TYPE.ref("doc"), new TestDocument.Append("page-" + i));
      }
    }
    Path table = aTableFileOfTheLatestCheckpoint(data);
    byte[] bytes = Files.readAllBytes(table);
    bytes[bytes.length / 2] ^= 0x5A;
    Files.write(table, bytes);

    for (int attempt = 1; attempt <= 2; attempt++) {
      PachydermNode again = builder(peers, data).build();
      try {
        assertThatThrownBy(again::start).as("start %d", attempt).isInstanceOf(UncheckedIOException.class)
            .hasMessageContaining(table.toString()).hasMessageNotContaining("lock");
      } finally {
        again.close();
      }
    }
  }

  private static PachydermNode.Builder builder(List<Peer> peers, Path data) {
    return PachydermNode.builder("n1", peers, data).entityTypes(TestDocument.TYPES).stateStore(StateStoreKind.DISK)
        .snapshotThresholdEntries(10).onFatalError(FatalErrorPolicy.STOP_NODE)
        .electionTimeoutMin(Duration.ofMillis(400)).diskReserveBytes(0);
  }

  /** A {@code .sst} of the newest {@code checkpoint.<term>_<index>} dir under {@code raft/<group>/sm}. */
  private static Path aTableFileOfTheLatestCheckpoint(Path data) throws Exception {
    Path sm;
    try (Stream<Path> groups = Files.list(data.resolve("raft"))) {
      sm = groups.filter(Files::isDirectory).findFirst().orElseThrow().resolve("sm");
    }
    Path checkpoint;
    try (Stream<Path> dirs = Files.list(sm)) {
      checkpoint = dirs.filter(p -> p.getFileName().toString().matches("checkpoint\\.\\d+_\\d+"))
          .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().replaceAll(".*_", ""))))
          .orElseThrow(() -> new AssertionError("no checkpoint under " + sm));
    }
    try (Stream<Path> files = Files.list(checkpoint)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".sst")).sorted().findFirst()
          .orElseThrow(() -> new AssertionError("no table file in " + checkpoint));
    }
  }
}
