package io.pachyderm.chaos.nemesis;

import io.pachyderm.chaos.nodes.ChaosCluster;
import io.pachyderm.chaos.nodes.NodeProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/** Choosing the node a fault hits. */
final class Targets {
  private Targets() {}

  /** A node picked at random among those running (not paused, not dead). */
  static NodeProcess randomRunning(ChaosCluster cluster, RandomGenerator random) {
    List<NodeProcess> running = new ArrayList<>();
    for (NodeProcess n : cluster.nodes()) {
      if (n.alive() && !n.paused()) {
        running.add(n);
      }
    }
    List<NodeProcess> pool = running.isEmpty() ? cluster.nodes() : running;
    return pool.get(random.nextInt(pool.size()));
  }

  /** The current leader; when none answers as leader, a random node (the label says which). */
  static Target leaderOrRandom(ChaosCluster cluster, RandomGenerator random) {
    Optional<String> leader = cluster.leader();
    if (leader.isPresent()) {
      return new Target(cluster.node(leader.get()), "leader");
    }
    return new Target(randomRunning(cluster, random), "no leader seen, random");
  }

  record Target(NodeProcess node, String why) {}

  /** The leader (or a random node when there is none) if {@code leader}, else a random running node. */
  static Target pick(ChaosCluster cluster, RandomGenerator random, boolean leader) {
    return leader ? leaderOrRandom(cluster, random) : new Target(randomRunning(cluster, random), "random");
  }

  /** A node's name in a schedule: {@code n1} .. {@code n999}. */
  static final Pattern NODE_NAME = Pattern.compile("n[1-9][0-9]{0,2}");

  /** The nodes {@code target} hits now, each with why it was chosen. */
  static List<Target> resolve(FaultTarget target, ChaosCluster cluster, RandomGenerator random) {
    if (target instanceof FaultTarget.Leader) {
      return List.of(leaderOrRandom(cluster, random));
    }
    if (target instanceof FaultTarget.RandomNode) {
      return List.of(new Target(randomRunning(cluster, random), "random"));
    }
    if (target instanceof FaultTarget.Node n) {
      return List.of(new Target(cluster.node("n" + n.index()), "named"));
    }
    List<Target> all = new ArrayList<>();
    for (NodeProcess n : cluster.nodes()) {
      all.add(new Target(n, "all"));
    }
    return all;
  }

  /** {@code n2 (leader)}, {@code n1,n2,n3 (all)}. */
  static String describe(List<Target> hit) {
    List<String> ids = new ArrayList<>();
    for (Target t : hit) {
      ids.add(t.node().id());
    }
    return String.join(",", ids) + " (" + hit.get(0).why() + ")";
  }
}
