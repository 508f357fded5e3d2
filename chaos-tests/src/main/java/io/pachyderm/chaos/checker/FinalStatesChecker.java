package io.pachyderm.chaos.checker;

import io.pachyderm.chaos.history.History;
import io.pachyderm.chaos.history.Op;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Judges the final reads (every key read from every node after recovery) with a user's invariant,
 * and requires the nodes to agree: each node's final states must satisfy {@link Invariant}
 * ({@value Anomaly#INVARIANT_VIOLATED} otherwise), every node must have answered for every key
 * some node answered for ({@value Anomaly#INCOMPLETE_FINAL_READS}), and all nodes must have read
 * the same value for each key ({@value Anomaly#DIVERGENT_FINAL_READS}).
 *
 * <p>For entities whose property is about where they end up (a total conserved, a bound never
 * crossed, a set that only grows) rather than about each read; combine it with the
 * linearizability checker for per-operation guarantees. Stateless and thread-safe if the
 * invariant is.
 */
public final class FinalStatesChecker implements Checker {
  /** Anomalies listed per kind at most; the stats count them all. */
  private static final int LISTED_PER_KIND_MAX = 20;

  /** A property of one node's final states. */
  @FunctionalInterface
  public interface Invariant {
    /**
     * What is wrong with {@code states} (key to the value the workload's final read returned:
     * a {@code Long}, a {@code List<Long>} or null), as one message per violation; empty when the
     * invariant holds.
     */
    List<String> violations(Map<String, Object> states);
  }

  private final String name;
  private final Invariant invariant;

  /** @param name the verdict's name, for reports */
  public FinalStatesChecker(String name, Invariant invariant) {
    this.name = Objects.requireNonNull(name, "name");
    this.invariant = Objects.requireNonNull(invariant, "invariant");
  }

  @Override
  public Verdict check(History history) {
    Map<String, Map<String, Object>> byNode = new TreeMap<>();
    Set<String> keys = new TreeSet<>();
    for (Op op : history.ops()) {
      if (Op.FINAL_READ.equals(op.f()) && op.isOk()) {
        byNode.computeIfAbsent(op.node(), n -> new TreeMap<>()).put(op.key(), op.value());
        keys.add(op.key());
      }
    }
    CappedAnomalies anomalies = new CappedAnomalies(LISTED_PER_KIND_MAX);
    int violations = 0;
    for (Map.Entry<String, Map<String, Object>> node : byNode.entrySet()) {
      for (String v : invariant.violations(Collections.unmodifiableMap(node.getValue()))) {
        violations++;
        anomalies.add(new Anomaly(Anomaly.INVARIANT_VIOLATED, null, "on " + node.getKey() + ": " + v));
      }
      for (String key : keys) {
        if (!node.getValue().containsKey(key)) {
          anomalies.add(new Anomaly(Anomaly.INCOMPLETE_FINAL_READS, key, node.getKey() + " has no final read of "
              + key));
        }
      }
    }
    for (String key : keys) {
      Map<String, Object> values = new LinkedHashMap<>();
      for (Map.Entry<String, Map<String, Object>> node : byNode.entrySet()) {
        if (node.getValue().containsKey(key)) {
          values.put(node.getKey(), node.getValue().get(key));
        }
      }
      if (new HashSet<>(values.values()).size() > 1) {
        anomalies.add(new Anomaly(Anomaly.DIVERGENT_FINAL_READS, key, "nodes read " + values));
      }
    }
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("nodes", byNode.size());
    stats.put("keys", keys.size());
    stats.put("violations", violations);
    stats.put("anomaliesNotListed", anomalies.suppressed());
    return Verdict.of(name, anomalies.listed(), stats);
  }
}
