package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.internal.LoopbackPorts;
import io.pachyderm.node.internal.StateStores;
import io.pachyderm.node.settings.FatalErrorPolicy;
import io.pachyderm.node.settings.StateStoreKind;
import io.pachyderm.node.status.AppliedDigest;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.RequestId;
import io.pachyderm.protocol.SnapshotHeader;
import io.pachyderm.storage.SnapshotReader;
import io.pachyderm.storage.SnapshotWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14: a DISK node's snapshot is a RocksDB checkpoint, and a restart opens it (hard links), not re-encoded entities. */
class DiskCheckpointTest {
  @TempDir
  Path dir;

  private static PachydermNode.Builder builder(List<Peer> peers, Path data, StateStoreKind kind) {
    return PachydermNode.builder("n1", peers, data).entityTypes(TestDocument.TYPES)
        .stateStore(kind).snapshotThresholdEntries(1_000).onFatalError(FatalErrorPolicy.STOP_NODE)
        .electionTimeoutMin(Duration.ofMillis(400)).diskReserveBytes(0);
  }

  private static PachydermNode single(List<Peer> peers, Path data, StateStoreKind kind) throws Exception {
    PachydermNode node = builder(peers, data, kind).build().start();
    for (int poll = 0; poll < 600 && !node.isReadyLeader(); poll++) {
      Thread.sleep(50);
    }
    assertThat(node.isReadyLeader()).as("the single node leads").isTrue();
    return node;
  }

  private static PachydermClient client(List<Peer> peers) {
    return PachydermClient.builder(peers).entityTypes(TestDocument.TYPES).requestTimeout(Duration.ofSeconds(30))
        .build();
  }

  private static List<Peer> onePeer() {
    return List.of(new Peer("n1", "127.0.0.1:" + LoopbackPorts.free()));
  }

  /** Writes {@code calls} appends over seven documents, a snapshot after each ten. */
  private static AppliedDigest write(List<Peer> peers, Path data, int calls) throws Exception {
    return write(peers, data, calls, 10);
  }

  /** Writes {@code calls} appends over seven documents, a snapshot after each {@code snapshotEvery}. */
  private static AppliedDigest write(List<Peer> peers, Path data, int calls, int snapshotEvery) throws Exception {
    try (PachydermNode node = single(peers, data, StateStoreKind.DISK); PachydermClient client = client(peers)) {
      for (int i = 0; i < calls; i++) {
        client.call(TestDocument.TYPE.ref("doc-" + (i % 7)), new TestDocument.Append("page-" + i));
        if (i % snapshotEvery == snapshotEvery - 1) {
          node.takeSnapshot();
        }
      }
      return node.appliedDigest();
    }
  }

  @Test
  void aDiskNodesSnapshotIsACheckpointAndARestartLinksItsTableFilesIntoTheLiveStore() throws Exception {
    List<Peer> peers = onePeer();
    Path data = dir.resolve("n1");
    // One snapshot: each is a flush into level 0, and from four on RocksDB compacts them away.
    AppliedDigest before = write(peers, data, 30, 30);

    Path latest = latestSnapshot(data);
    SnapshotHeader header;
    try (SnapshotReader reader = new SnapshotReader(latest)) {
      header = reader.header();
    }
    assertThat(header.getFormatVersion()).isEqualTo(SnapshotWriter.CHECKPOINT_FORMAT_VERSION);
    assertThat(header.getEntities()).isEqualTo(7);
    Path checkpoint = latest.resolveSibling(header.getCheckpoint());
    assertThat(header.getCheckpointFilesList()).as("every file of the checkpoint is listed with its MD5")
        .extracting(f -> f.getName()).containsExactlyElementsOf(fileNames(checkpoint));
    assertThat(fileNames(checkpoint)).anyMatch(n -> n.endsWith(".sst"));

    try (PachydermNode node = single(peers, data, StateStoreKind.DISK); PachydermClient client = client(peers)) {
      assertThat(node.appliedDigest().digest()).isEqualTo(before.digest());
      assertThat(client.query(TestDocument.TYPE.ref("doc-0")).state().pages()).hasSize(5).endsWith("page-28");
      // RocksDB may compact the linked files away in the background (it does once four or more
      // flushes sit in level 0, e.g. when Ratis took one more snapshot at stop), so a checkpoint
      // file may be gone from the live store; one that is there must be the same file, not a copy.
      int linked = 0;
      for (String name : fileNames(checkpoint)) {
        Path live = StateStores.directory(data).resolve(name);
        if (name.endsWith(".sst") && Files.exists(live)) {
          assertThat(Files.isSameFile(live, checkpoint.resolve(name)))
              .as("%s in the live store is the checkpoint's file, not a copy", name).isTrue();
          linked++;
        }
      }
      assertThat(linked).as("the checkpoint's table files are linked into the live store").isPositive();
      client.call(TestDocument.TYPE.ref("doc-0"), new TestDocument.Append("after"));
      assertThat(client.query(TestDocument.TYPE.ref("doc-0")).state().pages()).hasSize(6);
    }
  }

  /**
   * The de-duplication table is in the checkpoint (not in the snapshot file): a request sent again
   * after a snapshot and a restart is answered with its first outcome from the table on disk, not
   * run a second time.
   */
  @Test
  void aRetryAfterACheckpointAndARestartIsAnsweredFromTheDedupTableOnDiskNotRunAgain() throws Exception {
    List<Peer> peers = onePeer();
    Path data = dir.resolve("n1");
    Command append = Command.newBuilder()
        .setRequestId(RequestId.newBuilder().setClientHi(14).setClientLo(23).setSequence(1))
        .setRef(Protos.ref(new io.pachyderm.runtime.EntityKey("default", TestDocument.TYPE.name(), "retried")))
        .setPayload(Protos.payload(TestDocument.TYPE.codec().encode(new TestDocument.Append("once"))))
        .setReplyWanted(true).build();
    Outcome first;
    try (PachydermNode node = single(peers, data, StateStoreKind.DISK); RawClient raw = new RawClient(peers)) {
      first = raw.send(append).getOutcomes(0);
      assertThat(first.getApplied().getVersion()).isEqualTo(1);
      node.takeSnapshot();
    }
    Path latest = latestSnapshot(data);
    try (SnapshotReader reader = new SnapshotReader(latest)) {
      assertThat(reader.header().getDedupInCheckpoint()).as("the checkpoint holds the table").isTrue();
      assertThat(reader.header().getDedupEntries()).isEqualTo(1);
      assertThat(reader.nextEntity()).isNull();
      assertThat(reader.nextDedup()).as("the file does not").isNull();
    }
    try (PachydermNode node = single(peers, data, StateStoreKind.DISK); RawClient raw = new RawClient(peers);
         PachydermClient client = client(peers)) {
      BatchReply again = raw.send(append);
      assertThat(again.getOutcomes(0)).isEqualTo(first);
      assertThat(client.query(TestDocument.TYPE.ref("retried")).state().pages()).containsExactly("once");
    }
  }

  /**
   * What a kill -9 during a checkpoint leaves: a checkpoint directory still being written ({@code
   * .tmp}), and a whole checkpoint whose snapshot file was not written yet. Neither is a snapshot:
   * the previous one loads, the log replays the rest, and both are deleted.
   */
  @Test
  void aCheckpointCutShortIsNotASnapshotAndThePreviousSnapshotLoads() throws Exception {
    List<Peer> peers = onePeer();
    Path data = dir.resolve("n1");
    AppliedDigest before = write(peers, data, 20);
    Path latest = latestSnapshot(data);
    String checkpointName;
    try (SnapshotReader reader = new SnapshotReader(latest)) {
      checkpointName = reader.header().getCheckpoint();
    }
    Files.delete(latest);
    Files.delete(latest.resolveSibling(latest.getFileName() + ".md5"));
    Path half = latest.resolveSibling("checkpoint.9_99999.tmp");
    Files.createDirectories(half);
    Files.write(half.resolve("000042.sst"), new byte[] {1, 2, 3});

    try (PachydermNode node = single(peers, data, StateStoreKind.DISK); PachydermClient client = client(peers)) {
      assertThat(node.appliedDigest().digest()).isEqualTo(before.digest());
      assertThat(client.query(TestDocument.TYPE.ref("doc-0")).state().pages()).hasSize(3).endsWith("page-14");
      assertThat(half).doesNotExist();
      assertThat(latest.resolveSibling(checkpointName)).as("no snapshot file names it").doesNotExist();
    }
  }

  /**
   * A damaged table file in the latest checkpoint: the node refuses to start, naming it. It does not
   * fall back to the previous snapshot: that one's table files are the same files (hard links).
   */
  @Test
  void aDamagedTableFileInTheLatestCheckpointStopsTheStartNamingTheFile() throws Exception {
    List<Peer> peers = onePeer();
    Path data = dir.resolve("n1");
    write(peers, data, 20);
    Path latest = latestSnapshot(data);
    Path checkpoint;
    try (SnapshotReader reader = new SnapshotReader(latest)) {
      checkpoint = latest.resolveSibling(reader.header().getCheckpoint());
    }
    Path table = fileNames(checkpoint).stream().filter(n -> n.endsWith(".sst")).map(checkpoint::resolve)
        .findFirst().orElseThrow();
    byte[] bytes = Files.readAllBytes(table);
    bytes[bytes.length / 2] ^= 0x5A;
    Files.write(table, bytes);

    PachydermNode again = builder(peers, data, StateStoreKind.DISK).build();
    try {
      assertThatThrownBy(again::start).isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining(table.toString())
          .hasMessageContaining("MD5")
          .hasMessageContaining("pachyderm reseed --data");
    } finally {
      again.close();
    }
  }

  @Test
  void aHeapNodeLoadsADiskNodesCheckpointAndADiskNodeTheHeapNodesFile() throws Exception {
    List<Peer> peers = onePeer();
    Path data = dir.resolve("n1");
    AppliedDigest disk = write(peers, data, 20);
    try (PachydermNode node = single(peers, data, StateStoreKind.HEAP); PachydermClient client = client(peers)) {
      assertThat(node.appliedDigest().digest()).isEqualTo(disk.digest());
      client.call(TestDocument.TYPE.ref("doc-0"), new TestDocument.Append("on-heap"));
      node.takeSnapshot();
    }
    try (SnapshotReader reader = new SnapshotReader(latestSnapshot(data))) {
      assertThat(reader.header().getFormatVersion()).as("a HEAP node writes today's format")
          .isEqualTo(SnapshotWriter.FORMAT_VERSION);
    }
    try (PachydermNode node = single(peers, data, StateStoreKind.DISK); PachydermClient client = client(peers)) {
      assertThat(client.query(TestDocument.TYPE.ref("doc-0")).state().pages()).hasSize(4).endsWith("on-heap");
      client.call(TestDocument.TYPE.ref("doc-0"), new TestDocument.Append("on-disk"));
      node.takeSnapshot();
    }
    try (SnapshotReader reader = new SnapshotReader(latestSnapshot(data))) {
      assertThat(reader.header().getFormatVersion()).as("the next snapshot after the migration is a checkpoint")
          .isEqualTo(SnapshotWriter.CHECKPOINT_FORMAT_VERSION);
    }
  }

  static Path latestSnapshot(Path data) throws Exception {
    try (Stream<Path> files = Files.walk(data)) {
      return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+"))
          .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().replaceAll(".*_", ""))))
          .orElseThrow();
    }
  }

  private static List<String> fileNames(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }
}
