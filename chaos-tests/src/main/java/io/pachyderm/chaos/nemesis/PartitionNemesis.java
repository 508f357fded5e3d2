package io.pachyderm.chaos.nemesis;

import io.pachyderm.chaos.net.NetnsHosts;
import io.pachyderm.chaos.nodes.ChaosCluster;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Cuts links between nodes with {@code iptables} DROP rules inside their namespaces; healing
 * flushes the rules on every node. The harness's own traffic (from the bridge address) is never
 * dropped: clients keep reaching every node, as clients of a real partitioned cluster often do.
 */
public final class PartitionNemesis implements Nemesis {
  /** The shape of the partition. */
  public enum Kind {
    HALVES("partition-halves"),
    ISOLATE_LEADER("partition-isolate-leader"),
    MAJORITIES_RING("partition-majorities-ring"),
    BRIDGE("partition-bridge");

    private final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  private final Kind kind;

  public PartitionNemesis(Kind kind) {
    this.kind = kind;
  }

  @Override
  public String name() {
    return kind.label;
  }

  @Override
  public Fault inject(ChaosCluster cluster, RandomGenerator random) {
    NetnsHosts hosts = cluster.hosts();
    int n = hosts.nodes();
    Grudge grudge = switch (kind) {
      case HALVES -> Grudge.randomHalves(n, random);
      case ISOLATE_LEADER -> Grudge.isolate(n, Targets.leaderOrRandom(cluster, random).node().index());
      case MAJORITIES_RING -> Grudge.majoritiesRing(n, random);
      case BRIDGE -> Grudge.bridge(n, random);
    };
    return apply(hosts, grudge);
  }

  /** Puts {@code grudge}'s DROP rules in; healing flushes every rule on every node. */
  static Fault apply(NetnsHosts hosts, Grudge grudge) {
    for (Map.Entry<Integer, Set<Integer>> e : grudge.dropsFrom().entrySet()) {
      for (int from : e.getValue()) {
        hosts.drop(e.getKey(), from);
      }
    }
    return Fault.of("partition " + grudge.describe(), hosts::healAll);
  }
}
