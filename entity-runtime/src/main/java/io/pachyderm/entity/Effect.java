package io.pachyderm.entity;

import java.util.Objects;

/**
 * A side effect described as data: the name of a registered {@link EffectHandler}, the value it
 * receives, and the delivery guarantee. Effects are written into the log entry with the events and
 * dispatched only after commit, only by a leader, never on the apply path.
 */
public record Effect(String handler, Object payload, EffectGuarantee guarantee) {
  public Effect {
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(guarantee, "guarantee");
    if (handler.isBlank()) {
      throw new IllegalArgumentException("effect handler name must not be blank");
    }
  }

  /** An at-most-once effect (the default). */
  public Effect(String handler, Object payload) {
    this(handler, payload, EffectGuarantee.AT_MOST_ONCE);
  }
}
