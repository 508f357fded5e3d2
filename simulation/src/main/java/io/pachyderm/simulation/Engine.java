package io.pachyderm.simulation;

import io.pachyderm.api.RejectionKind;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityType;
import io.pachyderm.runtime.CommandExecutor;
import io.pachyderm.runtime.EncodedEffect;
import io.pachyderm.runtime.EncodedMessage;
import io.pachyderm.runtime.EncodedTimer;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import io.pachyderm.runtime.EventFolder;
import io.pachyderm.runtime.Execution;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The simulation's one step: the same {@link CommandExecutor} and {@link EventFolder} the nodes
 * run, applied to an immutable {@link World}. Deterministic: the randomness a handler draws is
 * seeded from the delivered item, time is the simulated clock.
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

  /** Messages and commands that may be delivered now: per (sender, receiver) only the oldest, unless reordering. */
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
      World next = w.with(w.entitiesMap(), rest, w.timersMap(), w.effects(), w.clockMs(), w.nextId());
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
      World next = w.with(entities, w.inFlight(), w.timersMap(), w.effects(), w.clockMs(), w.nextId());
      return new Step(r, next, "restarted from " + slot.events().size() + " events", null, null, false, null, null);
    } catch (EventFolder.EventApplyException e) {
      return failed(r, w, new Failure(Failure.Kind.APPLY_FAILED, key, "restarting " + InFlight.ref(key) + ": "
          + e.getMessage()));
    }
  }

  private static Step deliver(World w, InFlight item, Rules rules, boolean consume, Transition t) {
    List<InFlight> inFlight = new ArrayList<>(w.inFlight());
    TreeMap<TimerKey, InFlight> timers = w.timersMap();
    if (consume) {
      if (item.kind() == InFlight.Kind.TIMER) {
        timers = new TreeMap<>(timers);
        timers.remove(new TimerKey(item.from(), item.timerName()));
      } else {
        inFlight.remove(item);
      }
    }
    long clockMs = item.kind() == InFlight.Kind.TIMER ? Math.max(w.clockMs(), item.dueMs()) : w.clockMs();
    EntityKey key = item.to();
    EntityType<?, ?, ?> type = w.types().find(key.type());
    if (type == null) {
      String why = "no entity type '" + key.type() + "'; registered: " + w.types().names();
      return rejectedStep(t, w, key, item, inFlight, timers, clockMs, RejectionKind.UNKNOWN_ENTITY_TYPE, why, null);
    }
    World.Slot slot = w.slot(key);
    CommandExecutor.Request request = new CommandExecutor.Request(key, item.command(), clockMs, seed(item), true,
        item.kind() == InFlight.Kind.MESSAGE ? item.from() : null);
    Execution execution = CommandExecutor.execute(type, slot.state(), slot.version(), request,
        name -> rules.effectHandlers() == null || rules.effectHandlers().contains(name), w.types());
    if (execution instanceof Execution.Rejected r) {
      Failure failure = switch (r.kind()) {
        case HANDLER_FAILED, INVALID_DECISION, UNDECODABLE_PAYLOAD, TOO_LARGE ->
            new Failure(Failure.Kind.HANDLER_FAILED, key, r.message());
        case APPLY_FAILED -> new Failure(Failure.Kind.APPLY_FAILED, key, r.message());
        default -> null;
      };
      return rejectedStep(t, w, key, item, inFlight, timers, clockMs, r.kind(), r.message(), failure);
    }
    Execution.Accepted a = (Execution.Accepted) execution;
    // The replicas' path: decode the encoded events and fold them; it must land where handle's
    // own apply did, or replicas (and restarts) would disagree with the leader.
    EventFolder.Folded folded;
    try {
      folded = EventFolder.fold(type, slot.state(), slot.version(), a.events());
    } catch (EventFolder.EventApplyException e) {
      return failed(t, w, new Failure(Failure.Kind.NON_DETERMINISM, key, "events of " + item.describe()
          + " do not apply after a codec round trip: " + e.getMessage()));
    }
    Encoded viaHandle = type.codec().encode(a.newState());
    Encoded viaReplica = type.codec().encode(folded.state());
    if (!Arrays.equals(viaHandle.data(), viaReplica.data())) {
      return failed(t, w, new Failure(Failure.Kind.NON_DETERMINISM, key, "apply over the same events gave "
          + text(viaHandle) + " on the leader and " + text(viaReplica) + " on a replica (after " + item.describe() + ")"));
    }
    long nextId = w.nextId();
    for (EncodedMessage m : a.messages()) {
      inFlight.add(new InFlight(nextId++, InFlight.Kind.MESSAGE, key, m.to(), m.command(), null, 0));
    }
    for (EncodedTimer timer : a.timers()) {
      if (timers == w.timersMap()) {
        timers = new TreeMap<>(timers);
      }
      TimerKey tk = new TimerKey(key, timer.name());
      if (timer.cancel()) {
        timers.remove(tk);
      } else {
        timers.put(tk, new InFlight(nextId++, InFlight.Kind.TIMER, key, timer.target(), timer.command(),
            timer.name(), timer.dueMs()));
      }
    }
    List<World.CapturedEffect> effects = new ArrayList<>(w.effects());
    for (EncodedEffect e : a.effects()) {
      effects.add(new World.CapturedEffect(key, folded.version(), e.handler(), type.codec().decode(e.payload()),
          e.atLeastOnce()));
    }
    List<Encoded> events = new ArrayList<>(slot.events());
    events.addAll(a.events());
    String outcome = "accepted: " + a.events().size() + " event(s)"
        + (a.messages().isEmpty() ? "" : ", " + a.messages().size() + " message(s)")
        + (a.timers().isEmpty() ? "" : ", " + a.timers().size() + " timer op(s)")
        + (a.effects().isEmpty() ? "" : ", " + a.effects().size() + " effect(s)");
    TreeMap<EntityKey, World.Slot> entities = new TreeMap<>(w.entitiesMap());
    entities.put(key, new World.Slot(folded.state(), folded.version(), List.copyOf(events),
        World.plus(slot.received(), new World.Received(item, outcome)), viaReplica));
    World next = w.with(entities, inFlight, timers, effects, clockMs, nextId);
    Object reply = a.reply() == null ? null : type.codec().decode(a.reply());
    return new Step(t, next, outcome, null, reply, a.replyIsState(), null, null);
  }

  private static Step rejectedStep(Transition t, World w, EntityKey key, InFlight item, List<InFlight> inFlight,
                                   TreeMap<TimerKey, InFlight> timers, long clockMs, RejectionKind kind,
                                   String message, Failure failure) {
    String outcome = "rejected (" + kind + "): " + message;
    TreeMap<EntityKey, World.Slot> entities = w.entitiesMap();
    if (w.types().find(key.type()) != null) {
      World.Slot slot = w.slot(key);
      entities = new TreeMap<>(entities);
      entities.put(key, new World.Slot(slot.state(), slot.version(), slot.events(),
          World.plus(slot.received(), new World.Received(item, outcome)), slot.encodedState()));
    }
    World next = w.with(entities, inFlight, timers, w.effects(), clockMs, w.nextId());
    return new Step(t, next, outcome, failure, null, false, kind, message);
  }

  private static Step failed(Transition t, World w, Failure failure) {
    return new Step(t, w, "FAILED: " + failure.message(), failure, null, false, null, null);
  }

  private static String text(Encoded e) {
    return new String(e.data(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Handler randomness per delivery: a function of what is delivered, not of when. */
  private static long seed(InFlight item) {
    long h = 0x9E3779B97F4A7C15L;
    for (byte b : item.command().data()) {
      h = (h ^ b) * 0x100000001B3L;
    }
    h ^= item.to().hashCode() * 0xC2B2AE3D27D4EB4FL;
    return h ^ (item.from() == null ? 0 : item.from().hashCode());
  }
}
