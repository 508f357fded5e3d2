package io.pachyderm.entity;

import java.util.Objects;

/**
 * A side effect described as data: the name of a registered {@link EffectHandler} and the value
 * it receives. Effects are written into the log entry with the events and dispatched after commit
 * by the leader that appended the entry, at most once.
 */
public record Effect(String handler, Object payload) {
  public Effect {
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(payload, "payload");
    if (handler.isBlank()) {
      throw new IllegalArgumentException("effect handler name must not be blank");
    }
  }
}
