package io.pachyderm.bench.statestore;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What one run of the state-store benchmark does, validated at once. Immutable.
 *
 * @param stores the stores measured, side by side, in table order
 * @param parts which measurements: {@code many} (table 1), {@code snapshots} (tables 2 and 3's
 *     restart), {@code install} (table 3's install)
 * @param manyEntities counters created in the small-heap run
 * @param counts entity counts of the snapshot, restart and install runs
 * @param manyHeap {@code -Xmx} of the small-heap run's child, e.g. {@code 512m}
 * @param countsHeap {@code -Xmx} of the other children
 * @param callers concurrent blocking callers in every child
 * @param stallSeconds the watchdog's limit: no call completed for this long kills a child
 * @param snapshotEntries the node's snapshot threshold (log entries) in the latency run
 * @param snapshotsMin snapshots the latency run must cross
 * @param latencyCallsMin calls the latency run makes at least
 * @param latencySecondsMax the latency run's time limit (it reports fewer snapshots when it hits it)
 */
record Plan(List<StoreKind> stores, Set<String> parts, long manyEntities, List<Long> counts, String manyHeap,
            String countsHeap, int callers, long stallSeconds, long snapshotEntries, int snapshotsMin,
            long latencyCallsMin, long latencySecondsMax) {
  static final Set<String> PARTS = Set.of("many", "snapshots", "install");
  static final long FULL_ENTITIES = 10_000_000;
  static final long QUICK_ENTITIES = 100_000;
  static final List<Long> FULL_COUNTS = List.of(10_000L, 1_000_000L, 10_000_000L);
  static final List<Long> QUICK_COUNTS = List.of(10_000L, 100_000L);

  Plan {
    stores = List.copyOf(stores);
    parts = Set.copyOf(parts);
    counts = List.copyOf(counts);
    if (stores.isEmpty()) {
      throw new IllegalArgumentException("--store: at least one state store");
    }
    for (String p : parts) {
      if (!PARTS.contains(p)) {
        throw new IllegalArgumentException("--parts: unknown part '" + p + "'; known: many, snapshots, install");
      }
    }
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("--parts: at least one of many, snapshots, install");
    }
    if (manyEntities < 1) {
      throw new IllegalArgumentException("--entities must be >= 1: " + manyEntities);
    }
    for (long c : counts) {
      if (c < 1) {
        throw new IllegalArgumentException("--counts: every count must be >= 1: " + c);
      }
    }
    if (counts.isEmpty()) {
      throw new IllegalArgumentException("--counts: at least one entity count");
    }
    requireHeap("--heap", manyHeap);
    requireHeap("--counts-heap", countsHeap);
    if (callers < 1 || callers > 64) {
      throw new IllegalArgumentException("--callers must be 1..64 (the client's outstanding requests): " + callers);
    }
    if (stallSeconds < 1 || snapshotEntries < 1 || snapshotsMin < 1 || latencyCallsMin < 1 || latencySecondsMax < 1) {
      throw new IllegalArgumentException("--stall-seconds, --snapshot-entries, --snapshots-min, --latency-calls-min"
          + " and --latency-seconds-max must be >= 1");
    }
  }

  private static void requireHeap(String flag, String heap) {
    if (heap == null || !heap.matches("[1-9][0-9]*[kKmMgG]?")) {
      throw new IllegalArgumentException(flag + " '" + heap + "': a JVM heap size such as 512m or 2g");
    }
  }

  /**
   * Entity counts from a comma-separated list; each a number with an optional {@code k} (x1,000)
   * or {@code M} (x1,000,000) suffix, e.g. {@code 10k,1M,10M}.
   */
  static List<Long> parseCounts(List<String> values) {
    List<Long> counts = new ArrayList<>();
    for (String raw : values) {
      String v = raw.trim().toLowerCase(Locale.ROOT).replace("_", "");
      long unit = 1;
      if (v.endsWith("k")) {
        unit = 1_000;
        v = v.substring(0, v.length() - 1);
      } else if (v.endsWith("m")) {
        unit = 1_000_000;
        v = v.substring(0, v.length() - 1);
      }
      try {
        counts.add(Math.multiplyExact(Long.parseLong(v), unit));
      } catch (NumberFormatException | ArithmeticException e) {
        throw new IllegalArgumentException("--counts: '" + raw + "' is not an entity count (e.g. 10000, 10k, 1M)");
      }
    }
    return counts;
  }

  boolean has(String part) {
    return parts.contains(part);
  }
}
