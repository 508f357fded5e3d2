package io.pachyderm.runtime;

import java.util.Comparator;
import java.util.Objects;

/** A durable timer's identity: the entity that owns it and its name. Ordered for deterministic iteration. */
public record TimerKey(EntityKey owner, String name) implements Comparable<TimerKey> {
  private static final Comparator<TimerKey> ORDER = Comparator.comparing(TimerKey::owner)
      .thenComparing(TimerKey::name);

  public TimerKey {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(name, "name");
  }

  @Override
  public int compareTo(TimerKey o) {
    return ORDER.compare(this, o);
  }
}
