package io.pachyderm.chaos.checker;

import io.pachyderm.chaos.history.History;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks the effect dispatch logs of all nodes against the effect guarantees of DESIGN §3. The
 * history passed to {@link #check} is not used: the evidence is the list of dispatches given at
 * construction.
 *
 * <ul>
 *   <li>{@link Anomaly#EFFECT_BY_NON_LEADER}: two different nodes dispatched in the same term.
 *       Raft has at most one leader per term and only the leader dispatches, so a second node in
 *       a term was not the leader. Checked in both modes.
 *   <li>{@link Anomaly#EFFECT_UNKNOWN_TERM}: a dispatch with term &lt;= 0.
 *   <li>{@link Anomaly#EFFECT_DUPLICATE}: (at most once, the default mode) an idempotency key was
 *       dispatched more than once.
 *   <li>{@link Anomaly#EFFECT_MISSING}: (at least once, reliable effects) an expected
 *       idempotency key was never dispatched. Duplicates are allowed in this mode and counted.
 * </ul>
 *
 * <p>At most {@link #ANOMALIES_PER_KIND_MAX} anomalies of each kind are listed; the rest are
 * counted in the {@code anomaliesSuppressed} stat. Thread-safe (immutable).
 */
public final class EffectsChecker implements Checker {
  public static final int ANOMALIES_PER_KIND_MAX = 20;

  /** Which effect guarantee is checked. */
  public enum Guarantee {
    AT_MOST_ONCE,
    AT_LEAST_ONCE
  }

  private final List<Dispatch> dispatches;
  private final Guarantee guarantee;
  private final Set<String> expectedKeys;

  /** At-most-once effects (the default guarantee). */
  public EffectsChecker(List<Dispatch> dispatches) {
    this(dispatches, Guarantee.AT_MOST_ONCE, Set.of());
  }

  /**
   * @param expectedKeys for {@link Guarantee#AT_LEAST_ONCE}, the idempotency keys that must have
   *     been dispatched (for example those of entries acknowledged to clients); ignored for
   *     at-most-once
   */
  public EffectsChecker(List<Dispatch> dispatches, Guarantee guarantee, Set<String> expectedKeys) {
    this.dispatches = List.copyOf(dispatches);
    this.guarantee = Objects.requireNonNull(guarantee, "guarantee");
    this.expectedKeys = new TreeSet<>(expectedKeys);
  }

  public String name() {
    return guarantee == Guarantee.AT_MOST_ONCE ? "effects-at-most-once" : "effects-at-least-once";
  }

  @Override
  public Verdict check(History ignored) {
    List<Anomaly> anomalies = new ArrayList<>();
    Map<String, Integer> perKind = new TreeMap<>();
    long[] suppressed = new long[1];

    Map<String, List<Dispatch>> byKey = new TreeMap<>();
    Map<Long, Set<String>> nodesByTerm = new TreeMap<>();
    for (Dispatch dispatch : dispatches) {
      byKey.computeIfAbsent(dispatch.idempotencyKey(), k -> new ArrayList<>()).add(dispatch);
      if (dispatch.term() <= 0) {
        report(anomalies, perKind, suppressed, new Anomaly(Anomaly.EFFECT_UNKNOWN_TERM,
            dispatch.idempotencyKey(), "dispatched without a valid term: " + dispatch));
        continue;
      }
      nodesByTerm.computeIfAbsent(dispatch.term(), t -> new TreeSet<>()).add(dispatch.node());
    }
    for (Map.Entry<Long, Set<String>> entry : nodesByTerm.entrySet()) {
      if (entry.getValue().size() > 1) {
        report(anomalies, perKind, suppressed, new Anomaly(Anomaly.EFFECT_BY_NON_LEADER,
            "term " + entry.getKey(), "nodes " + entry.getValue()
                + " all dispatched effects in term " + entry.getKey()
                + "; at most one of them was the leader"));
      }
    }
    long duplicated = 0;
    for (Map.Entry<String, List<Dispatch>> entry : byKey.entrySet()) {
      if (entry.getValue().size() < 2) {
        continue;
      }
      duplicated++;
      if (guarantee == Guarantee.AT_MOST_ONCE) {
        report(anomalies, perKind, suppressed, new Anomaly(Anomaly.EFFECT_DUPLICATE,
            entry.getKey(), "dispatched " + entry.getValue().size() + " times: "
                + entry.getValue()));
      }
    }
    long missing = 0;
    if (guarantee == Guarantee.AT_LEAST_ONCE) {
      for (String key : expectedKeys) {
        if (!byKey.containsKey(key)) {
          missing++;
          report(anomalies, perKind, suppressed, new Anomaly(Anomaly.EFFECT_MISSING, key,
              "expected effect was never dispatched"));
        }
      }
    }
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("guarantee", guarantee.name());
    stats.put("dispatched", dispatches.size());
    stats.put("distinctKeys", byKey.size());
    stats.put("keysDispatchedMoreThanOnce", duplicated);
    stats.put("terms", nodesByTerm.size());
    if (guarantee == Guarantee.AT_LEAST_ONCE) {
      stats.put("expected", expectedKeys.size());
      stats.put("missing", missing);
    }
    stats.put("anomaliesSuppressed", suppressed[0]);
    return Verdict.of(name(), anomalies, stats);
  }

  private static void report(
      List<Anomaly> anomalies, Map<String, Integer> perKind, long[] suppressed, Anomaly anomaly) {
    if (perKind.merge(anomaly.kind(), 1, Integer::sum) > ANOMALIES_PER_KIND_MAX) {
      suppressed[0]++;
      return;
    }
    anomalies.add(anomaly);
  }
}
