package io.pachyderm.chaos.nemesis;

import io.pachyderm.chaos.nodes.ChaosCluster;
import java.util.random.RandomGenerator;

/** Something that injects one kind of fault into a running cluster. */
public interface Nemesis {
  /** The kind, for the schedule and reports. */
  String name();

  /** Injects a fault now and returns it; it stays in force until {@link Fault#heal()}. */
  Fault inject(ChaosCluster cluster, RandomGenerator random);
}
