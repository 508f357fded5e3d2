package io.pachyderm.entity;

import java.util.Objects;

/**
 * A command addressed to another entity of the same ecosystem (the seed's {@code {address,
 * message}}), produced by {@link Decision#send}. Delivered exactly once, after the sending
 * command commits; messages from one sender to one receiver arrive in the order they were sent.
 */
public record Envelope(EntityRef<?, ?> to, Object command) {
  public Envelope {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(command, "command");
  }
}
