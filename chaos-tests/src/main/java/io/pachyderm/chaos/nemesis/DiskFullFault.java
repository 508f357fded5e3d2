package io.pachyderm.chaos.nemesis;

import io.pachyderm.chaos.nodes.DataDisks;
import io.pachyderm.chaos.nodes.NodeProcess;
import java.util.ArrayList;
import java.util.List;

/**
 * A full data disk on one or more nodes, in force until {@link #heal()}: the ballast is deleted,
 * then every target that exited while its disk was full is started again — a node that fails
 * stop on a write it cannot make is doing its job, so its exit is recorded as expected
 * ({@link NodeProcess#acceptExit}) rather than as a crash, and the heal line says which node
 * exited with which code. A node that is still up is left running (it should have refused
 * writes meanwhile; the run's summary counts the refusals).
 *
 * <p>Used by one nemesis thread at a time.
 */
final class DiskFullFault implements Fault {
  private final String name;
  private final List<NodeProcess> nodes;
  private String healed = "";

  private DiskFullFault(String name, List<NodeProcess> nodes) {
    this.name = name;
    this.nodes = List.copyOf(nodes);
  }

  /**
   * Fills each node's data disk.
   *
   * @param who the targets as the report names them: {@code n2 (leader)}
   * @throws IllegalStateException if a node's data directory is not a filesystem of its own
   *     (filling it would fill the machine's disk); disks filled before that are released
   */
  static DiskFullFault inject(List<NodeProcess> nodes, String who) {
    List<String> fills = new ArrayList<>();
    List<NodeProcess> filled = new ArrayList<>();
    try {
      for (NodeProcess n : nodes) {
        if (!DataDisks.isMounted(n.dataDir())) {
          throw new IllegalStateException("fill-disk: " + n.id() + "'s data directory " + n.dataDir()
              + " is not a filesystem of its own, and filling it would fill this machine's disk; a run with "
              + "fill-disk mounts one per node (DataDisks)");
        }
        fills.add(DiskFill.fill(n.dataDir()).toString());
        filled.add(n);
      }
    } catch (RuntimeException e) {
      for (NodeProcess n : filled) {
        DiskFill.release(n.dataDir());
      }
      throw e;
    }
    return new DiskFullFault("fill-disk " + who + ": " + String.join("; ", fills), nodes);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void heal() {
    List<String> outcome = new ArrayList<>();
    for (NodeProcess n : nodes) {
      long free = DiskFill.release(n.dataDir());
      outcome.add(n.id() + " " + (free >> 20) + " MB free");
    }
    for (NodeProcess n : nodes) {
      Integer code = n.acceptExit("while its data disk was full");
      if (code != null) {
        outcome.add(n.id() + " had exited with code " + code + ", restarted");
        n.start();
      } else {
        outcome.add(n.id() + " " + (n.alive() ? "stayed up" : "not running (killed by another fault)"));
      }
    }
    healed = String.join("; ", outcome);
  }

  @Override
  public String healed() {
    return healed;
  }
}
