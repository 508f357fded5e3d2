package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.HistoryEvent;
import io.pachyderm.api.HistoryUnavailableException;
import io.pachyderm.api.ReadMode;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.node.internal.StateStores;
import io.pachyderm.node.settings.FatalErrorPolicy;
import io.pachyderm.node.settings.StateStoreKind;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged table file in a DISK follower's latest checkpoint: the follower refuses to start,
 * naming the file, and README's re-seed ({@code bin/pachyderm reseed}: {@link NodeReseed} moves its
 * snapshots, log segments and live store aside, then the leader steps down while the follower is
 * still down) brings it back by snapshot install on a normal start, while the two others keep
 * accepting writes.
 *
 * <p>Without the step-down the follower stays at applied index -1: the leader keeps the follower's
 * match index from before it stopped and resends from there to a log that no longer has it
 * ({@link NodeReseed}'s comment), and its log (see {@link #tuning}) never moves past that index, so
 * no install is ever sent.
 */
class CorruptCheckpointReseedTest {
  private static final int DOCUMENTS = 30;
  private static final ZonedDateTime NOW = ZonedDateTime.of(2026, 12, 7, 10, 15, 0, 0, ZoneOffset.UTC);

  @TempDir
  Path dir;

  @Test
  void aFollowerWithADamagedCheckpointRefusesToStartAndIsReseededByASnapshotInstall() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestDocument.TYPES, CorruptCheckpointReseedTest::tuning)) {
      PachydermClient client = cluster.client();
      List<String> acknowledged = new ArrayList<>();
      write(client, 0, 200, acknowledged);
      cluster.assertReplicasAgree();
      int follower = cluster.followerIndex();
      Peer peer = cluster.peers().get(follower);
      Path data = dir.resolve(peer.id());

      assertThatThrownBy(() -> NodeReseed.moveAside(data, NOW)).as("refused while the node runs")
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("in_use.lock")
          .hasMessageContaining("stop it first");

      cluster.stop(follower);
      Path table = aTableFileOfTheLatestCheckpoint(data);
      byte[] bytes = Files.readAllBytes(table);
      bytes[bytes.length / 2] ^= 0x5A;
      Files.write(table, bytes);

      PachydermNode damaged = builder(cluster.peers(), peer, data).build();
      try {
        assertThatThrownBy(damaged::start).isInstanceOf(UncheckedIOException.class)
            .hasMessageContaining(table.toString());
      } finally {
        damaged.close();
      }
      write(client, 200, 100, acknowledged);

      Path group = groupDir(data);
      byte[] meta = Files.readAllBytes(group.resolve("current").resolve("raft-meta"));
      byte[] clusterId = Files.readAllBytes(data.resolve("cluster-id"));
      NodeReseed.Result reseed = NodeReseed.moveAside(data, NOW);
      assertThat(reseed.movedAsideDir()).isEqualTo(data.resolve("reseed-20261207-101500"));
      assertThat(reseed.moved()).extracting(NodeReseed.Moved::from)
          .contains(group.resolve("sm"), StateStores.directory(data))
          .anyMatch(p -> p.getFileName().toString().startsWith("log_"));
      assertThat(reseed.movedAsideDir().resolve(data.relativize(table))).as("the damaged file, kept").exists();
      assertThat(group.resolve("sm")).isEmptyDirectory();
      assertThat(group.resolve("current").resolve("raft-meta")).as("term and vote stay").hasBinaryContent(meta);
      assertThat(data.resolve("cluster-id")).hasBinaryContent(clusterId);
      assertThat(reseed.kept()).contains(data.resolve("journal"), group.resolve("current").resolve("raft-meta.conf"));
      // While the follower is down, so that only nodes holding every committed entry vote.
      client.admin().stepDown();
      write(client, 300, 60, acknowledged);

      cluster.start(follower);
      write(client, 360, 30, acknowledged);
      cluster.assertReplicasAgree();
      // Every document once more, after the install: the histories below then end past the gap
      // (an entity whose last event is inside the gap keeps its older range on this node, and a
      // read past it waits for another node: the journal index's part, not this test's).
      write(client, 390, 60, acknowledged);

      cluster.assertReplicasAgree();
      int leader = cluster.awaitLeader();
      assertThat(cluster.node(follower).appliedDigest()).isEqualTo(cluster.node(leader).appliedDigest());
      PachydermClient onlyFollower = cluster.client(List.of(peer), Duration.ofSeconds(30));
      PachydermClient onlyLeader = cluster.client(List.of(cluster.peers().get(leader)), Duration.ofSeconds(30));
      List<String> held = new ArrayList<>();
      int historiesAfterTheGap = 0;
      for (int d = 0; d < DOCUMENTS; d++) {
        held.addAll(onlyFollower.queryAsync(TestDocument.TYPE.ref("doc-" + d), ReadMode.STALE)
            .get(60, TimeUnit.SECONDS).state().pages());
        if (assertHistoryHasNoHoleNorDuplicate(onlyFollower, onlyLeader, TestDocument.TYPE.ref("doc-" + d)) > 1) {
          historiesAfterTheGap++;
        }
      }
      assertThat(held).as("every acknowledged write, once, on the re-seeded follower")
          .hasSameSizeAs(acknowledged).containsAll(acknowledged);
      // Every document was written while the follower was down: the events the installed snapshot
      // covers are not in its journal, and its history says so instead of serving from version 1.
      assertThat(historiesAfterTheGap).as("histories that restart after the install's gap").isEqualTo(DOCUMENTS);
    }
  }

  @Test
  void aDirectoryThatIsNoNodesIsRefusedNamingWhatIsMissing() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertThatThrownBy(() -> NodeReseed.moveAside(empty, NOW)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a Pachyderm node's data directory").hasMessageContaining("cluster-id");
    assertThatThrownBy(() -> NodeReseed.moveAside(dir.resolve("absent"), NOW))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a directory");
    Files.writeString(empty.resolve("cluster-id"), "x");
    Path current = Files.createDirectories(empty.resolve("raft").resolve("g").resolve("current"));
    assertThatThrownBy(() -> NodeReseed.moveAside(empty, NOW)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("raft-meta");
    assertThat(current).as("nothing moved").exists();
  }

  /**
   * The re-seeded node's history of {@code ref}: consecutive versions from where its journal holds
   * them to the entity's current version (a gap in the journal restarts the history past it, never
   * a hole inside it), each event the leader's event of that version; returns the first version.
   */
  private static long assertHistoryHasNoHoleNorDuplicate(PachydermClient follower, PachydermClient leader,
                                                         EntityRef<?, ?> ref) {
    List<HistoryEvent> leaders = leader.history(ref, 1);
    long last = leaders.get(leaders.size() - 1).version();
    long firstHeld = firstVersionHeld(follower, ref);
    List<HistoryEvent> events = follower.history(ref, firstHeld);
    assertThat(events).as("history of %s on the re-seeded node", ref).isNotEmpty();
    for (int i = 0; i < events.size(); i++) {
      HistoryEvent e = events.get(i);
      assertThat(e.version()).as("version %d of %s's history", i, ref).isEqualTo(firstHeld + i);
      HistoryEvent same = leaders.get((int) e.version() - 1);
      assertThat(e.event()).isEqualTo(same.event());
      assertThat(e.logIndex()).isEqualTo(same.logIndex());
    }
    assertThat(events.get(events.size() - 1).version()).isEqualTo(last);
    return firstHeld;
  }

  /**
   * The first version the node serves: 1, or, when its journal has a gap, the version its history
   * restarts at (the client's refusal of an older start names it).
   */
  private static long firstVersionHeld(PachydermClient follower, EntityRef<?, ?> ref) {
    try {
      follower.history(ref, 1);
      return 1;
    } catch (HistoryUnavailableException e) {
      assertThat(e.oldestVersion()).as(e.getMessage()).isGreaterThan(1);
      return e.oldestVersion();
    }
  }

  /** The follower as {@link TestCluster} builds it, but not started: this start is expected to fail. */
  private static PachydermNode.Builder builder(List<Peer> peers, Peer self, Path data) {
    PachydermNode.Builder b = PachydermNode.builder(self.id(), peers, data)
        .entityTypes(TestDocument.TYPES).electionTimeoutMin(Duration.ofMillis(400))
        .onFatalError(FatalErrorPolicy.STOP_NODE);
    tuning(b);
    return b;
  }

  private static void tuning(PachydermNode.Builder b) {
    // A snapshot every 20 entries, each purging the log behind it (no entries kept for laggards).
    // Ratis purges closed segments only, and with the default segment size (32 MB) a segment closes
    // only when the term changes: the leader that saw the follower's acknowledgements keeps its log
    // back to the start of its term, at or below the follower's old position (without the step-down
    // the follower waits forever, deterministically), and a leader of a new term purges the old
    // terms' segment at its first snapshot, so the re-seeded follower can only catch up by install.
    // Elections only when asked for: any new term (a leader change under load) also makes the
    // leader forget the follower's position, which would hide a missing step-down.
    b.stateStore(StateStoreKind.DISK)
        .snapshotThresholdEntries(20)
        .logEntriesKeptForLaggingNodesMax(0)
        .electionTimeoutMin(Duration.ofSeconds(3));
  }

  private static void write(PachydermClient client, int from, int count, List<String> acknowledged)
      throws Exception {
    List<CompletableFuture<?>> calls = new ArrayList<>();
    List<String> pages = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      String page = "page-" + i;
      pages.add(page);
      calls.add(client.callAsync(TestDocument.TYPE.ref("doc-" + (i % DOCUMENTS)), new TestDocument.Append(page)));
      if (calls.size() == 40 || i == from + count - 1) {
        for (int c = 0; c < calls.size(); c++) {
          calls.get(c).get(120, TimeUnit.SECONDS);
          acknowledged.add(pages.get(c));
        }
        calls.clear();
        pages.clear();
      }
    }
  }

  private static Path groupDir(Path data) throws Exception {
    try (Stream<Path> groups = Files.list(data.resolve("raft"))) {
      return groups.filter(Files::isDirectory).findFirst().orElseThrow();
    }
  }

  /** A {@code .sst} of the newest {@code checkpoint.<term>_<index>} dir. */
  private static Path aTableFileOfTheLatestCheckpoint(Path data) throws Exception {
    Path checkpoint;
    try (Stream<Path> dirs = Files.list(groupDir(data).resolve("sm"))) {
      checkpoint = dirs.filter(p -> p.getFileName().toString().matches("checkpoint\\.\\d+_\\d+"))
          .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().replaceAll(".*_", ""))))
          .orElseThrow(() -> new AssertionError("the follower took no checkpoint"));
    }
    try (Stream<Path> files = Files.list(checkpoint)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".sst")).sorted().findFirst()
          .orElseThrow(() -> new AssertionError("no table file in " + checkpoint));
    }
  }
}
