package io.pachyderm.node;

import io.pachyderm.node.settings.StateStoreKind;
import io.pachyderm.node.status.AppliedDigest;
import io.pachyderm.node.settings.FatalErrorPolicy;
import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.internal.LoopbackPorts;
import io.pachyderm.node.internal.StateStores;
import io.pachyderm.statestore.RocksStateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DISK store's crash story (issue 14): its WAL is off, so after a crash RocksDB holds whatever
 * it had flushed, possibly a state newer than the latest snapshot; the node empties it at start,
 * loads the snapshot and lets Ratis replay the log. Replaying onto the newer state instead would
 * fail the records' version checks and answer them as conflicts, so the replica digest would differ.
 */
class DiskStateCrashTest {
  private static final int DOCUMENTS = 23;
  private static final int IN_FLIGHT = 16;
  private static final int WAVES_BEFORE_KILL = 20;
  private static final int WAVES_AFTER_KILL = 6;

  @TempDir
  Path dir;

  @Test
  void aNodeKilledMidLoadRestartsWithEveryAcknowledgedWriteAndTheStateOfTheNodesThatNeverCrashed()
      throws Exception {
    List<Peer> peers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      peers.add(new Peer("n" + i, "127.0.0.1:" + LoopbackPorts.free()));
    }
    String peerList = String.join(",", peers.stream().map(p -> p.id() + "=" + p.address()).toList());
    List<PachydermNode> nodes = new ArrayList<>();
    Map<String, List<String>> acknowledged = new HashMap<>();
    Map<String, List<String>> inDoubt = new HashMap<>();
    try (ChildJvm child = ChildJvm.start("-Xmx256m", DiskStateNodeMain.class, "n3", peerList,
        dir.resolve("n3").toString(), "40")) {
      assertThat(child.awaitOutput("started", 180)).as("child started:\n%s", child.output()).isTrue();
      for (int i = 0; i < 2; i++) {
        nodes.add(node(peers, i));
      }
      try (PachydermClient client = PachydermClient.builder(peers).entityTypes(TestDocument.TYPES)
          .requestTimeout(Duration.ofSeconds(60)).build()) {
        for (int poll = 0; poll < 1_200 && !nodes.get(0).health().ready(); poll++) {
          Thread.sleep(100);
        }
        // The child leads: it is killed while it applies entries as leader and serves clients.
        client.admin().transferLeadership("n3");
        int sent = 0;
        for (int wave = 0; wave < WAVES_BEFORE_KILL; wave++) {
          sent = wave(client, sent, acknowledged, inDoubt, null);
        }
        sent = wave(client, sent, acknowledged, inDoubt, child);
        assertThat(child.isAlive()).isFalse();
        assertThat(snapshots(dir.resolve("n3"))).as("the child took snapshots before it was killed").isNotEmpty();
        for (int wave = 0; wave < WAVES_AFTER_KILL; wave++) {
          sent = wave(client, sent, acknowledged, inDoubt, null);
        }

        nodes.add(node(peers, 2));
        awaitSameDigest(nodes);
        for (int d = 0; d < DOCUMENTS; d++) {
          String id = "doc-" + d;
          List<String> pages = client.query(TestDocument.TYPE.ref(id)).state().pages();
          assertThat(pages).as(id).containsAll(acknowledged.getOrDefault(id, List.of())).doesNotHaveDuplicates();
          List<String> possible = new ArrayList<>(acknowledged.getOrDefault(id, List.of()));
          possible.addAll(inDoubt.getOrDefault(id, List.of()));
          assertThat(possible).as(id).containsAll(pages);
        }
      }
    } finally {
      for (PachydermNode n : nodes) {
        n.close();
      }
    }
  }

  /**
   * One node, cleanly closed: RocksDB flushes on close, so its store holds a state well past the
   * latest snapshot. The restarted node must serve the state the log gives, the same as a HEAP
   * restart of the same data directory.
   */
  @Test
  void aStoreLeftAheadOfTheSnapshotIsRebuiltFromTheSnapshotNotReplayedOnto() throws Exception {
    List<Peer> peers = List.of(new Peer("n1", "127.0.0.1:" + LoopbackPorts.free()));
    Path data = dir.resolve("n1");
    int calls = 25;
    try (PachydermNode node = single(peers, data, StateStoreKind.DISK);
         PachydermClient client = client(peers)) {
      for (int i = 0; i < calls; i++) {
        // "late" is created after the snapshot: a store trusted at start would already hold it.
        String id = i < 10 || i % 2 == 0 ? "doc" : "late";
        client.call(TestDocument.TYPE.ref(id), new TestDocument.Append("page-" + i));
        if (i == 9) {
          node.takeSnapshot(); // the one snapshot behind the store (Ratis retains only the newest few)
        }
      }
    }
    // Ratis snapshots as it closes, at the store's index: set aside every snapshot from the store's
    // index on, so that the latest one is older than the store, as after a crash (the single node's
    // log still holds every entry: no segment was closed, so none was purged).
    long storeIndex;
    try (RocksStateStore left = RocksStateStore.open(StateStores.directory(data), TestDocument.TYPES, 0)) {
      storeIndex = left.appliedIndex();
    }
    for (Path p : snapshots(data)) {
      if (Long.parseLong(p.getFileName().toString().replaceAll(".*_", "")) >= storeIndex) {
        Files.delete(p);
        Files.deleteIfExists(p.resolveSibling(p.getFileName() + ".md5"));
      }
    }
    assertThat(storeIndex).as("the store's applied index after a clean close").isGreaterThan(10);
    long snapshotIndex = latestSnapshotIndex(data);
    assertThat(storeIndex).as("the store holds a state past the snapshot at %d", snapshotIndex)
        .isGreaterThan(snapshotIndex);
    // The same data directory for a HEAP node, which never had a store to trust.
    Path copy = dir.resolve("heap-copy");
    copyTree(data, copy);
    AppliedDigest disk;
    try (PachydermNode node = single(peers, data, StateStoreKind.DISK);
         PachydermClient client = client(peers)) {
      assertThat(client.query(TestDocument.TYPE.ref("doc")).state().pages()).hasSize(18);
      assertThat(client.query(TestDocument.TYPE.ref("late")).state().pages()).hasSize(7);
      disk = node.appliedDigest();
    }
    try (PachydermNode node = single(peers, copy, StateStoreKind.HEAP);
         PachydermClient client = client(peers)) {
      assertThat(client.query(TestDocument.TYPE.ref("doc")).state().pages()).hasSize(18);
      assertThat(client.query(TestDocument.TYPE.ref("late")).state().pages()).hasSize(7);
      // The digest is a function of the state alone (the replayed dedup table included).
      assertThat(node.appliedDigest().digest()).isEqualTo(disk.digest());
    }
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().endsWith(".lock") && !p.getFileName().toString().equals("LOCK")) {
          Files.copy(p, target);
        }
      }
    }
  }

  private static PachydermNode single(List<Peer> peers, Path data, StateStoreKind kind) throws Exception {
    PachydermNode node = PachydermNode.builder("n1", peers, data).entityTypes(TestDocument.TYPES)
        .stateStore(kind).snapshotThresholdEntries(1_000).onFatalError(FatalErrorPolicy.STOP_NODE)
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

  private PachydermNode node(List<Peer> peers, int i) {
    return PachydermNode.builder(peers.get(i).id(), peers, dir.resolve(peers.get(i).id()))
        .entityTypes(TestDocument.TYPES)
        .stateStore(StateStoreKind.DISK)
        .snapshotThresholdEntries(40)
        .electionTimeoutMin(Duration.ofMillis(400))
        .onFatalError(FatalErrorPolicy.STOP_NODE)
        .diskReserveBytes(0)
        .build().start();
  }

  /** Sends one wave of appends; with {@code kill}, kills that JVM (SIGKILL) while the wave is in flight. */
  private static int wave(PachydermClient client, int sent, Map<String, List<String>> acknowledged,
                          Map<String, List<String>> inDoubt, ChildJvm kill) throws Exception {
    List<CompletableFuture<?>> calls = new ArrayList<>();
    List<String[]> sentPages = new ArrayList<>();
    for (int i = 0; i < IN_FLIGHT; i++, sent++) {
      String id = "doc-" + (sent % DOCUMENTS);
      String page = "call-" + sent;
      calls.add(client.callAsync(TestDocument.TYPE.ref(id), new TestDocument.Append(page)));
      sentPages.add(new String[] {id, page});
    }
    if (kill != null) {
      kill.close();
    }
    for (int i = 0; i < calls.size(); i++) {
      String[] p = sentPages.get(i);
      try {
        calls.get(i).get(120, TimeUnit.SECONDS);
        acknowledged.computeIfAbsent(p[0], k -> new ArrayList<>()).add(p[1]);
      } catch (Exception unknownOutcome) {
        inDoubt.computeIfAbsent(p[0], k -> new ArrayList<>()).add(p[1]);
      }
    }
    return sent;
  }

  private static void awaitSameDigest(List<PachydermNode> nodes) throws InterruptedException {
    List<AppliedDigest> seen = new ArrayList<>();
    for (int poll = 0; poll < 1_200; poll++) {
      seen.clear();
      for (PachydermNode n : nodes) {
        seen.add(n.appliedDigest());
      }
      if (seen.stream().map(AppliedDigest::appliedIndex).distinct().count() == 1) {
        assertThat(seen.stream().map(AppliedDigest::digest).distinct().count())
            .as("replicas at the same applied index hold the same state: %s", seen).isEqualTo(1);
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the nodes never reached the same applied index: " + seen);
  }

  private static List<Path> snapshots(Path data) throws Exception {
    try (Stream<Path> files = Files.walk(data)) {
      return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).toList();
    }
  }

  private static long latestSnapshotIndex(Path data) throws Exception {
    long latest = 0;
    for (Path p : snapshots(data)) {
      latest = Math.max(latest, Long.parseLong(p.getFileName().toString().replaceAll(".*_", "")));
    }
    assertThat(latest).as("a snapshot was taken").isPositive();
    return latest;
  }
}
