package io.pachyderm.chaos.checker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The anomalies a checker lists, at most {@code perKindMax} of each kind; the rest are only
 * counted, so that one systematic fault (every credit lost) does not bury the report. Not
 * thread-safe: one per {@code check} call.
 */
final class CappedAnomalies {
  private final int perKindMax;
  private final List<Anomaly> listed = new ArrayList<>();
  private final Map<String, Integer> perKind = new TreeMap<>();
  private long suppressed;

  CappedAnomalies(int perKindMax) {
    if (perKindMax < 1) {
      throw new IllegalArgumentException("perKindMax must be >= 1: " + perKindMax);
    }
    this.perKindMax = perKindMax;
  }

  void add(Anomaly anomaly) {
    if (perKind.merge(anomaly.kind(), 1, Integer::sum) > perKindMax) {
      suppressed++;
      return;
    }
    listed.add(anomaly);
  }

  void add(String kind, String key, String description) {
    add(new Anomaly(kind, key, description));
  }

  List<Anomaly> listed() {
    return listed;
  }

  /** Anomalies found beyond the cap: counted, not listed. */
  long suppressed() {
    return suppressed;
  }
}
