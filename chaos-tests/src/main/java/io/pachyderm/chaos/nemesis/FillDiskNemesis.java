package io.pachyderm.chaos.nemesis;

import io.pachyderm.chaos.nodes.ChaosCluster;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Fills one node's data disk (the leader's, or a random running node's) until healed; see
 * {@link DiskFullFault}. The {@code storage} family.
 */
public final class FillDiskNemesis implements Nemesis {
  private final boolean leader;

  /** @param leader fill the leader's disk; otherwise a random running node's */
  public FillDiskNemesis(boolean leader) {
    this.leader = leader;
  }

  @Override
  public String name() {
    return leader ? "fill-disk-leader" : "fill-disk-random";
  }

  @Override
  public Fault inject(ChaosCluster cluster, RandomGenerator random) {
    Targets.Target target = Targets.pick(cluster, random, leader);
    return DiskFullFault.inject(List.of(target.node()), target.node().id() + " (" + target.why() + ")");
  }
}
