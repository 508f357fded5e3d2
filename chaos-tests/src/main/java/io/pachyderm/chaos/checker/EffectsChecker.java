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
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Checks the effect dispatch logs of all nodes against the effect guarantees of DESIGN §3. The
 * evidence is the list of dispatches given at construction; the history passed to {@link #check}
 * only tells an at-least-once check which effects were due (see {@link Expected}).
 *
 * <ul>
 *   <li>{@link Anomaly#EFFECT_BY_NON_LEADER}: two different nodes dispatched in the same term
 *       ({@link Dispatch#dispatchTerm()}). Raft has at most one leader per term and only the
 *       leader dispatches, so a second node in a term was not the leader. Checked in both modes.
 *       A node that logged it was no longer leader of its term when an attempt ran is counted
 *       ({@code dispatchesAfterStepDown}), not reported: it did lead that term (a node that never
 *       did would collide with the term's leader), and Ratis can depose a leader, for example one
 *       resumed after a pause, before the node's effect dispatcher hears of it; at least once
 *       allows the repeat this causes.
 *   <li>{@link Anomaly#EFFECT_UNKNOWN_TERM}: a dispatch with term &lt;= 0.
 *   <li>{@link Anomaly#EFFECT_DUPLICATE}: (at most once, the default mode) an idempotency key was
 *       dispatched more than once.
 *   <li>{@link Anomaly#EFFECT_MISSING}: (at least once, reliable effects) an expected effect has
 *       no successful dispatch: never attempted, or every attempt failed. Repeated dispatches are
 *       allowed in this mode and counted.
 *   <li>{@link Anomaly#EFFECT_KEY_CHANGED}: (at least once) the attempts of one effect carried
 *       different idempotency keys, or two effects shared one key. Effects are told apart by
 *       {@link Dispatch#effectId()}, which the payload provides independently of the key.
 *   <li>{@link Anomaly#EFFECT_UNCOMMITTED}: (at least once) an effect was dispatched whose command,
 *       by the history, never committed.
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

  /**
   * What an at-least-once run owed, as read from its history.
   *
   * @param required effect ids ({@link Dispatch#effectId()}) that must have been dispatched
   *     successfully: those of every command known to have committed
   * @param mayHaveCommitted whether the command of an effect id may have committed; a dispatched
   *     effect for which this says false was dispatched without a commit
   */
  public record Expected(Set<String> required, Predicate<String> mayHaveCommitted) {
    public Expected {
      required = Set.copyOf(required);
      Objects.requireNonNull(mayHaveCommitted, "mayHaveCommitted");
    }

    /** Only these effects are required; nothing is known about the others. */
    public static Expected atLeast(Set<String> required) {
      return new Expected(required, id -> true);
    }
  }

  private final List<Dispatch> dispatches;
  private final Guarantee guarantee;
  private final Function<History, Expected> expected;

  /** At-most-once effects (the default guarantee). */
  public EffectsChecker(List<Dispatch> dispatches) {
    this(dispatches, Guarantee.AT_MOST_ONCE, h -> Expected.atLeast(Set.of()));
  }

  /**
   * @param expectedKeys for {@link Guarantee#AT_LEAST_ONCE}, the effects (ids, see
   *     {@link Dispatch#effectId()}) that must have been dispatched; ignored for at-most-once
   */
  public EffectsChecker(List<Dispatch> dispatches, Guarantee guarantee, Set<String> expectedKeys) {
    this(dispatches, guarantee, h -> Expected.atLeast(expectedKeys));
  }

  /**
   * @param expected for {@link Guarantee#AT_LEAST_ONCE}, reads from the history which effects were
   *     due; ignored for at-most-once
   */
  public EffectsChecker(List<Dispatch> dispatches, Guarantee guarantee, Function<History, Expected> expected) {
    this.dispatches = List.copyOf(dispatches);
    this.guarantee = Objects.requireNonNull(guarantee, "guarantee");
    this.expected = Objects.requireNonNull(expected, "expected");
  }

  public String name() {
    return guarantee == Guarantee.AT_MOST_ONCE ? "effects-at-most-once" : "effects-at-least-once";
  }

  @Override
  public Verdict check(History history) {
    CappedAnomalies anomalies = new CappedAnomalies(ANOMALIES_PER_KIND_MAX);
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("guarantee", guarantee.name());
    stats.put("dispatched", dispatches.size());

    Map<String, List<Dispatch>> byKey = new TreeMap<>();
    for (Dispatch dispatch : dispatches) {
      byKey.computeIfAbsent(dispatch.idempotencyKey(), k -> new ArrayList<>()).add(dispatch);
    }
    stats.put("distinctKeys", byKey.size());
    stats.put("terms", checkLeaders(anomalies));
    long afterStepDown = 0;
    for (Dispatch dispatch : dispatches) {
      afterStepDown += dispatch.nodeTerm() > 0 && !dispatch.leader() ? 1 : 0;
    }
    stats.put("dispatchesAfterStepDown", afterStepDown);
    long duplicated = 0;
    for (Map.Entry<String, List<Dispatch>> entry : byKey.entrySet()) {
      if (entry.getValue().size() < 2) {
        continue;
      }
      duplicated++;
      if (guarantee == Guarantee.AT_MOST_ONCE) {
        anomalies.add(Anomaly.EFFECT_DUPLICATE, entry.getKey(), "dispatched " + entry.getValue().size()
            + " times: " + entry.getValue());
      }
    }
    stats.put("keysDispatchedMoreThanOnce", duplicated);
    if (guarantee == Guarantee.AT_LEAST_ONCE) {
      checkAtLeastOnce(expected.apply(history), byKey, anomalies, stats);
    }
    stats.put("anomaliesSuppressed", anomalies.suppressed());
    return Verdict.of(name(), anomalies.listed(), stats);
  }

  /** One dispatching node per term; returns the number of terms seen. */
  private int checkLeaders(CappedAnomalies anomalies) {
    Map<Long, Set<String>> nodesByTerm = new TreeMap<>();
    for (Dispatch dispatch : dispatches) {
      if (dispatch.term() <= 0) {
        anomalies.add(Anomaly.EFFECT_UNKNOWN_TERM, dispatch.idempotencyKey(),
            "dispatched without a valid term: " + dispatch);
        continue;
      }
      nodesByTerm.computeIfAbsent(dispatch.dispatchTerm(), t -> new TreeSet<>()).add(dispatch.node());
    }
    for (Map.Entry<Long, Set<String>> entry : nodesByTerm.entrySet()) {
      if (entry.getValue().size() > 1) {
        anomalies.add(Anomaly.EFFECT_BY_NON_LEADER, "term " + entry.getKey(), "nodes " + entry.getValue()
            + " all dispatched effects in term " + entry.getKey() + "; at most one of them was the leader");
      }
    }
    return nodesByTerm.size();
  }

  private void checkAtLeastOnce(Expected due, Map<String, List<Dispatch>> byKey, CappedAnomalies anomalies,
                                Map<String, Object> stats) {
    Map<String, List<Dispatch>> byEffect = new TreeMap<>();
    long failedAttempts = 0;
    int attemptMax = 0;
    for (Dispatch dispatch : dispatches) {
      byEffect.computeIfAbsent(dispatch.effectId(), k -> new ArrayList<>()).add(dispatch);
      failedAttempts += dispatch.ok() ? 0 : 1;
      attemptMax = Math.max(attemptMax, dispatch.attempt());
    }
    long redispatched = 0;
    for (Map.Entry<String, List<Dispatch>> entry : byEffect.entrySet()) {
      Set<String> keys = new TreeSet<>();
      long successes = 0;
      for (Dispatch d : entry.getValue()) {
        keys.add(d.idempotencyKey());
        successes += d.ok() ? 1 : 0;
      }
      redispatched += successes > 1 ? 1 : 0;
      if (keys.size() > 1) {
        anomalies.add(Anomaly.EFFECT_KEY_CHANGED, entry.getKey(), "the attempts of one effect carried "
            + keys.size() + " idempotency keys " + keys + ": " + entry.getValue());
      }
      if (successes > 0 && !due.mayHaveCommitted().test(entry.getKey())) {
        anomalies.add(Anomaly.EFFECT_UNCOMMITTED, entry.getKey(), "dispatched, but by the history its command "
            + "never committed: " + entry.getValue());
      }
    }
    for (Map.Entry<String, List<Dispatch>> entry : byKey.entrySet()) {
      Set<String> effects = new TreeSet<>();
      for (Dispatch d : entry.getValue()) {
        effects.add(d.effectId());
      }
      if (effects.size() > 1) {
        anomalies.add(Anomaly.EFFECT_KEY_CHANGED, entry.getKey(), "one idempotency key was used by "
            + effects.size() + " different effects " + effects);
      }
    }
    long missing = 0;
    for (String effect : new TreeSet<>(due.required())) {
      List<Dispatch> attempts = byEffect.getOrDefault(effect, List.of());
      boolean succeeded = false;
      for (Dispatch d : attempts) {
        succeeded |= d.ok();
      }
      if (succeeded) {
        continue;
      }
      missing++;
      anomalies.add(Anomaly.EFFECT_MISSING, effect, attempts.isEmpty()
          ? "expected effect was never dispatched"
          : "expected effect never succeeded: " + attempts.size() + " attempts, all failed: " + attempts);
    }
    stats.put("expected", due.required().size());
    stats.put("missing", missing);
    stats.put("effects", byEffect.size());
    stats.put("failedAttempts", failedAttempts);
    stats.put("attemptMaxOnANode", attemptMax);
    stats.put("effectsSucceededMoreThanOnce", redispatched);
  }
}
