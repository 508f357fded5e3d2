package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.internal.LoopbackPorts;
import io.pachyderm.node.internal.StateStores;
import io.pachyderm.node.settings.FatalErrorPolicy;
import io.pachyderm.node.settings.StateStoreKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RocksDB itself runs out of space (issue 14's disk-full fault, the case the disk reserve does not
 * catch: the reserve is off here, and only the state store's directory is small). The store's
 * directory is a 4 MB tmpfs; its WAL is off, so writes reach it when a snapshot's checkpoint
 * flushes the memtable, which fails with ENOSPC. The node must then stop (fail-stop) rather than
 * apply entries its store cannot hold, lose nothing it acknowledged, and serve every acknowledged
 * write after a restart once the file system has room again (the store is rebuilt from the
 * snapshot and the Raft log, which never ran out of space).
 */
class StateStoreDiskFullTest {
  /** Each document's one page is this long: random letters, so about 40 of them fill the 4 MB store. */
  private static final int PAGE_CHARS = 100_000;
  private static final int WRITES_MAX = 400;

  @TempDir
  Path dir;

  @Test
  void rocksDbOutOfSpaceStopsTheNodeAndARestartWithRoomServesEveryAcknowledgedWrite() throws Exception {
    List<Peer> peers = List.of(new Peer("n1", "127.0.0.1:" + LoopbackPorts.free()));
    Path data = dir.resolve("n1");
    List<Integer> acknowledged = new ArrayList<>();
    try (Tmpfs state = Tmpfs.mount(StateStores.directory(data), "4m")) {
      try (PachydermNode node = start(peers, data); PachydermClient client = client(peers)) {
        for (int i = 0; i < WRITES_MAX && node.fatalError().isEmpty(); i++) {
          try {
            client.call(TestDocument.TYPE.ref("doc-" + i), new TestDocument.Append(page(i)));
            acknowledged.add(i);
          } catch (RuntimeException refusedOrUnknown) {
            // The node stopped under this call: its outcome is unknown, so it does not count.
          }
        }
        assertThat(node.fatalError()).as("the node stopped when RocksDB ran out of space").isPresent();
        assertThat(node.fatalError().orElseThrow()).containsIgnoringCase("space");
        assertThat(acknowledged).as("writes succeeded before the disk filled").hasSizeGreaterThan(10);
      }
      state.resize("64m");
      try (PachydermNode node = start(peers, data); PachydermClient client = client(peers)) {
        for (int i : acknowledged) {
          assertThat(client.query(TestDocument.TYPE.ref("doc-" + i)).state().pages()).as("doc-%d", i)
              .containsExactly(page(i));
        }
        client.call(TestDocument.TYPE.ref("after"), new TestDocument.Append("after"));
        assertThat(client.query(TestDocument.TYPE.ref("after")).state().pages()).containsExactly("after");
        assertThat(node.fatalError()).isEmpty();
      }
    }
  }

  /** Letters from a seeded generator: RocksDB compresses its tables, and a repeated letter would take no room. */
  private static String page(int i) {
    Random random = new Random(i);
    char[] chars = new char[PAGE_CHARS];
    for (int c = 0; c < chars.length; c++) {
      chars[c] = (char) ('a' + random.nextInt(26));
    }
    return new String(chars);
  }

  private static PachydermNode start(List<Peer> peers, Path data) throws Exception {
    PachydermNode node = PachydermNode.builder("n1", peers, data).entityTypes(TestDocument.TYPES)
        .stateStore(StateStoreKind.DISK).snapshotThresholdEntries(10).onFatalError(FatalErrorPolicy.STOP_NODE)
        .electionTimeoutMin(Duration.ofMillis(400)).diskReserveBytes(0).build().start();
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
}
