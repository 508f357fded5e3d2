package io.pachyderm.replica;

import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.Delivery;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.TimerFire;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.util.ArrayList;
import java.util.List;

/**
 * One item of a batch that runs an entity's {@code handle} on the leader: a client command, the
 * delivery of an outbox message, or a timer fire. Immutable.
 */
public sealed interface WorkItem {
  /**
   * The entity that runs (the leader takes its lane); for a message or timer that is no longer
   * pending it is the source, and nothing runs.
   */
  EntityKey key();

  /** A client's command. */
  record ClientCommand(EntityKey key, Command command) implements WorkItem {}

  /** The delivery of {@code (source, seq)}; {@code message} is null when it is no longer pending. */
  record MessageDelivery(EntityKey key, Delivery delivery, PendingMessage message) implements WorkItem {}

  /** A timer fire; {@code timer} is null when that timer (with that seq) is no longer pending. */
  record TimerFiring(EntityKey key, TimerFire fire, PendingTimer timer) implements WorkItem {}

  /**
   * The items of {@code batch} in batch order (commands, deliveries, timer fires), with the
   * messages and timers they name looked up in {@code outbox} as applied now.
   */
  static List<WorkItem> of(CommandBatch batch, Outbox outbox) {
    List<WorkItem> work = new ArrayList<>();
    for (Command c : batch.getCommandsList()) {
      work.add(new ClientCommand(Protos.key(c.getRef()), c));
    }
    for (Delivery d : batch.getDeliveriesList()) {
      PendingMessage m = outbox.message(new Outbox.Id(Protos.key(d.getSource()), d.getSeq()));
      work.add(new MessageDelivery(Protos.key(m != null ? m.getTarget() : d.getSource()), d, m));
    }
    for (TimerFire f : batch.getTimerFiresList()) {
      PendingTimer t = outbox.timer(new TimerKey(Protos.key(f.getOwner()), f.getName()));
      if (t != null && t.getSeq() != f.getSeq()) {
        t = null;
      }
      work.add(new TimerFiring(Protos.key(t != null ? t.getTarget() : f.getOwner()), f, t));
    }
    return work;
  }
}
