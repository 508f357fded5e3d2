package io.pachyderm.chaos.nodes;

import io.pachyderm.chaos.net.NetnsHosts;
import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.security.ThrowawayCa;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The node processes of one run, one per host, and the harness's view of them: who is leader,
 * who has caught up. Node {@code n<i>} lives in host {@code i} and listens on {@value #PORT}.
 *
 * <p>Status comes from each node over the network ({@link PachydermClient#status()} with only that
 * node as peer), bounded by {@link #STATUS_TIMEOUT}: a paused or dead node is reported
 * unreachable instead of blocking the nemesis.
 *
 * <p>With mutual TLS ({@link #start(NetnsHosts, Path, List, NodeCode, boolean)}) a throwaway CA
 * made for the run ({@link ThrowawayCa}, in {@code runDir/tls}) issues each node a certificate for
 * its id and namespace address, and the harness one client certificate, which every client from
 * {@link #client} and {@link #nodeClient} presents: workload clients, status polls, final reads.
 *
 * <p>Thread-safe. {@link #close()} kills every node.
 */
public final class ChaosCluster implements AutoCloseable {
  public static final int PORT = 7000;
  /** Where a TLS run's CA certificate, node and client certificates and keys go, under the run directory. */
  public static final String TLS_DIR = "tls";
  public static final Duration STATUS_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

  private final NetnsHosts hosts;
  private final Path runDir;
  private final List<NodeProcess> nodes;
  private final List<Peer> peers;
  private final EntityTypes types;
  /** The harness's client certificate in a TLS run; null for plaintext. */
  private final TlsFiles clientTls;
  private final Map<String, PachydermClient> statusClients = new LinkedHashMap<>();
  // Status calls that outlive their timeout keep a thread until Ratis gives up; bounded.
  private final ThreadPoolExecutor statusPool;

  private ChaosCluster(NetnsHosts hosts, Path runDir, List<String> nodeArgs, NodeCode code, boolean mutualTls) {
    this.hosts = hosts;
    this.types = code.load();
    this.runDir = runDir;
    List<Peer> ps = new ArrayList<>();
    for (int i = 1; i <= hosts.nodes(); i++) {
      ps.add(new Peer("n" + i, hosts.address(i) + ":" + PORT));
    }
    this.peers = List.copyOf(ps);
    String peerList = String.join(",", peers.stream().map(Peer::toString).toList());
    ThrowawayCa ca = mutualTls ? ThrowawayCa.create(runDir.resolve(TLS_DIR), "chaos run CA " + runDir.getFileName())
        : null;
    this.clientTls = ca != null ? ca.client("chaos-harness") : null;
    List<NodeProcess> ns = new ArrayList<>();
    for (int i = 1; i <= hosts.nodes(); i++) {
      Peer peer = peers.get(i - 1);
      List<String> args = new ArrayList<>(nodeArgs);
      if (ca != null) {
        TlsFiles own = ca.node(peer.id(), List.of(peer.host()));
        args.addAll(List.of("--tls-cert", own.certificateChain().toString(), "--tls-key", own.privateKey().toString(),
            "--tls-ca", own.trustBundle().toString()));
      }
      ns.add(new NodeProcess(peer, i, hosts, peerList, runDir, args, code));
    }
    this.nodes = List.copyOf(ns);
    this.statusPool = new ThreadPoolExecutor(4 * nodes.size(), 4 * nodes.size(), 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(4 * nodes.size()), r -> {
          Thread t = new Thread(r, "chaos-status");
          t.setDaemon(true);
          return t;
        });
    statusPool.allowCoreThreadTimeOut(true);
  }

  /**
   * Starts a node on every host, writing data and logs under {@code runDir}.
   *
   * @param nodeArgs extra {@link ChaosNode} options (e.g. {@code --snapshot-threshold 100000})
   */
  public static ChaosCluster start(NetnsHosts hosts, Path runDir, List<String> nodeArgs) {
    return start(hosts, runDir, nodeArgs, NodeCode.DEFAULT);
  }

  /**
   * Starts a node on every host running {@code code} (classpath and entity types), writing data
   * and logs under {@code runDir}; clients from {@link #client} and {@link #nodeClient} know the
   * same types.
   *
   * @throws IllegalArgumentException if the entity types provider cannot be loaded here
   */
  public static ChaosCluster start(NetnsHosts hosts, Path runDir, List<String> nodeArgs, NodeCode code) {
    return start(hosts, runDir, nodeArgs, code, false);
  }

  /**
   * As {@link #start(NetnsHosts, Path, List, NodeCode)}, with {@code mutualTls}: every node serves
   * mutual TLS with a certificate from a CA made for this run, and every client of this cluster
   * presents the harness's certificate from the same CA.
   */
  public static ChaosCluster start(NetnsHosts hosts, Path runDir, List<String> nodeArgs, NodeCode code,
                                   boolean mutualTls) {
    try {
      Files.createDirectories(runDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChaosCluster cluster = new ChaosCluster(hosts, runDir, nodeArgs, code, mutualTls);
    try {
      for (NodeProcess n : cluster.nodes) {
        n.start();
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  public NetnsHosts hosts() {
    return hosts;
  }

  public Path runDir() {
    return runDir;
  }

  public List<NodeProcess> nodes() {
    return nodes;
  }

  public List<Peer> peers() {
    return peers;
  }

  public NodeProcess node(String id) {
    for (NodeProcess n : nodes) {
      if (n.id().equals(id)) {
        return n;
      }
    }
    throw new IllegalArgumentException("no node " + id + " among " + peers);
  }

  /** The entity types the nodes serve. */
  public EntityTypes entityTypes() {
    return types;
  }

  /** Whether the nodes serve mutual TLS (and clients of this cluster present a certificate). */
  public boolean mutualTls() {
    return clientTls != null;
  }

  /** The harness's client certificate in a TLS run. */
  public Optional<TlsFiles> clientTls() {
    return Optional.ofNullable(clientTls);
  }

  /** A client of the whole cluster with the nodes' entity types (and the harness's certificate in a TLS run). The caller closes it. */
  public PachydermClient client(Duration requestTimeout) {
    return clientBuilder(peers, requestTimeout).build();
  }

  /** A client that talks to node {@code id} only (for stale reads of that node's state). The caller closes it. */
  public PachydermClient nodeClient(String id, Duration requestTimeout) {
    return clientBuilder(List.of(node(id).peer()), requestTimeout).build();
  }

  private PachydermClient.Builder clientBuilder(List<Peer> to, Duration requestTimeout) {
    // The cluster's id from its full peer list: a client of one node would derive another.
    PachydermClient.Builder b = PachydermClient.builder(to).entityTypes(types).requestTimeout(requestTimeout)
        .clusterId(io.pachyderm.cluster.ClusterIdentity.id(peers));
    if (clientTls != null) {
      // Each client reads the files again: a few small PEM files, a handful of times per run.
      b.tls(clientTls);
    }
    return b;
  }

  /** Every node's own report, asked in parallel; a node that does not answer in time is unreachable. */
  public Map<String, NodeView> statuses() {
    Map<String, Future<NodeView>> asked = new LinkedHashMap<>();
    for (NodeProcess n : nodes) {
      PachydermClient c = statusClient(n.id());
      try {
        asked.put(n.id(), statusPool.submit(() -> c.status().get(0)));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        asked.put(n.id(), CompletableFuture.failedFuture(e));
      }
    }
    Map<String, NodeView> views = new LinkedHashMap<>();
    long deadlineNs = System.nanoTime() + STATUS_TIMEOUT.toNanos();
    for (Map.Entry<String, Future<NodeView>> e : asked.entrySet()) {
      NodeView view;
      try {
        long leftNs = Math.max(0, deadlineNs - System.nanoTime());
        view = e.getValue().get(leftNs, TimeUnit.NANOSECONDS);
      } catch (TimeoutException | ExecutionException ex) {
        e.getValue().cancel(true);
        view = NodeView.unreachable(e.getKey(), ex instanceof TimeoutException ? "no answer within " + STATUS_TIMEOUT
            : String.valueOf(ex.getCause()));
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        view = NodeView.unreachable(e.getKey(), "interrupted");
      }
      if (!view.reachable()) {
        discardStatusClient(e.getKey());
      }
      views.put(e.getKey(), view);
    }
    return views;
  }

  /** Every node's messaging counters, from {@link #statuses()}. */
  public Map<String, OutboxStatus> outboxes() {
    Map<String, OutboxStatus> out = new LinkedHashMap<>();
    statuses().forEach((id, view) -> out.put(id, OutboxStatus.of(view)));
    return out;
  }

  /**
   * Waits until every node reports empty outboxes: no entity-to-entity message and no
   * at-least-once effect pending. Delivering a message and acknowledging an effect are log
   * entries of their own, so a node reports zero only once it has applied them. Returns the
   * statuses last read: all {@link OutboxStatus#drained()} on success, the laggards otherwise.
   */
  public Map<String, OutboxStatus> awaitOutboxesDrained(Duration wait) throws InterruptedException {
    long deadlineNs = System.nanoTime() + wait.toNanos();
    Map<String, OutboxStatus> last = outboxes();
    while (!allDrained(last) && System.nanoTime() < deadlineNs) {
      Thread.sleep(POLL_INTERVAL.toMillis());
      last = outboxes();
    }
    return last;
  }

  /** True when there are statuses and every one is {@link OutboxStatus#drained()}. */
  public static boolean allDrained(Map<String, OutboxStatus> statuses) {
    for (OutboxStatus s : statuses.values()) {
      if (!s.drained()) {
        return false;
      }
    }
    return !statuses.isEmpty();
  }

  /**
   * A Ratis client whose request to a dead node ran out of retries stays closed for good (see
   * {@link io.pachyderm.chaos.workload.ClientSource}); after any failure the next status call
   * gets a fresh client.
   */
  private void discardStatusClient(String id) {
    PachydermClient c;
    synchronized (statusClients) {
      c = statusClients.remove(id);
    }
    if (c != null) {
      try {
        c.close();
      } catch (RuntimeException e) {
        // Discarded either way.
      }
    }
  }

  /** The node that reports itself leader with the highest term, if any answers so. */
  public Optional<String> leader() {
    return leaderOf(statuses());
  }

  static Optional<String> leaderOf(Map<String, NodeView> views) {
    NodeView best = null;
    for (NodeView v : views.values()) {
      if (v.reachable() && "LEADER".equals(v.role()) && (best == null || v.term() > best.term())) {
        best = v;
      }
    }
    return Optional.ofNullable(best).map(NodeView::nodeId);
  }

  /** Waits until some node is leader; returns it. */
  public String awaitLeader(Duration wait) throws InterruptedException {
    long deadlineNs = System.nanoTime() + wait.toNanos();
    Map<String, NodeView> last = Map.of();
    while (System.nanoTime() < deadlineNs) {
      requireNoneDied();
      last = statuses();
      Optional<String> leader = leaderOf(last);
      if (leader.isPresent()) {
        return leader.get();
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
    throw new IllegalStateException("no leader within " + wait + "; nodes said " + last.values()
        + " (node logs in " + runDir + ")");
  }

  /**
   * Waits until every node has applied everything the leader had committed when the wait
   * began (and is itself reachable). Returns the problems seen at the deadline, empty when all
   * caught up.
   */
  public List<String> awaitCaughtUp(Duration wait) throws InterruptedException {
    long deadlineNs = System.nanoTime() + wait.toNanos();
    String leader = awaitLeader(wait);
    long target = -1;
    while (target < 0 && System.nanoTime() < deadlineNs) {
      NodeView lv = statuses().get(leader);
      if (lv != null && lv.reachable() && "LEADER".equals(lv.role())) {
        target = lv.commitIndex();
      } else {
        leader = awaitLeader(Duration.ofNanos(Math.max(1, deadlineNs - System.nanoTime())));
      }
    }
    List<String> problems = new ArrayList<>();
    while (System.nanoTime() < deadlineNs) {
      problems.clear();
      for (NodeView v : statuses().values()) {
        if (!v.reachable()) {
          problems.add(v.nodeId() + " unreachable: " + v.error());
        } else if (v.appliedIndex() < target) {
          problems.add(v.nodeId() + " applied " + v.appliedIndex() + " < leader's commit " + target);
        }
      }
      if (problems.isEmpty()) {
        return List.of();
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
    if (target < 0) {
      problems.add("no stable leader to take a commit index from");
    }
    return List.copyOf(problems);
  }

  /** Fails if a node exited without the harness killing it (a crash is a finding, not noise). */
  public void requireNoneDied() {
    for (NodeProcess n : nodes) {
      List<String> exits = n.unexpectedExits();
      if (!exits.isEmpty()) {
        throw new IllegalStateException("node " + n.id() + ": " + String.join("; ", exits) + "; last lines of "
            + n.logFile() + ":\n" + tail(n.logFile(), 30));
      }
    }
  }

  /** The last {@code lines} lines of a file, for error messages. */
  public static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (NodeProcess n : nodes) {
      try {
        n.kill();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    synchronized (statusClients) {
      for (PachydermClient c : statusClients.values()) {
        try {
          c.close();
        } catch (RuntimeException e) {
          // Closing a client of a dead node may complain; the nodes are gone either way.
        }
      }
      statusClients.clear();
    }
    statusPool.shutdownNow();
    if (failure != null) {
      throw failure;
    }
  }

  private PachydermClient statusClient(String id) {
    synchronized (statusClients) {
      return statusClients.computeIfAbsent(id, k -> nodeClient(k, STATUS_TIMEOUT));
    }
  }

}
