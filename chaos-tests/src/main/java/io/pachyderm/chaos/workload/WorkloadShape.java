package io.pachyderm.chaos.workload;

import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;

/**
 * The shape of a built-in workload beyond its kind: how many entities it addresses and what share
 * of its operations are reads. What is not set keeps the workload's default. The client rate and
 * concurrency are the run's ({@code --rate}, {@code --concurrency}), not the workload's.
 *
 * <p>{@code keys}: N fixed entities ({@code <prefix>0} .. {@code <prefix>N-1}) for the whole run,
 * instead of the default of four active keys, each retired after 150–300 operations. Fixed keys
 * give long per-key histories; the linearizability search (register, counter) grows with them and
 * may end as UNKNOWN (search budget exceeded) on long runs with few keys.
 *
 * <p>{@code readFraction}: the share of operations that are reads, 0 to 1 (defaults: register
 * 0.5, append, counter, effects and effects-alo 0.3).
 *
 * <p>Accepted by register, counter, append, effects and effects-alo; bank (eight accounts) and
 * follow (three logs, nine followers) have a fixed shape and reject both. Immutable.
 */
public record WorkloadShape(OptionalInt keys, OptionalDouble readFraction) {
  /** Entities one workload addresses at most. */
  public static final int KEYS_MAX = 10_000;
  public static final WorkloadShape DEFAULT = new WorkloadShape(OptionalInt.empty(), OptionalDouble.empty());

  public WorkloadShape {
    if (keys.isPresent() && (keys.getAsInt() < 1 || keys.getAsInt() > KEYS_MAX)) {
      throw new IllegalArgumentException("keys must be 1.." + KEYS_MAX + ": " + keys.getAsInt());
    }
    if (readFraction.isPresent() && !(readFraction.getAsDouble() >= 0 && readFraction.getAsDouble() <= 1)) {
      throw new IllegalArgumentException("read fraction must be between 0 and 1: " + readFraction.getAsDouble());
    }
  }

  /** This shape with {@code keys} fixed entities. */
  public WorkloadShape withKeys(int keys) {
    return new WorkloadShape(OptionalInt.of(keys), readFraction);
  }

  /** This shape with {@code readFraction} of the operations reads. */
  public WorkloadShape withReadFraction(double readFraction) {
    return new WorkloadShape(keys, OptionalDouble.of(readFraction));
  }

  public boolean isDefault() {
    return keys.isEmpty() && readFraction.isEmpty();
  }

  /** For reports: {@code 5 fixed keys, 10% reads}, or {@code default}. */
  public String describe() {
    if (isDefault()) {
      return "default";
    }
    String k = keys.isPresent() ? keys.getAsInt() + " fixed keys" : "rotating keys";
    String r = readFraction.isPresent() ? ", " + Math.round(readFraction.getAsDouble() * 100) + "% reads" : "";
    return k + r;
  }

  /** The key pool: fixed keys when set, else {@code activeKeys} rotating ones. */
  KeyPool keyPool(String prefix, int activeKeys, int opsPerKeyMax) {
    return keys.isPresent() ? KeyPool.fixed(prefix, keys.getAsInt()) : new KeyPool(prefix, activeKeys, opsPerKeyMax);
  }

  /**
   * Whether the next operation writes (appends, adds). With no read fraction set, draws exactly
   * as the workloads always have ({@code nextInt(10) < writeTenths}), so that old seeds generate
   * the same operations.
   */
  boolean nextIsWrite(RandomGenerator random, int writeTenths) {
    if (readFraction.isEmpty()) {
      return random.nextInt(10) < writeTenths;
    }
    return random.nextDouble() >= readFraction.getAsDouble();
  }
}
