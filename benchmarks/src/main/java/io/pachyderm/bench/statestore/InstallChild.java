package io.pachyderm.bench.statestore;

import io.pachyderm.api.ReadMode;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.internal.LoopbackPorts;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.examples.counter.Counter;
import io.pachyderm.node.settings.FatalErrorPolicy;
import io.pachyderm.node.settings.NodeLimits;
import io.pachyderm.node.PachydermNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.ratis.server.RaftServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The child JVM of {@link StateStoreBenchmark} that times a snapshot install: three
 * {@link PachydermNode}s <em>in this one JVM</em> (not three processes) on loopback, one group of
 * three peers of which only n1 and n2 start (a majority). They get N counters through a client,
 * then more calls until the leader has purged its log's start, so that a node joining empty can
 * only catch up by installing a snapshot. Then n3 starts with an empty data directory; the figure
 * is the time from its {@code start()} to its applied index reaching the leader's.
 */
@Command(name = "state-store-install", description = "Snapshot install into an empty follower (started by the benchmark).")
final class InstallChild implements Callable<Integer> {
  private static final String CLUSTER = "bench-install";
  private static final Duration WAIT_MAX = Duration.ofMinutes(30);
  /**
   * Small log segments (Ratis purges whole closed segments), with record and entry limits that
   * fit them: a few thousand calls then close segments the leader can purge.
   */
  private static final long SEGMENT_BYTES = 128 << 10;
  private static final NodeLimits LIMITS = new NodeLimits(200_000, 16 << 10, 64 << 10, 1024, 10_000);

  @Option(names = "--dir", required = true)
  Path dir;

  @Option(names = "--store", required = true)
  String store;

  @Option(names = "--entities", required = true)
  long entities;

  @Option(names = "--callers", defaultValue = "64")
  int callers;

  private final PrintStream out = System.out;
  private final AtomicLong progress = new AtomicLong();

  public static void main(String[] args) {
    System.exit(new CommandLine(new InstallChild()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    StoreKind kind = StoreKind.parse(store);
    Callers.reportProgress(out, progress);
    List<Peer> peers = List.of(new Peer("n1", "127.0.0.1:" + LoopbackPorts.free()),
        new Peer("n2", "127.0.0.1:" + LoopbackPorts.free()), new Peer("n3", "127.0.0.1:" + LoopbackPorts.free()));
    // About ten automatic snapshots while populating, whatever N is; at least one every 100 entries.
    long snapshotEntries = Math.max(100, entities / 100);
    List<PachydermNode> nodes = new ArrayList<>();
    try {
      nodes.add(node(kind, peers, 0, snapshotEntries).build().start());
      nodes.add(node(kind, peers, 1, snapshotEntries).build().start());
      try (PachydermClient client = PachydermClient.builder(peers).clusterName(CLUSTER)
          .entityTypes(EntityTypes.of(Counter.TYPE)).requestTimeout(Duration.ofSeconds(60)).build()) {
        Callers.Outcome created = Callers.run(callers, entities, progress,
            i -> client.call(StoreChild.counter(i), new Counter.Increment(1)).state().count() == 1);
        ChildLine.result(out, "created", created.ok());
        ChildLine.result(out, "create-failed", created.failed());
        ChildLine.result(out, "create-calls-per-s", Math.round(created.callsPerSecond()));
        PachydermNode leader = leader(nodes);
        long purgedTo = awaitPurge(client, leader);
        ChildLine.result(out, "leader-log-start", purgedTo);
        long target = leader.appliedIndex();
        ChildLine.result(out, "leader-applied-index", target);
        stderr("install: starting n3 empty; the leader's log starts at " + purgedTo + ", applied " + target);
        long startNs = System.nanoTime();
        PachydermNode joining = node(kind, peers, 2, snapshotEntries).build().start();
        nodes.add(joining);
        awaitApplied(joining, dir.resolve("n3"), target);
        long installMs = (System.nanoTime() - startNs) / 1_000_000;
        ChildLine.result(out, "install-ms", installMs);
        ChildLine.result(out, "installed-by-snapshot", snapshotFiles(dir.resolve("n3")) > 0 ? "yes" : "NO");
        long count = client.queryAsync(StoreChild.counter(entities - 1), ReadMode.onNode("n3"))
            .get(60, TimeUnit.SECONDS).state().count();
        ChildLine.result(out, "follower-reads-right", count >= 1 ? "yes" : "NO(count=" + count + ")");
        ChildLine.result(out, "follower-disk-bytes", Callers.diskBytes(dir.resolve("n3")));
      }
    } finally {
      for (PachydermNode n : nodes) {
        n.close();
      }
    }
    ChildLine.done(out);
    return 0;
  }

  private PachydermNode.Builder node(StoreKind kind, List<Peer> peers, int i, long snapshotEntries) {
    Peer p = peers.get(i);
    PachydermNode.Builder b = PachydermNode.builder(p.id(), peers, dir.resolve(p.id()))
        .entityTypes(EntityTypes.of(Counter.TYPE))
        .clusterName(CLUSTER)
        .onFatalError(FatalErrorPolicy.STOP_NODE) // three nodes in this JVM
        .effectHandler(Counter.ADMIN_MAILER, (Counter.ThresholdReached t, EffectContext ctx) -> { })
        .snapshotThresholdEntries(snapshotEntries)
        .logEntriesKeptForLaggingNodesMax(0)
        .limits(LIMITS)
        .logSegmentBytesMax(SEGMENT_BYTES);
    return kind.configure(b);
  }

  private static PachydermNode leader(List<PachydermNode> nodes) {
    long deadlineNs = System.nanoTime() + WAIT_MAX.toNanos();
    while (System.nanoTime() - deadlineNs < 0) {
      for (PachydermNode n : nodes) {
        if (n.isReadyLeader()) {
          return n;
        }
      }
      sleepMs(50);
    }
    throw new IllegalStateException("no ready leader among n1, n2 within " + WAIT_MAX);
  }

  /**
   * More calls (on counter 0) until the leader's log no longer starts at its beginning: only then
   * must an empty node install a snapshot. Purging runs in the background after a snapshot.
   */
  private long awaitPurge(PachydermClient client, PachydermNode leader) throws IOException {
    RaftServer.Division division = io.pachyderm.node.internal.NodeInternals.raftServer(leader)
        .getDivision(io.pachyderm.cluster.internal.RatisCluster.groupId(CLUSTER));
    long deadlineNs = System.nanoTime() + WAIT_MAX.toNanos();
    while (division.getRaftLog().getStartIndex() <= 1) {
      if (System.nanoTime() - deadlineNs > 0) {
        throw new IllegalStateException("the leader kept its whole log for " + WAIT_MAX
            + ": a joining node would replay it rather than install a snapshot");
      }
      client.call(StoreChild.counter(0), new Counter.Increment(1));
      progress.incrementAndGet();
    }
    return division.getRaftLog().getStartIndex();
  }

  /**
   * Waits for n3 to apply {@code index}. Progress for the watchdog is n3's applied index or its
   * directory growing: a snapshot being installed applies nothing until it is complete, but its
   * files grow.
   */
  private void awaitApplied(PachydermNode node, Path nodeDir, long index) {
    long deadlineNs = System.nanoTime() + WAIT_MAX.toNanos();
    long applied = -1;
    long bytes = -1;
    long nextDuNs = System.nanoTime();
    while (node.appliedIndex() < index) {
      if (System.nanoTime() - deadlineNs > 0) {
        throw new IllegalStateException("n3 applied " + node.appliedIndex() + " of " + index + " within " + WAIT_MAX);
      }
      boolean grew = node.appliedIndex() > applied;
      applied = Math.max(applied, node.appliedIndex());
      if (System.nanoTime() - nextDuNs >= 0) {
        long now = Callers.diskBytes(nodeDir);
        grew |= now > bytes;
        bytes = Math.max(bytes, now);
        nextDuNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      }
      if (grew) {
        progress.incrementAndGet();
      }
      sleepMs(10);
    }
  }

  /** Snapshot files in a node's directory: an installed snapshot leaves some; a replayed log none. */
  private static long snapshotFiles(Path nodeDir) throws IOException {
    try (Stream<Path> files = Files.walk(nodeDir)) {
      return files.filter(p -> p.getParent() != null && p.getParent().getFileName().toString().equals("sm")
          && Files.isRegularFile(p)).count();
    }
  }

  private static void sleepMs(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void stderr(String line) {
    System.err.println("[child] " + line);
    System.err.flush();
  }
}
