package io.pachyderm.bench;

import io.pachyderm.api.Entities;
import io.pachyderm.api.PachydermException;
import io.pachyderm.bench.statestore.StoreKind;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.Transport;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.examples.ExampleTypes;
import io.pachyderm.examples.counter.Counter;
import io.pachyderm.node.status.OutboxStats;
import io.pachyderm.node.PachydermNode;
import io.pachyderm.node.security.ThrowawayCa;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Three nodes (deployment {@link Scenario.Deployment#SINGLE}: one) in this JVM on free loopback
 * ports, each with its own data directory under {@code root}, with default node settings except
 * the scenario's journal switch, and one client configured by the scenario. A mutual-TLS row
 * gets a CA made for it ({@code root/tls}): a certificate per node and one for the client. The
 * cluster is named after the scenario: two clusters alive at once (the JIT warm-up) then have
 * distinct Raft groups, so their Ratis JMX beans and metrics do not collide.
 */
final class InProcessCluster implements Target {
  private static final int NODES = 3;
  /** The examples' types plus the journal benchmarks' {@link BenchLog}. */
  static final EntityTypes TYPES = ExampleTypes.all().with(BenchLog.TYPE);
  private static final Duration LEADER_WAIT_MAX = Duration.ofSeconds(60);

  private final List<PachydermNode> nodes;
  private final PachydermClient client;

  private InProcessCluster(List<PachydermNode> nodes, PachydermClient client) {
    this.nodes = nodes;
    this.client = client;
  }

  /** Starts the nodes on {@code store}, waits (bounded) for a ready leader, then builds the client. */
  static InProcessCluster start(Path root, Scenario scenario, Duration requestTimeout, StoreKind store) {
    String clusterName = "bench-" + scenario.id();
    int nodeCount = scenario.deployment() == Scenario.Deployment.SINGLE ? 1 : NODES;
    int[] ports = FreePorts.distinct(nodeCount);
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < nodeCount; i++) {
      peers.add(new Peer("n" + (i + 1), "127.0.0.1:" + ports[i]));
    }
    List<PachydermNode> nodes = new ArrayList<>();
    PachydermClient client = null;
    ThrowawayCa ca = scenario.mutualTls() ? ThrowawayCa.create(root.resolve("tls"), "benchmark CA " + clusterName)
        : null;
    try {
      for (Peer p : peers) {
        PachydermNode.Builder b = store.configure(node(p.id(), peers, root.resolve(p.id()), scenario.transport()))
            .journalEnabled(scenario.journal())
            .clusterName(clusterName);
        if (ca != null) {
          b.tls(ca.node(p.id(), List.of(p.host())));
        }
        nodes.add(b.build().start());
      }
      awaitReadyLeader(nodes);
      PachydermClient.Builder clientBuilder = PachydermClient.builder(peers);
      if (ca != null) {
        clientBuilder.tls(ca.client("benchmark"));
      }
      client = clientBuilder
          .clusterName(clusterName)
          .entityTypes(TYPES)
          .transport(scenario.transport())
          .commandsPerBatchMax(scenario.commandsPerBatchMax())
          .inflightBatchesMax(scenario.inflightBatchesMax())
          .requestTimeout(requestTimeout)
          .build();
      return new InProcessCluster(nodes, client);
    } catch (RuntimeException e) {
      closeAll(client, nodes, e);
      throw e;
    }
  }

  /** A node as the launcher runs one, except that the admin mailer only counts (no log line per effect). */
  private static PachydermNode.Builder node(String id, List<Peer> peers, Path dir, Transport transport) {
    return PachydermNode.builder(id, peers, dir)
        .entityTypes(TYPES)
        .transport(transport)
        .onFatalError(io.pachyderm.node.settings.FatalErrorPolicy.STOP_NODE) // several nodes in this JVM
        .effectHandler(Counter.ADMIN_MAILER, (Counter.ThresholdReached t, EffectContext ctx) -> { });
  }

  static void awaitReadyLeader(List<PachydermNode> nodes) {
    long deadlineNs = System.nanoTime() + LEADER_WAIT_MAX.toNanos();
    while (nodes.stream().noneMatch(PachydermNode::isReadyLeader)) {
      if (System.nanoTime() - deadlineNs > 0) {
        throw new PachydermException("no ready leader among " + nodes.size() + " nodes within " + LEADER_WAIT_MAX);
      }
      sleepMs(10);
    }
  }

  static void sleepMs(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PachydermException("interrupted", e);
    }
  }

  @Override
  public Entities entities() {
    return client;
  }

  @Override
  public long committedBatchesMax() {
    long max = -1;
    for (PachydermNode n : nodes) {
      max = Math.max(max, NodeProbe.committedBatches(n));
    }
    return max;
  }

  @Override
  public long termMax() {
    long max = -1;
    for (PachydermNode n : nodes) {
      max = Math.max(max, NodeProbe.term(n));
    }
    return max;
  }

  @Override
  public OutboxStats leaderOutbox() {
    for (PachydermNode n : nodes) {
      if (n.isLeader()) {
        return n.outboxStats();
      }
    }
    return null;
  }

  /** Closes the client first (no new requests), then every node even when one fails to close. */
  @Override
  public void close() {
    RuntimeException failure = new PachydermException("closing the in-process cluster failed");
    closeAll(client, nodes, failure);
    if (failure.getSuppressed().length > 0) {
      throw failure;
    }
  }

  private static void closeAll(PachydermClient client, List<PachydermNode> nodes, RuntimeException collector) {
    if (client != null) {
      try {
        client.close();
      } catch (RuntimeException e) {
        collector.addSuppressed(e);
      }
    }
    for (PachydermNode n : nodes) {
      try {
        n.close();
      } catch (RuntimeException e) {
        collector.addSuppressed(e);
      }
    }
  }
}
