package io.pachyderm.chaos.nemesis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * A network partition as data, Jepsen's "grudge": for each node (1-based host index), the nodes
 * whose packets it drops. Applied as {@code iptables -A INPUT -s <peer> -j DROP} inside the
 * node's namespace, so a one-sided entry cuts one direction only.
 *
 * <p>Immutable; the factory methods are pure functions of their arguments.
 */
public record Grudge(String kind, Map<Integer, Set<Integer>> dropsFrom) {
  public Grudge {
    Map<Integer, Set<Integer>> copy = new TreeMap<>();
    dropsFrom.forEach((k, v) -> copy.put(k, Collections.unmodifiableSet(new TreeSet<>(v))));
    dropsFrom = Collections.unmodifiableMap(copy);
  }

  /** Two components: {@code a} and {@code b} cannot talk to each other at all. */
  public static Grudge split(String kind, Set<Integer> a, Set<Integer> b) {
    Map<Integer, Set<Integer>> drops = new TreeMap<>();
    for (int x : a) {
      drops.put(x, new TreeSet<>(b));
    }
    for (int y : b) {
      drops.put(y, new TreeSet<>(a));
    }
    return new Grudge(kind, drops);
  }

  /** A random minority against the majority. */
  public static Grudge randomHalves(int nodes, RandomGenerator random) {
    List<Integer> order = shuffled(nodes, random);
    return split("halves", new TreeSet<>(order.subList(0, nodes / 2)), new TreeSet<>(order.subList(nodes / 2, nodes)));
  }

  /** {@code node} alone against everyone else. */
  public static Grudge isolate(int nodes, int node) {
    Set<Integer> rest = new TreeSet<>();
    for (int i = 1; i <= nodes; i++) {
      if (i != node) {
        rest.add(i);
      }
    }
    return split("isolate", Set.of(node), rest);
  }

  /**
   * Every node hears a majority (itself and its neighbours on a random ring), but no two nodes
   * hear the same majority. With three nodes each node hears only its successor: every link is
   * cut in one direction.
   */
  public static Grudge majoritiesRing(int nodes, RandomGenerator random) {
    List<Integer> ring = shuffled(nodes, random);
    int majority = nodes / 2 + 1;
    int before = (majority - 1) / 2;
    int after = majority / 2;
    Map<Integer, Set<Integer>> drops = new TreeMap<>();
    for (int p = 0; p < nodes; p++) {
      Set<Integer> hears = new TreeSet<>();
      for (int d = -before; d <= after; d++) {
        hears.add(ring.get(Math.floorMod(p + d, nodes)));
      }
      Set<Integer> dropped = new TreeSet<>();
      for (int other : ring) {
        if (!hears.contains(other)) {
          dropped.add(other);
        }
      }
      drops.put(ring.get(p), dropped);
    }
    return new Grudge("majorities-ring", drops);
  }

  /** Two halves that cannot talk, and one node that talks to both (the bridge). */
  public static Grudge bridge(int nodes, RandomGenerator random) {
    List<Integer> order = shuffled(nodes, random);
    int middle = nodes / 2;
    Map<Integer, Set<Integer>> drops = split("bridge", new TreeSet<>(order.subList(0, middle)),
        new TreeSet<>(order.subList(middle + 1, nodes))).dropsFrom();
    Map<Integer, Set<Integer>> withBridge = new TreeMap<>(drops);
    withBridge.put(order.get(middle), Set.of());
    return new Grudge("bridge", withBridge);
  }

  /** For reports: {@code n1 drops n2,n3; n2 drops n1; ...} (nodes that drop nothing left out). */
  public String describe() {
    List<String> parts = new ArrayList<>();
    dropsFrom.forEach((node, from) -> {
      if (!from.isEmpty()) {
        parts.add("n" + node + " drops " + String.join(",", from.stream().map(i -> "n" + i).toList()));
      }
    });
    return kind + " [" + String.join("; ", parts) + "]";
  }

  private static List<Integer> shuffled(int nodes, RandomGenerator random) {
    List<Integer> order = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      order.add(i);
    }
    for (int i = order.size() - 1; i > 0; i--) {
      Collections.swap(order, i, random.nextInt(i + 1));
    }
    return order;
  }
}
