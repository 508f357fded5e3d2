package io.pachyderm.chaos.checker;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a checker concluded.
 *
 * @param checker the checker's name, for reports
 * @param valid true only if the checker proved the property; a checker that could not decide
 *     (see {@link #unknown()}) says false
 * @param anomalies what was found wrong, in a deterministic order; capped per key by each checker
 * @param stats figures for the report (counts), in insertion order
 */
public record Verdict(
    String checker, boolean valid, List<Anomaly> anomalies, Map<String, Object> stats) {

  public Verdict {
    Objects.requireNonNull(checker, "checker");
    anomalies = List.copyOf(anomalies);
    stats = Collections.unmodifiableMap(new LinkedHashMap<>(stats));
    if (valid && !anomalies.isEmpty()) {
      throw new IllegalArgumentException("a valid verdict has no anomalies: " + anomalies);
    }
  }

  /** A verdict from anomalies: valid if and only if there are none. */
  public static Verdict of(String checker, List<Anomaly> anomalies, Map<String, Object> stats) {
    return new Verdict(checker, anomalies.isEmpty(), anomalies, stats);
  }

  /**
   * True when the verdict is invalid only because a search ran out of budget: nothing wrong was
   * found, but correctness was not proven either.
   */
  public boolean unknown() {
    if (valid || anomalies.isEmpty()) {
      return false;
    }
    for (Anomaly anomaly : anomalies) {
      if (!Anomaly.SEARCH_BUDGET_EXCEEDED.equals(anomaly.kind())) {
        return false;
      }
    }
    return true;
  }

  /** "VALID", "INVALID" or "UNKNOWN". */
  public String label() {
    return valid ? "VALID" : unknown() ? "UNKNOWN" : "INVALID";
  }
}
