package io.pachyderm.chaos.nemesis;

/**
 * Which node(s) a scheduled fault hits, chosen when the fault is injected: the leader at that
 * moment (a random running node when none answers as leader; the fault's name says which), a
 * random running node, one named node, or every node. Immutable.
 */
public sealed interface FaultTarget {
  /** The leader when the fault is injected. */
  record Leader() implements FaultTarget {}

  /** A node picked at random (by the run's seed) among those running. */
  record RandomNode() implements FaultTarget {}

  /** The node {@code n<index>}, 1-based, as the cluster names its nodes. */
  record Node(int index) implements FaultTarget {
    public Node {
      if (index < 1) {
        throw new IllegalArgumentException("node index must be >= 1: " + index);
      }
    }
  }

  /** Every node of the cluster. */
  record AllNodes() implements FaultTarget {}

  static FaultTarget leader() {
    return new Leader();
  }

  static FaultTarget randomNode() {
    return new RandomNode();
  }

  /** @param index 1-based: {@code node(2)} is {@code n2} */
  static FaultTarget node(int index) {
    return new Node(index);
  }

  static FaultTarget allNodes() {
    return new AllNodes();
  }

  /** The schedule file's word for this target: {@code leader}, {@code random-node}, {@code n2}, {@code all-nodes}. */
  default String text() {
    if (this instanceof Node n) {
      return "n" + n.index();
    }
    return this instanceof Leader ? "leader" : this instanceof RandomNode ? "random-node" : "all-nodes";
  }

  /** The word {@link #text()} wrote, or null if {@code word} names no target. */
  static FaultTarget parse(String word) {
    return switch (word) {
      case "leader" -> leader();
      case "random-node" -> randomNode();
      case "all-nodes" -> allNodes();
      default -> Targets.NODE_NAME.matcher(word).matches() ? node(Integer.parseInt(word.substring(1))) : null;
    };
  }
}
