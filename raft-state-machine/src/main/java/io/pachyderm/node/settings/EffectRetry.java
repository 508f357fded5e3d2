package io.pachyderm.node.settings;

import java.time.Duration;
import java.util.Objects;

/**
 * How the leader retries at-least-once effects: attempt {@code n} (1-based) that fails is retried
 * after {@code min(backoffMax, backoffMin * 2^(n-1))} (plus up to 20% jitter); attempt
 * {@code attemptsMax} that fails moves the effect to the dead-letter store. An attempt that has
 * not returned {@code attemptTimeout} after its handler started (waiting for one of the handler's
 * threads does not count) is a failed attempt, and its thread is interrupted; a handler that
 * ignores the interrupt keeps that thread, counted against its own handler's threads only
 * ({@link QueueLimits#effectHandlerThreadsMax()}). Backoffs and timeouts run on the monotonic clock.
 *
 * <p>Every node of a cluster should use the same policy; the leader's decides.
 */
public record EffectRetry(int attemptsMax, Duration backoffMin, Duration backoffMax, Duration attemptTimeout) {
  public static final EffectRetry DEFAULT = new EffectRetry(10, Duration.ofMillis(200), Duration.ofSeconds(30),
      Duration.ofSeconds(30));

  public EffectRetry {
    Objects.requireNonNull(backoffMin, "backoffMin");
    Objects.requireNonNull(backoffMax, "backoffMax");
    Objects.requireNonNull(attemptTimeout, "attemptTimeout");
    if (attemptsMax < 1) {
      throw new IllegalArgumentException("attemptsMax must be >= 1, got " + attemptsMax);
    }
    if (backoffMin.isNegative() || backoffMax.compareTo(backoffMin) < 0) {
      throw new IllegalArgumentException("need 0 <= backoffMin <= backoffMax, got " + backoffMin + ", " + backoffMax);
    }
    if (attemptTimeout.isNegative() || attemptTimeout.isZero()) {
      throw new IllegalArgumentException("attemptTimeout must be positive, got " + attemptTimeout);
    }
  }

  /** The pause after failed attempt {@code attempt} (1-based), before jitter. */
  public Duration backoffAfter(int attempt) {
    long min = backoffMin.toMillis();
    long ms = min << Math.min(Math.max(attempt - 1, 0), 30);
    if (ms < min) {
      ms = Long.MAX_VALUE;
    }
    return Duration.ofMillis(Math.min(ms, backoffMax.toMillis()));
  }
}
