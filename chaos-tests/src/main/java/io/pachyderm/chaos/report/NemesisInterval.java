package io.pachyderm.chaos.report;

import java.util.Objects;

/**
 * A window during which a nemesis fault was active.
 *
 * @param name what the fault was (for example {@code "partition-majority"}, {@code "kill n2"})
 * @param startNs when it began, in nanoseconds on the history's clock (relative to run start)
 * @param endNs when it was healed; {@code >= startNs}. A fault never healed ends at the end of
 *     the run.
 */
public record NemesisInterval(String name, long startNs, long endNs) {
  public NemesisInterval {
    Objects.requireNonNull(name, "name");
    if (endNs < startNs) {
      throw new IllegalArgumentException("endNs " + endNs + " before startNs " + startNs);
    }
  }

  /** True if {@code timeNs} falls in {@code [startNs, endNs)}. */
  public boolean contains(long timeNs) {
    return timeNs >= startNs && timeNs < endNs;
  }
}
