package io.pachyderm.chaos.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The keys a workload addresses: a few active at a time, each retired after a fixed number of
 * operations and replaced by a fresh one (Jepsen's "independent" keys). Many processes contend on
 * each active key, which is what exposes anomalies, while every key's history stays short enough
 * for the linearizability search, whose cost grows with the operations of one key.
 *
 * <p>Thread-safe.
 */
final class KeyPool {
  private final String prefix;
  private final int opsPerKeyMax;
  private final String[] active;
  private final int[] used;
  private final List<String> all = new ArrayList<>();
  private int nextId;

  KeyPool(String prefix, int activeKeys, int opsPerKeyMax) {
    if (activeKeys < 1 || opsPerKeyMax < 1) {
      throw new IllegalArgumentException("activeKeys and opsPerKeyMax must be >= 1");
    }
    this.prefix = prefix;
    this.opsPerKeyMax = opsPerKeyMax;
    this.active = new String[activeKeys];
    this.used = new int[activeKeys];
    for (int i = 0; i < activeKeys; i++) {
      active[i] = fresh();
    }
  }

  /** {@code keys} keys ({@code <prefix>0} ..) for the whole run, never retired. */
  static KeyPool fixed(String prefix, int keys) {
    return new KeyPool(prefix, keys, Integer.MAX_VALUE);
  }

  /** A key for one more operation. */
  synchronized String next(RandomGenerator random) {
    int slot = random.nextInt(active.length);
    String key = active[slot];
    if (++used[slot] >= opsPerKeyMax) {
      active[slot] = fresh();
      used[slot] = 0;
    }
    return key;
  }

  /** Every key handed out or prepared so far, in creation order. */
  synchronized List<String> all() {
    return List.copyOf(all);
  }

  private String fresh() {
    String key = prefix + nextId++;
    all.add(key);
    return key;
  }
}
