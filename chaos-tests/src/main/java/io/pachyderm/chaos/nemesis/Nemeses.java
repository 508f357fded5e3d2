package io.pachyderm.chaos.nemesis;

import java.util.ArrayList;
import java.util.List;

/** The nemesis families the CLI and the suite name. */
public final class Nemeses {
  /** Families accepted by {@link #family}; {@code control} is the planted-fault run, not a schedule. */
  public static final List<String> FAMILIES = List.of("none", "kill", "pause", "partition", "storage", "combined");
  /** The family whose faults fill a node's data disk; its runs mount a filesystem per node. */
  public static final String STORAGE = "storage";

  private Nemeses() {}

  /** Whether family {@code name} fills data disks (and so needs {@link io.pachyderm.chaos.nodes.DataDisks}). */
  public static boolean fillsDisks(String name) {
    return STORAGE.equals(name);
  }

  /** The nemeses of family {@code name}; {@code none} has none. */
  public static List<Nemesis> family(String name) {
    return switch (name) {
      case "none" -> List.of();
      case "kill" -> List.of(new KillNemesis(false), new KillNemesis(true));
      case "pause" -> List.of(new PauseNemesis(true), new PauseNemesis(false));
      case "partition" -> List.of(new PartitionNemesis(PartitionNemesis.Kind.HALVES),
          new PartitionNemesis(PartitionNemesis.Kind.ISOLATE_LEADER),
          new PartitionNemesis(PartitionNemesis.Kind.MAJORITIES_RING),
          new PartitionNemesis(PartitionNemesis.Kind.BRIDGE));
      case STORAGE -> List.of(new FillDiskNemesis(true), new FillDiskNemesis(false));
      // Not the storage faults yet: on a node without fail-stop a full disk leaves a zombie that
      // never recovers, which would make every combined run invalid (issue 12).
      case "combined" -> {
        List<Nemesis> all = new ArrayList<>();
        all.addAll(family("kill"));
        all.addAll(family("pause"));
        all.addAll(family("partition"));
        yield List.copyOf(all);
      }
      default -> throw new IllegalArgumentException("unknown nemesis '" + name + "'; expected one of " + FAMILIES
          + " or control");
    };
  }
}
