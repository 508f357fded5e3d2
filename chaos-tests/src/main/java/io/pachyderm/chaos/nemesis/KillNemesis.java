package io.pachyderm.chaos.nemesis;

import io.pachyderm.chaos.nodes.ChaosCluster;
import io.pachyderm.chaos.nodes.NodeProcess;
import java.util.random.RandomGenerator;

/**
 * {@code kill -9} of one node, restarted when healed. The node loses everything not yet on disk
 * (page cache survives a process kill; Ratis fsyncs its log before acknowledging).
 */
public final class KillNemesis implements Nemesis {
  private final boolean leader;

  /** @param leader kill the leader; otherwise a random running node */
  public KillNemesis(boolean leader) {
    this.leader = leader;
  }

  @Override
  public String name() {
    return leader ? "kill-leader" : "kill-random";
  }

  @Override
  public Fault inject(ChaosCluster cluster, RandomGenerator random) {
    Targets.Target target = Targets.pick(cluster, random, leader);
    NodeProcess node = target.node();
    node.kill();
    return Fault.of("kill " + node.id() + " (" + target.why() + ")", node::start);
  }
}
