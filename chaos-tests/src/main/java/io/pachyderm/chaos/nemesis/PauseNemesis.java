package io.pachyderm.chaos.nemesis;

import io.pachyderm.chaos.nodes.ChaosCluster;
import io.pachyderm.chaos.nodes.NodeProcess;
import java.util.random.RandomGenerator;

/**
 * {@code SIGSTOP} of one node (by default the leader), {@code SIGCONT} when healed. A leader
 * paused longer than the election timeout wakes up deposed, with requests in flight: the classic
 * way to catch a node that acts on leadership it no longer has.
 */
public final class PauseNemesis implements Nemesis {
  private final boolean leader;

  /** @param leader pause the leader; otherwise a random running node */
  public PauseNemesis(boolean leader) {
    this.leader = leader;
  }

  @Override
  public String name() {
    return leader ? "pause-leader" : "pause-random";
  }

  @Override
  public Fault inject(ChaosCluster cluster, RandomGenerator random) {
    Targets.Target target = Targets.pick(cluster, random, leader);
    NodeProcess node = target.node();
    node.pause();
    return Fault.of("pause " + node.id() + " (" + target.why() + ")", node::resume);
  }
}
