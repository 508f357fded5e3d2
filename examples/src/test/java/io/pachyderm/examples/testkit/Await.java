package io.pachyderm.examples.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Bounded polling for what arrives by message: the condition is checked every
 * {@link #POLL_INTERVAL}, and not holding by the deadline fails with what was awaited and what
 * was last seen. The deadline is generous on purpose: it bounds a broken run, it does not measure.
 */
public final class Await {
  public static final Duration DEADLINE_DEFAULT = Duration.ofSeconds(60);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(20);

  private Await() {}

  /** Polls until {@code condition} holds, up to {@link #DEADLINE_DEFAULT}; {@code seen} describes the failure. */
  public static void until(String what, BooleanSupplier condition, Supplier<?> seen) {
    long deadlineNs = System.nanoTime() + DEADLINE_DEFAULT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadlineNs > 0) {
        throw new AssertionError("not within " + DEADLINE_DEFAULT.toSeconds() + " s: " + what + "; last seen: "
            + seen.get());
      }
      try {
        Thread.sleep(POLL_INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what, e);
      }
    }
  }
}
