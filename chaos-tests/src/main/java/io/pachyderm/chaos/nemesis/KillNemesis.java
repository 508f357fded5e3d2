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
    NodeProcess node;
    String why;
    if (leader) {
      Targets.Target t = Targets.leaderOrRandom(cluster, random);
      node = t.node();
      why = t.why();
    } else {
      node = Targets.randomRunning(cluster, random);
      why = "random";
    }
    node.kill();
    String name = "kill " + node.id() + " (" + why + ")";
    return new Fault() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void heal() {
        node.start();
      }
    };
  }
}
