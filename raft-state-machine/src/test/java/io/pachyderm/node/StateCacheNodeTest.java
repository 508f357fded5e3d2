package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.internal.LoopbackPorts;
import io.pachyderm.node.internal.NodeInternals;
import io.pachyderm.node.settings.FatalErrorPolicy;
import io.pachyderm.node.settings.StateStoreKind;
import io.pachyderm.statestore.RocksStateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DISK store's cache as a node setting ({@code stateCacheBytesMax}, {@code passivateAfter}):
 * checked when set, and never visible in what the node serves or holds: a node whose cache holds
 * almost nothing, or whose idle entities have left the heap, answers and digests as a HEAP node.
 */
class StateCacheNodeTest {
  private static final int DOCUMENTS = 60;

  @TempDir
  Path dir;

  @Test
  void badCacheSettingsAreRefusedWhenSetNamingTheSetting() {
    PachydermNode.Builder b = PachydermNode.builder("n1", List.of(new Peer("n1", "127.0.0.1:1")), dir);
    assertThatThrownBy(() -> b.stateCacheBytesMax(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stateCacheBytesMax must be >= 0").hasMessageContaining("-1");
    long heap = Runtime.getRuntime().maxMemory();
    assertThatThrownBy(() -> b.stateCacheBytesMax(heap + 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stateCacheBytesMax (" + (heap + 1) + " B) must not exceed the JVM's maximum heap");
    assertThatThrownBy(() -> b.passivateAfter(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("passivateAfter must be at least 1 ms, was PT0S");
    assertThatThrownBy(() -> b.passivateAfter(null)).hasMessageContaining("passivateAfter");
    b.stateCacheBytesMax(0).stateCacheBytesMax(heap).passivateAfter(Duration.ofMillis(1));
  }

  /**
   * One cluster, one log: n1 on the heap, n2 on disk with a cache of 1 KiB (a few entities), n3 on
   * disk with no cache at all. n2 leads, so its commands mostly find their entity cold. Every reply
   * is what a heap node gives, and the three replicas' digests agree.
   */
  @Test
  void aNodeWhoseCacheHoldsAlmostNothingServesEveryEntityAsAHeapNodeDoes() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestDocument.TYPES, false, (id, b) -> {
      switch (id) {
        case "n1" -> b.stateStore(StateStoreKind.HEAP);
        case "n2" -> b.stateStore(StateStoreKind.DISK).stateCacheBytesMax(1_024);
        default -> b.stateStore(StateStoreKind.DISK).stateCacheBytesMax(0);
      }
    })) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client(cluster.peers(), Duration.ofSeconds(30));
      client.admin().transferLeadership("n2");
      List<String> expected = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (int d = 0; d < DOCUMENTS; d++) {
          expected.add((round + 1) + " " + new TestDocument.State(pages(round, d)));
        }
      }
      assertThat(write(client)).isEqualTo(expected);
      assertThat(reads(client)).isEqualTo(expected.subList(2 * DOCUMENTS, 3 * DOCUMENTS));
      cluster.assertReplicasAgree();
      RocksStateStore tiny = (RocksStateStore) NodeInternals.stateStore(cluster.node(1));
      assertThat(tiny.cacheBytesMax()).isEqualTo(1_024);
      assertThat(tiny.cachedBytes()).as("never above the bound").isLessThanOrEqualTo(1_024);
      assertThat(((RocksStateStore) NodeInternals.stateStore(cluster.node(2))).cachedEntities()).isZero();
    }
  }

  /** The pages of document {@code d} after round {@code round} of {@link #write}. */
  private static List<String> pages(int round, int d) {
    List<String> pages = new ArrayList<>();
    for (int r = 0; r <= round; r++) {
      pages.add("r" + r + "-" + d);
    }
    return pages;
  }

  @Test
  void idleEntitiesLeaveTheHeapOnTheirOwnAndAreServedFromDiskUnchanged() throws Exception {
    Path data = dir.resolve("n1");
    List<Peer> peers = List.of(new Peer("n1", "127.0.0.1:" + LoopbackPorts.free()));
    try (PachydermNode node = single(peers, data, b -> b.passivateAfter(Duration.ofMillis(1_000)));
         PachydermClient client = client(peers)) {
      RocksStateStore store = (RocksStateStore) NodeInternals.stateStore(node);
      assertThat(store.cachePassivateAfterMs()).isEqualTo(1_000);
      write(client);
      List<String> before = reads(client);
      // Not all of them: on a loaded machine the first may have gone idle by the time the last is read.
      assertThat(store.cachedEntities()).as("just read: cached").isPositive();
      long digest = node.appliedDigest().digest();
      // No call now: only the node's sweep can empty the cache. Bounded: 600 x 50 ms.
      for (int poll = 0; poll < 600 && store.cachedEntities() > 0; poll++) {
        Thread.sleep(50);
      }
      assertThat(store.cachedEntities()).as("every idle entity passivated").isZero();
      assertThat(store.passivatedEntities()).isGreaterThanOrEqualTo(DOCUMENTS);
      assertThat(node.appliedDigest().digest()).isEqualTo(digest);
      assertThat(reads(client)).as("read back from disk: same states and versions").isEqualTo(before);
      assertThat(store.cachedEntities()).as("the reads cached them again").isPositive();
    }
  }

  /** Three rounds over every document, so that most writes find their entity evicted from a tiny cache. */
  private static List<String> write(PachydermClient client) {
    List<String> replies = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (int d = 0; d < DOCUMENTS; d++) {
        var reply = client.call(TestDocument.TYPE.ref("doc-" + d), new TestDocument.Append("r" + round + "-" + d));
        replies.add(reply.version() + " " + reply.state());
      }
    }
    return replies;
  }

  private static List<String> reads(PachydermClient client) {
    List<String> reads = new ArrayList<>();
    for (int d = 0; d < DOCUMENTS; d++) {
      var read = client.query(TestDocument.TYPE.ref("doc-" + d));
      reads.add(read.version() + " " + read.state());
    }
    return reads;
  }

  private static PachydermNode single(List<Peer> peers, Path data, UnaryOperator<PachydermNode.Builder> settings)
      throws Exception {
    PachydermNode node = settings.apply(PachydermNode.builder("n1", peers, data).entityTypes(TestDocument.TYPES)
        .snapshotThresholdEntries(50).onFatalError(FatalErrorPolicy.STOP_NODE)
        .electionTimeoutMin(Duration.ofMillis(400)).diskReserveBytes(0)).build().start();
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
