package io.pachyderm.simulation;

import io.pachyderm.runtime.EntityKey;

/** One thing that can happen next in a world: a delivery, or (with faults enabled) a fault. */
public sealed interface Transition {
  String describe();

  /** Deliver an in-flight command, message or timer to its entity. */
  record Deliver(InFlight item) implements Transition {
    @Override
    public String describe() {
      return "deliver " + item.describe();
    }
  }

  /** Lose an in-flight message. */
  record Drop(InFlight item) implements Transition {
    @Override
    public String describe() {
      return "DROP " + item.describe();
    }
  }

  /** Deliver a message and leave a copy in flight. */
  record Duplicate(InFlight item) implements Transition {
    @Override
    public String describe() {
      return "DUPLICATE " + item.describe();
    }
  }

  /** Restart an entity: its state is rebuilt from its events, which must give the same state. */
  record Restart(EntityKey entity) implements Transition {
    @Override
    public String describe() {
      return "RESTART " + InFlight.ref(entity);
    }
  }
}
