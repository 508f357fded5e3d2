package io.pachyderm.simulation;

import io.pachyderm.api.RejectionKind;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityType;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.Rejection;
import io.pachyderm.runtime.CommandExecutor;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.EventFolder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The simulation's scheduler: what may happen next in an immutable {@link World} (deliveries,
 * timers, faults) and the world after one of them. A delivery runs through the node's own leader
 * step and replica ({@link ReplicaStep}); the rules are theirs, not repeated here. Deterministic:
 * the randomness a handler draws is seeded from the delivered item as on a node (request id, or the
 * source's outbox sequence number), time is the simulated clock.
 */
final class Engine {
  private Engine() {}

  /** What may happen next, in a fixed order (deliveries by id, then faults), so a schedule is a list of indices. */
  static List<Transition> enabled(World w, Rules rules, int faultsUsed) {
    List<Transition> out = new ArrayList<>();
    List<InFlight> deliverable = deliverable(w, rules);
    for (InFlight i : deliverable) {
      out.add(new Transition.Deliver(i));
    }
    boolean messagesPending = !deliverable.isEmpty();
    if (rules.timers() == Rules.TimerPolicy.ANY_TIME || !messagesPending) {
      List<InFlight> timers = new ArrayList<>(w.timersMap().values());
      timers.sort((x, y) -> x.dueMs() != y.dueMs() ? Long.compare(x.dueMs(), y.dueMs()) : Long.compare(x.id(), y.id()));
      for (InFlight t : timers) {
        out.add(new Transition.Deliver(t));
      }
    }
    if (faultsUsed < rules.faultsMax()) {
      for (InFlight i : deliverable) {
        if (i.kind() == InFlight.Kind.MESSAGE && rules.drops()) {
          out.add(new Transition.Drop(i));
        }
      }
      for (InFlight i : deliverable) {
        if (i.kind() == InFlight.Kind.MESSAGE && rules.duplicates()) {
          out.add(new Transition.Duplicate(i));
        }
      }
      if (rules.restarts()) {
        for (var e : w.entitiesMap().entrySet()) {
          if (e.getValue().version() > 0) {
            out.add(new Transition.Restart(e.getKey()));
          }
        }
      }
    }
    return out;
  }

  /**
   * Messages and commands that may be offered now: per (sender, receiver) only the oldest, unless
   * reordering, as the node's delivery pump offers them. The replica's outbox judges: it answers
   * RETRY to a message that is not the oldest of its pair, which {@link ReplicaStep} reports as a
   * scheduler bug.
   */
  static List<InFlight> deliverable(World w, Rules rules) {
    List<InFlight> out = new ArrayList<>();
    Set<List<EntityKey>> pairsSeen = new HashSet<>();
    for (InFlight i : w.inFlight()) {
      if (i.kind() == InFlight.Kind.MESSAGE && !rules.reorder() && !pairsSeen.add(Arrays.asList(i.from(), i.to()))) {
        continue;
      }
      out.add(i);
    }
    return out;
  }

  /** The entity a transition acts on: the receiver of a delivery, drop or duplicate; the restarted entity. */
  static EntityKey subject(Transition t) {
    if (t instanceof Transition.Deliver d) {
      return d.item().to();
    }
    if (t instanceof Transition.Drop d) {
      return d.item().to();
    }
    if (t instanceof Transition.Duplicate d) {
      return d.item().to();
    }
    return ((Transition.Restart) t).entity();
  }

  static boolean isFault(Transition t) {
    return !(t instanceof Transition.Deliver);
  }

  static Step apply(World w, Transition t, Rules rules) {
    if (t instanceof Transition.Deliver d) {
      return deliver(w, d.item(), rules, true, t);
    }
    if (t instanceof Transition.Duplicate d) {
      return deliver(w, d.item(), rules, false, t);
    }
    if (t instanceof Transition.Drop d) {
      List<InFlight> rest = new ArrayList<>(w.inFlight());
      rest.remove(d.item());
      World next = w.with(w.entitiesMap(), rest, w.timersMap(), w.effects(), w.outboxSeqsMap(), w.clockMs(), w.nextId());
      return new Step(t, next, "dropped", null, null, false, null, null);
    }
    return restart(w, (Transition.Restart) t);
  }

  private static Step restart(World w, Transition.Restart r) {
    EntityKey key = r.entity();
    EntityType<?, ?, ?> type = w.requireType(key);
    World.Slot slot = w.slot(key);
    Object initial = CommandExecutor.initialState(type, key.id());
    try {
      EventFolder.Folded folded = EventFolder.fold(type, initial, 0, slot.events());
      Encoded before = type.codec().encode(slot.state());
      Encoded after = type.codec().encode(folded.state());
      if (!Arrays.equals(before.data(), after.data())) {
        return failed(r, w, new Failure(Failure.Kind.NON_DETERMINISM, key, "restarting " + InFlight.ref(key)
            + " from its " + slot.events().size() + " events gives " + text(after) + ", it held " + text(before)));
      }
      TreeMap<EntityKey, World.Slot> entities = new TreeMap<>(w.entitiesMap());
      entities.put(key, new World.Slot(folded.state(), folded.version(), slot.events(), slot.received(), after));
      World next = w.with(entities, w.inFlight(), w.timersMap(), w.effects(), w.outboxSeqsMap(), w.clockMs(),
          w.nextId());
      return new Step(r, next, "restarted from " + slot.events().size() + " events", null, null, false, null, null);
    } catch (EventFolder.EventApplyException e) {
      return failed(r, w, new Failure(Failure.Kind.APPLY_FAILED, key, "restarting " + InFlight.ref(key) + ": "
          + e.getMessage()));
    }
  }

  /**
   * Delivers {@code item} through the node's leader step and replica ({@link ReplicaStep}) and
   * builds the next world from what the replica applied; {@code consume} is false for a
   * duplicated message, which stays in flight.
   */
  private static Step deliver(World w, InFlight item, Rules rules, boolean consume, Transition t) {
    long clockMs = item.kind() == InFlight.Kind.TIMER ? Math.max(w.clockMs(), item.dueMs()) : w.clockMs();
    EntityKey key = item.to();
    ReplicaStep.Ran ran;
    try {
      ran = ReplicaStep.run(w, item, rules, clockMs);
    } catch (EventFolder.EventApplyException e) {
      return failed(t, w, new Failure(Failure.Kind.NON_DETERMINISM, key, "events of " + item.describe()
          + " do not apply after a codec round trip: " + e.getMessage()));
    }
    EntityType<?, ?, ?> type = w.types().find(key.type());
    Rejection rejection = ran.rejection();
    if (rejection != null) {
      RejectionKind kind = ran.rejectionKind();
      Failure failure = switch (kind) {
        case HANDLER_FAILED, INVALID_DECISION, UNDECODABLE_PAYLOAD, TOO_LARGE ->
            new Failure(Failure.Kind.HANDLER_FAILED, key, rejection.getMessage());
        case APPLY_FAILED -> new Failure(Failure.Kind.APPLY_FAILED, key, rejection.getMessage());
        default -> null;
      };
      String outcome = "rejected (" + kind + "): " + rejection.getMessage();
      TreeMap<EntityKey, World.Slot> entities = w.entitiesMap();
      if (type != null) {
        World.Slot slot = w.slot(key);
        entities = new TreeMap<>(entities);
        entities.put(key, new World.Slot(slot.state(), slot.version(), slot.events(),
            World.plus(slot.received(), new World.Received(item, outcome)), slot.encodedState()));
      }
      World next = noteDraw(WorldSync.after(w, item, consume, ran, entities, w.effects(), clockMs), item, ran);
      return new Step(t, next, outcome, failure, null, false, kind, rejection.getMessage());
    }
    World.Slot slot = w.slot(key);
    Record record = ran.record();
    Object state = slot.state();
    long version = slot.version();
    Encoded encodedState = slot.encodedState();
    if (ran.speculated() != null) {
      // The replicas' path: decode the encoded events and fold them; it must land where handle's
      // own apply did, or replicas (and restarts) would disagree with the leader.
      Encoded viaHandle = type.codec().encode(ran.speculated().state());
      Encoded viaReplica = type.codec().encode(ran.applied().state());
      if (!Arrays.equals(viaHandle.data(), viaReplica.data())) {
        return failed(t, w, new Failure(Failure.Kind.NON_DETERMINISM, key, "apply over the same events gave "
            + text(viaHandle) + " on the leader and " + text(viaReplica) + " on a replica (after "
            + item.describe() + ")"));
      }
      state = ran.applied().state();
      version = ran.applied().version();
      encodedState = viaReplica;
    }
    List<Encoded> events = new ArrayList<>(slot.events());
    for (var p : record.getEventsList()) {
      events.add(Protos.encoded(p));
    }
    String outcome = "accepted: " + record.getEventsCount() + " event(s)"
        + (record.getMessagesCount() == 0 ? "" : ", " + record.getMessagesCount() + " message(s)")
        + (record.getTimersCount() == 0 ? "" : ", " + record.getTimersCount() + " timer op(s)")
        + (record.getEffectsCount() == 0 ? "" : ", " + record.getEffectsCount() + " effect(s)");
    TreeMap<EntityKey, World.Slot> entities = new TreeMap<>(w.entitiesMap());
    entities.put(key, new World.Slot(state, version, List.copyOf(events),
        World.plus(slot.received(), new World.Received(item, outcome)), encodedState));
    World next = noteDraw(WorldSync.after(w, item, consume, ran, entities, WorldSync.effects(w, type, ran), clockMs),
        item, ran);
    Object reply = null;
    boolean replyIsState = false;
    if (ran.outcome() != null && ran.outcome().getApplied().hasReply()) {
      reply = type.codec().decode(Protos.encoded(ran.outcome().getApplied().getReply()));
      replyIsState = ran.outcome().getApplied().getReplyIsState();
    }
    return new Step(t, next, outcome, null, reply, replyIsState, null, null);
  }

  /**
   * {@code next}, noting a draw of randomness by the handler of a message or timer: its seed came
   * from the item's outbox sequence number, so worlds that differ only there are not equal.
   */
  private static World noteDraw(World next, InFlight item, ReplicaStep.Ran ran) {
    return ran.randomDrawn() && item.kind() != InFlight.Kind.COMMAND ? next.withSeqSeededDraw() : next;
  }

  private static Step failed(Transition t, World w, Failure failure) {
    return new Step(t, w, "FAILED: " + failure.message(), failure, null, false, null, null);
  }

  private static String text(Encoded e) {
    return new String(e.data(), java.nio.charset.StandardCharsets.UTF_8);
  }
}
