package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.internal.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that cannot start says why (a port already in use before Ratis binds: {@link PortInUseTest}): a corrupt snapshot (naming the file and what to do), a data
 * directory another node holds, a port in use. Before, every one read "is the port in use or the
 * data dir locked?", which sent an operator with a corrupt snapshot looking for a port conflict.
 */
class StartFailureTest {
  @TempDir
  Path dir;

  private static List<Peer> onePeer() {
    return List.of(new Peer("n1", "127.0.0.1:" + LoopbackPorts.free()));
  }

  private static PachydermNode.Builder node(List<Peer> peers, Path data) {
    return PachydermNode.builder("n1", peers, data).entityTypes(TestCounter.TYPES);
  }

  @Test
  void aCorruptSnapshotIsNamedWithWhatToDo() throws IOException {
    List<Peer> peers = onePeer();
    Path data = dir.resolve("n1");
    try (PachydermNode n = node(peers, data).build().start();
         PachydermClient client = PachydermClient.builder(peers).entityTypes(TestCounter.TYPES)
             .requestTimeout(Duration.ofSeconds(30)).build()) {
      for (int i = 0; i < 3; i++) {
        client.call(TestCounter.TYPE.ref("c" + i), new TestCounter.Add(1));
      }
      n.takeSnapshot();
    }
    Path snapshot = snapshotFile(data);
    byte[] bytes = Files.readAllBytes(snapshot);
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) 0x5A;
    }
    Files.write(snapshot, bytes);

    PachydermNode again = node(peers, data).build();
    try {
      assertThatThrownBy(again::start).isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining(snapshot.getFileName().toString())
          .hasMessageContaining("corrupt snapshot")
          .hasMessageContaining("pachyderm reseed --data " + data)
          .hasMessageContaining("restored from a backup")
          .hasMessageNotContaining("port in use");
    } finally {
      again.close();
    }
  }

  /**
   * A full disk can cut the newest snapshot's MD5 file to 0 bytes; Ratis then reports no snapshot
   * at all, and the node used to start empty over a purged-ahead log and never apply anything (a
   * chaos storage run found it). Now that snapshot is set aside and the previous one loads.
   */
  @Test
  void aSnapshotWhoseMd5WasCutShortIsSetAsideAndThePreviousOneLoads() throws Exception {
    List<Peer> peers = onePeer();
    Path data = dir.resolve("n1");
    try (PachydermNode n = node(peers, data).build().start();
         PachydermClient client = PachydermClient.builder(peers).entityTypes(TestCounter.TYPES)
             .requestTimeout(Duration.ofSeconds(30)).build()) {
      client.call(TestCounter.TYPE.ref("c"), new TestCounter.Add(1));
      n.takeSnapshot();
      client.call(TestCounter.TYPE.ref("c"), new TestCounter.Add(1));
      n.takeSnapshot();
      client.call(TestCounter.TYPE.ref("c"), new TestCounter.Add(1));
    }
    Path newest = snapshotFile(data);
    Files.write(newest.resolveSibling(newest.getFileName() + ".md5"), new byte[0]);

    try (PachydermNode n = node(peers, data).build().start();
         PachydermClient client = PachydermClient.builder(peers).entityTypes(TestCounter.TYPES)
             .requestTimeout(Duration.ofSeconds(30)).build()) {
      client.call(TestCounter.TYPE.ref("c"), new TestCounter.Add(1));
      assertThat(client.query(TestCounter.TYPE.ref("c")).state().count())
          .as("the previous snapshot plus the log tail rebuilt every write").isEqualTo(4);
    }
    assertThat(newest.resolveSibling(newest.getFileName() + ".unreadable")).as("kept for inspection").exists();
  }

  @Test
  void aDataDirectoryHeldByAnotherNodeIsNamedAsLocked() {
    Path data = dir.resolve("n1");
    try (PachydermNode first = node(onePeer(), data).build().start()) {
      PachydermNode second = node(onePeer(), data).build();
      try {
        assertThatThrownBy(second::start).isInstanceOf(UncheckedIOException.class)
              .hasMessageContaining(data.toString())
            .hasMessageContaining("locked")
            .hasMessageNotContaining("port in use");
      } finally {
        second.close();
      }
    }
  }

  @Test
  void aPortInUseAndMissingPermissionsAreNamedAsSuchWhereverRatisWrapsThem() {
    Path data = Path.of("/srv/pachyderm/n1");
    Throwable bind = new IOException(new java.util.concurrent.CompletionException(
        new java.net.BindException("Address already in use")));
    Throwable denied = new IOException(new java.util.concurrent.CompletionException(
        new java.nio.file.AccessDeniedException("/srv/pachyderm/n1/raft")));

    assertThat(io.pachyderm.node.internal.StartFailure.describe("n1", data, bind))
        .startsWith("node n1: cannot start: a port is in use").contains("Address already in use");
    assertThat(io.pachyderm.node.internal.StartFailure.describe("n1", data, denied))
        .startsWith("node n1: cannot start: permission denied").contains("/srv/pachyderm/n1/raft")
        .doesNotContain("locked");
    assertThat(io.pachyderm.node.internal.StartFailure.describe("n1", data, new IOException("something else")))
        .isEqualTo("node n1: cannot start: IOException: something else");
  }

  private static Path snapshotFile(Path data) throws IOException {
    try (Stream<Path> files = Files.walk(data)) {
      // Ratis names them snapshot.<term>_<index>; it loads the one with the highest index.
      List<Path> found = files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+"))
          .sorted(java.util.Comparator.comparingLong(p -> Long.parseLong(
              p.getFileName().toString().replaceAll(".*_", ""))))
          .toList();
      assertThat(found).isNotEmpty();
      return found.get(found.size() - 1);
    }
  }
}
