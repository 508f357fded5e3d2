package io.pachyderm.chaos.nemesis;

import io.pachyderm.chaos.nodes.ChaosCluster;
import io.pachyderm.chaos.nodes.NodeProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

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
}
