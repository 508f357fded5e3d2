package io.pachyderm.examples.testkit;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.EntityRef;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A {@link Context} for calling {@code handle} directly: the entity's id, the clock and the
 * sender are whatever the test says.
 */
public record TestContext(String id, long version, Instant now, EntityRef<Object, Object> senderRef)
    implements Context {

  /** A command from a client (no sender) to {@code id}, at a fixed instant. */
  public static TestContext client(String id) {
    return new TestContext(id, 0, Instant.parse("2026-01-01T00:00:00Z"), null);
  }

  /** The same command, sent by the entity {@code type}/{@code senderId} instead. */
  public TestContext from(String type, String senderId) {
    return new TestContext(id, version, now, EntityRef.of(type, senderId));
  }

  /** The same context with the clock at {@code at}. */
  public TestContext at(Instant at) {
    return new TestContext(id, version, at, senderRef);
  }

  @Override
  public String ecosystem() {
    return "test";
  }

  @Override
  public RandomGenerator random() {
    return new SplittableRandom(42);
  }

  @Override
  public Optional<EntityRef<Object, Object>> sender() {
    return Optional.ofNullable(senderRef);
  }
}
