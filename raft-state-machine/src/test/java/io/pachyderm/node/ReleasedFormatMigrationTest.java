package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.internal.LoopbackPorts;
import io.pachyderm.node.internal.StateStores;
import io.pachyderm.node.settings.FatalErrorPolicy;
import io.pachyderm.node.settings.StateStoreKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's migration, against data the released code wrote ({@link ReleasedFormatFixture}: a
 * HEAP node's Raft log and format 2 snapshot, committed as a zip): both kinds of store open it,
 * serve every entity as the old node left it (snapshot plus the log entries after it), agree on
 * the digest, and write on across a restart. A format change that forgets the old data fails here.
 */
class ReleasedFormatMigrationTest {
  @TempDir
  Path dir;

  @Test
  void theReleasedDataDirectoryOpensOnTheDiskStoreWithEveryEntityAndWritesOn() throws Exception {
    assertOpensAndWritesOn(dir.resolve("disk"), StateStoreKind.DISK);
  }

  @Test
  void theReleasedDataDirectoryOpensOnTheHeapStoreWithEveryEntityAndWritesOn() throws Exception {
    assertOpensAndWritesOn(dir.resolve("heap"), StateStoreKind.HEAP);
  }

  @Test
  void bothStoresOpenTheReleasedDataToTheSameDigest() throws Exception {
    List<Peer> peers = List.of(new Peer(ReleasedFormatFixture.NODE, "127.0.0.1:" + LoopbackPorts.free()));
    Path heapData = dir.resolve("heap");
    Path diskData = dir.resolve("disk");
    ReleasedFormatFixture.unzipTo(heapData);
    ReleasedFormatFixture.unzipTo(diskData);
    long heapDigest;
    try (PachydermNode node = single(peers, heapData, StateStoreKind.HEAP)) {
      heapDigest = node.appliedDigest().digest();
    }
    try (PachydermNode node = single(peers, diskData, StateStoreKind.DISK)) {
      assertThat(node.appliedDigest().digest()).isEqualTo(heapDigest);
    }
  }

  private void assertOpensAndWritesOn(Path data, StateStoreKind kind) throws Exception {
    ReleasedFormatFixture.unzipTo(data);
    assertThat(snapshotFiles(data)).as("the fixture holds one format 2 snapshot and no state store")
        .singleElement().satisfies(p -> assertThat(p.getFileName().toString()).matches("snapshot\\.\\d+_\\d+"));
    assertThat(StateStores.directory(data)).doesNotExist();
    List<Peer> peers = List.of(new Peer(ReleasedFormatFixture.NODE, "127.0.0.1:" + LoopbackPorts.free()));
    try (PachydermNode node = single(peers, data, kind); PachydermClient client = client(peers, node)) {
      for (int d = 0; d < ReleasedFormatFixture.DOCUMENTS; d++) {
        assertThat(client.query(TestDocument.TYPE.ref("doc-" + d)).state().pages()).as("doc-%d on %s", d, kind)
            .isEqualTo(ReleasedFormatFixture.expectedPages(d));
      }
      client.call(TestDocument.TYPE.ref("doc-0"), new TestDocument.Append("after-migration"));
      client.call(TestDocument.TYPE.ref("doc-new"), new TestDocument.Append("first"));
    }
    assertThat(Files.isDirectory(StateStores.directory(data))).as("%s keeps a store under state/", kind)
        .isEqualTo(kind == StateStoreKind.DISK);
    try (PachydermNode node = single(peers, data, kind); PachydermClient client = client(peers, node)) {
      List<String> doc0 = new ArrayList<>(ReleasedFormatFixture.expectedPages(0));
      doc0.add("after-migration");
      assertThat(client.query(TestDocument.TYPE.ref("doc-0")).state().pages()).isEqualTo(doc0);
      assertThat(client.query(TestDocument.TYPE.ref("doc-new")).state().pages()).containsExactly("first");
      assertThat(client.query(TestDocument.TYPE.ref("doc-11")).state().pages())
          .isEqualTo(ReleasedFormatFixture.expectedPages(11));
    }
  }

  private static List<Path> snapshotFiles(Path data) throws Exception {
    try (Stream<Path> files = Files.walk(data)) {
      return files.filter(p -> p.getFileName().toString().startsWith("snapshot.")
          && !p.getFileName().toString().endsWith(".md5")).toList();
    }
  }

  private static PachydermNode single(List<Peer> peers, Path data, StateStoreKind kind) throws Exception {
    PachydermNode node = PachydermNode.builder(ReleasedFormatFixture.NODE, peers, data)
        .entityTypes(TestDocument.TYPES).stateStore(kind).onFatalError(FatalErrorPolicy.STOP_NODE)
        .electionTimeoutMin(Duration.ofMillis(400)).diskReserveBytes(0).build().start();
    for (int poll = 0; poll < 600 && !node.isReadyLeader(); poll++) {
      Thread.sleep(50);
    }
    assertThat(node.isReadyLeader()).as("the single node leads").isTrue();
    return node;
  }

  /** The fixture's cluster was formed with another peer list (another port): the client needs its id. */
  private static PachydermClient client(List<Peer> peers, PachydermNode node) {
    return PachydermClient.builder(peers).entityTypes(TestDocument.TYPES).clusterId(node.clusterId())
        .requestTimeout(Duration.ofSeconds(30)).build();
  }
}
