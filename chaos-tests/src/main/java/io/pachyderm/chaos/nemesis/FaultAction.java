package io.pachyderm.chaos.nemesis;

import java.util.Objects;

/**
 * One kind of fault a {@link ChaosSchedule} injects, with its target: what the schedule file's
 * words after {@code at <time>} say. Immutable; {@link #text()} is the file form, so a schedule
 * written out reads back equal.
 *
 * <ul>
 *   <li>{@link Kill}: {@code kill -9} of the target, restarted when the fault ends;
 *   <li>{@link Pause}: SIGSTOP, SIGCONT when it ends;
 *   <li>{@link Isolate}: iptables DROP between one node and every other (both directions);
 *   <li>{@link Partition}: a partition of a {@link Shape} drawn with the run's seed;
 *   <li>{@link CutLogTail}: {@code kill -9}, then the newest Raft log segment of each target cut
 *       to {@code keepFraction} of its written length (a disk that lied about fsync; see
 *       {@link LogTailCut}), restarted when it ends. On every node at once the cluster cannot
 *       survive it: the checkers must then report lost writes (the control run's fault).
 *   <li>{@link FillDisk}: the target's data filesystem filled to the last block with ballast
 *       ({@link DiskFill}); when it ends the ballast is deleted and a node that exited meanwhile
 *       (a fail-stop on a failed write) is started again. Needs each node's data directory on a
 *       filesystem of its own ({@link io.pachyderm.chaos.nodes.DataDisks}), which a run with
 *       this fault mounts.
 * </ul>
 */
public sealed interface FaultAction {
  record Kill(FaultTarget target) implements FaultAction {
    public Kill {
      Objects.requireNonNull(target, "target");
    }
  }

  record Pause(FaultTarget target) implements FaultAction {
    public Pause {
      Objects.requireNonNull(target, "target");
    }
  }

  /** @param target one node (not {@link FaultTarget.AllNodes}: every node cut off from every other is not a partition) */
  record Isolate(FaultTarget target) implements FaultAction {
    public Isolate {
      Objects.requireNonNull(target, "target");
      if (target instanceof FaultTarget.AllNodes) {
        throw new IllegalArgumentException("isolate takes one node (leader, random-node or n<i>), not all-nodes");
      }
    }
  }

  record Partition(Shape shape) implements FaultAction {
    public Partition {
      Objects.requireNonNull(shape, "shape");
    }
  }

  /** @param keepFraction in (0, 1): the share of the newest segment's written bytes that is kept */
  record CutLogTail(FaultTarget target, double keepFraction) implements FaultAction {
    public CutLogTail {
      Objects.requireNonNull(target, "target");
      if (!(keepFraction > 0 && keepFraction < 1)) {
        throw new IllegalArgumentException("keep must be between 0% and 100% (exclusive): " + keepFraction);
      }
    }
  }

  record FillDisk(FaultTarget target) implements FaultAction {
    public FillDisk {
      Objects.requireNonNull(target, "target");
    }
  }

  /** Partition shapes, as in {@link Grudge}; the file names them by {@link #text}. */
  enum Shape {
    /** A random minority against the majority. */
    HALVES("halves"),
    /** Every node hears a majority, no two the same one. */
    MAJORITIES_RING("majorities-ring"),
    /** Two halves that cannot talk, one node that talks to both. */
    BRIDGE("bridge");

    private final String text;

    Shape(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }

    /** The shape named {@code word}, or null. */
    public static Shape parse(String word) {
      for (Shape s : values()) {
        if (s.text.equals(word)) {
          return s;
        }
      }
      return null;
    }
  }

  static FaultAction kill(FaultTarget target) {
    return new Kill(target);
  }

  static FaultAction pause(FaultTarget target) {
    return new Pause(target);
  }

  static FaultAction isolate(FaultTarget target) {
    return new Isolate(target);
  }

  static FaultAction partition(Shape shape) {
    return new Partition(shape);
  }

  /** Keeps half of the newest segment, as the control run does. */
  static FaultAction cutLogTail(FaultTarget target) {
    return new CutLogTail(target, 0.5);
  }

  static FaultAction cutLogTail(FaultTarget target, double keepFraction) {
    return new CutLogTail(target, keepFraction);
  }

  static FaultAction fillDisk(FaultTarget target) {
    return new FillDisk(target);
  }

  /** The schedule file's words: {@code kill leader}, {@code partition majorities-ring}, {@code cut-log-tail n2 keep 30%}. */
  default String text() {
    if (this instanceof Kill k) {
      return "kill " + k.target().text();
    }
    if (this instanceof Pause p) {
      return "pause " + p.target().text();
    }
    if (this instanceof Isolate i) {
      return "isolate " + i.target().text();
    }
    if (this instanceof Partition p) {
      return "partition " + p.shape().text();
    }
    if (this instanceof FillDisk f) {
      return "fill-disk " + f.target().text();
    }
    CutLogTail c = (CutLogTail) this;
    return "cut-log-tail " + c.target().text() + " keep " + Math.round(c.keepFraction() * 100) + "%";
  }

  /** The report's name for faults of this kind and target: {@code kill-leader}, {@code partition-bridge}. */
  default String kind() {
    return text().replaceFirst(" keep .*", "").replace(' ', '-');
  }

  /** True for faults that end with a restart (the file says {@code , restart after <time>}). */
  default boolean restarts() {
    return this instanceof Kill || this instanceof CutLogTail;
  }

  /**
   * True for faults made of DROP rules. Ending one flushes every rule on every node, so two of
   * them may not overlap in a schedule.
   */
  default boolean cutsLinks() {
    return this instanceof Isolate || this instanceof Partition;
  }
}
