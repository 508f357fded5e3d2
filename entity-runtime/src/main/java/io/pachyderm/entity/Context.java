package io.pachyderm.entity;

import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * What {@link Entity#handle} may know besides the command and state. Time and randomness come
 * from here so that they are decided once, on the leader, and recorded in the log through the
 * events they produce; replicas never re-run {@code handle}.
 */
public interface Context {

  /** The entity's id (the second half of its reference). */
  String id();

  /** The ecosystem the entity lives in. */
  String ecosystem();

  /** Number of events applied to the entity before this command (0 for a fresh entity). */
  long version();

  /** The leader's clock when the command was handled; recorded in the log entry. */
  Instant now();

  /** A generator seeded from the request id, so a re-run of the same request draws the same values. */
  RandomGenerator random();

  /**
   * The entity that sent this command with {@link Decision#send}; empty for commands from clients
   * and timers. Reply to it with {@code Decision.message(ctx.sender().orElseThrow(), ...)}.
   */
  default Optional<EntityRef<Object, Object>> sender() {
    return Optional.empty();
  }
}
