package io.pachyderm.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.Reply;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.Delivery;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Protos.RequestKey;
import io.pachyderm.protocol.RequestId;
import io.pachyderm.protocol.TimerFire;
import io.pachyderm.replica.Applied;
import io.pachyderm.replica.Decider;
import io.pachyderm.replica.HeapStateStore;
import io.pachyderm.replica.Outbox;
import io.pachyderm.replica.Replica;
import io.pachyderm.replica.ReplicatedTableLimits;
import io.pachyderm.replica.Versioned;
import io.pachyderm.replica.WorkItem;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The same scenario through the {@link Simulation} and through the node's {@link Decider} and
 * {@link Replica} driven by hand, as a node's leader and pumps would: a message its receiver
 * rejects (consumed, nothing applied, later messages of the pair still delivered in order), a timer
 * replaced by a newer one of the same name (only the newer fires), a timer cancelled, effects of
 * both guarantees, a rejected client command. Every outcome, every entity's state and version, the
 * effects and the timers left must be the same: a simulation with rules of its own that differ
 * from the node's fails here.
 */
class SimulationAgreesWithReplicaTest {
  record Box(List<Long> stored) {}

  sealed interface BoxCommand permits Put, Send, Arm, Disarm {}

  /** Stores {@code n}; a negative one is rejected; 7 also produces an effect of each guarantee. */
  record Put(long n) implements BoxCommand {}

  /** Sends a {@link Put} of each value to {@code to}, in order. */
  record Send(String to, List<Long> values) implements BoxCommand {}

  /** Schedules (or replaces) timer {@code name}: a {@link Put} of {@code n} to itself after {@code delayMs}. */
  record Arm(String name, long delayMs, long n) implements BoxCommand {}

  record Disarm(String name) implements BoxCommand {}

  sealed interface BoxEvent permits Stored {}

  record Stored(long n) implements BoxEvent {}

  record Notice(long n) {}

  static final class BoxEntity implements Entity<Box, BoxCommand, BoxEvent> {
    @Override
    public Box initial(String id) {
      return new Box(List.of());
    }

    @Override
    public Decision<BoxEvent> handle(BoxCommand command, Box state, Context ctx) {
      if (command instanceof Put p) {
        if (p.n() < 0) {
          return Decision.reject("cannot store " + p.n() + ": negative");
        }
        Decision<BoxEvent> d = Decision.<BoxEvent>emit(new Stored(p.n())).reply(new Notice(state.stored().size() + 1));
        if (p.n() == 7) {
          // Guarantees interleaved: the replica numbers them in record order, whichever list they land in.
          d = d.effect("notify", new Notice(p.n())).effectAtLeastOnce("log", new Notice(-p.n()))
              .effect("audit", new Notice(p.n() * 2));
        }
        return d;
      }
      if (command instanceof Send s) {
        Decision<BoxEvent> d = Decision.none();
        for (long v : s.values()) {
          d = d.send(TYPE.ref(s.to()), new Put(v));
        }
        return d;
      }
      if (command instanceof Arm a) {
        return Decision.<BoxEvent>none().schedule(a.name(), Duration.ofMillis(a.delayMs()), new Put(a.n()));
      }
      return Decision.<BoxEvent>none().cancelTimer(((Disarm) command).name());
    }

    @Override
    public Box apply(BoxEvent event, Box state) {
      List<Long> stored = new ArrayList<>(state.stored());
      stored.add(((Stored) event).n());
      return new Box(List.copyOf(stored));
    }
  }

  static final EntityType<Box, BoxCommand, BoxEvent> TYPE =
      EntityType.builder("box", new BoxEntity(), Box.class, BoxCommand.class, BoxEvent.class)
          .types(Notice.class).build();
  static final EntityTypes TYPES = EntityTypes.of(TYPE);
  static final String ECOSYSTEM = "agree";

  /** One step of the scenario: a client call, or moving the clock. */
  record Call(String id, BoxCommand command) {}

  static final List<Object> SCENARIO = List.of(
      new Call("a", new Send("b", List.of(1L, -2L, 3L))),
      new Call("b", new Arm("t", 100, 10)),
      new Call("b", new Arm("t", 50, 20)),
      new Call("b", new Arm("u", 30, 30)),
      new Call("b", new Disarm("u")),
      new Call("b", new Put(7)),
      new Call("a", new Put(-1)),
      Duration.ofMillis(40),
      new Call("a", new Send("b", List.of(4L))),
      Duration.ofMillis(200));

  @Test
  void theSimulationAndTheReplicaCoreReachTheSameOutcomesStatesEffectsAndTimers() {
    Observed simulated = simulate();
    Observed direct = new Node().run();

    assertThat(simulated.outcomes()).isEqualTo(direct.outcomes());
    assertThat(simulated.entities()).isEqualTo(direct.entities());
    assertThat(simulated.effects()).isEqualTo(direct.effects());
    assertThat(simulated.timers()).isEqualTo(direct.timers());
    assertThat(simulated.messagesRejected()).isEqualTo(direct.messagesRejected());
    // The scenario does exercise each rule (so that the comparison cannot pass vacuously):
    assertThat(direct.entities().get("b")).as("rejected message consumed, order kept, timer t fired once as replaced")
        .isEqualTo("v5 {\"stored\":[1,3,7,4,20]}");
    assertThat(direct.messagesRejected()).isEqualTo(1);
    assertThat(direct.outcomes()).contains("rejected REJECTED_BY_ENTITY: cannot store -1: negative");
    assertThat(direct.effects()).hasSize(3);
    assertThat(direct.timers()).isEmpty();
  }

  /**
   * What a run produced, as text.
   *
   * @param outcomes each call's outcome: {@code applied v3 reply 2} or {@code rejected KIND: message}
   * @param entities each touched entity's version and encoded state, by id
   * @param effects {@code source@version handler payload (alo)}, in the order produced
   * @param timers pending timers, {@code owner/name due}
   */
  record Observed(List<String> outcomes, Map<String, String> entities, List<String> effects, List<String> timers,
                  long messagesRejected) {}

  private static Observed simulate() {
    Simulation sim = Simulation.builder(TYPES).ecosystem(ECOSYSTEM).seed(3).build();
    List<String> outcomes = new ArrayList<>();
    for (Object step : SCENARIO) {
      if (step instanceof Duration d) {
        sim.advance(d);
        continue;
      }
      Call c = (Call) step;
      try {
        Reply<Box> reply = sim.call(TYPE.ref(c.id()), c.command());
        outcomes.add("applied v" + reply.version() + " reply " + reply.value());
      } catch (CommandRejectedException e) {
        outcomes.add("rejected " + e.kind() + ": " + e.detail());
      }
    }
    World w = sim.world();
    Map<String, String> entities = new TreeMap<>();
    for (String id : List.of("a", "b")) {
      EntityRef<Box, BoxCommand> ref = TYPE.ref(id);
      entities.put(id, "v" + w.version(ref) + " " + text(TYPE.codec().encode(w.state(ref))));
    }
    List<String> effects = new ArrayList<>();
    for (World.CapturedEffect e : w.effects()) {
      effects.add(e.source().id() + "@" + e.version() + " " + e.handler() + " " + e.payload() + (e.atLeastOnce()
          ? " alo" : ""));
    }
    List<String> timers = new ArrayList<>();
    for (InFlight t : w.timers()) {
      timers.add(t.from().id() + "/" + t.timerName() + " " + t.dueMs());
    }
    long messagesRejected = 0;
    for (Step s : sim.steps()) {
      if (s.transition() instanceof Transition.Deliver d && d.item().kind() == InFlight.Kind.MESSAGE
          && s.rejection() != null) {
        messagesRejected++;
      }
    }
    return new Observed(outcomes, entities, effects, timers, messagesRejected);
  }

  /**
   * The node's replica core driven as the node drives it: a client command is a one-record entry
   * the leader decides on the applied state; then the delivery pump proposes the oldest pending
   * message of any pair, and the timer pump a timer due by the clock, one entry each, until none
   * is left. Loops are bounded.
   */
  private static final class Node implements Decider.WorkingState {
    private static final int STEPS_MAX = 1_000;
    private final Replica replica = new Replica("direct", TYPES, new HeapStateStore(), 1_000,
        ReplicatedTableLimits.DEFAULT, false);
    private final Decider decider = new Decider("direct", TYPES, name -> true, 1 << 20, 8 << 20);
    private final List<String> effects = new ArrayList<>();
    private long index;
    private long clockMs;

    Observed run() {
      List<String> outcomes = new ArrayList<>();
      for (Object step : SCENARIO) {
        if (step instanceof Duration d) {
          advance(d.toMillis());
          continue;
        }
        Call c = (Call) step;
        EntityKey key = new EntityKey(ECOSYSTEM, TYPE.name(), c.id());
        Command command = Command.newBuilder()
            .setRequestId(RequestId.newBuilder().setClientHi(1).setSequence(++index))
            .setRef(Protos.ref(key)).setPayload(Protos.payload(TYPE.codec().encode(c.command())))
            .setReplyWanted(true).build();
        Outcome outcome = apply(new WorkItem.ClientCommand(key, command)).reply().getOutcomes(0);
        if (outcome.hasRejected()) {
          outcomes.add("rejected " + Protos.kind(outcome.getRejected().getKind()) + ": "
              + outcome.getRejected().getMessage());
        } else {
          Object reply = outcome.getApplied().hasReply()
              ? TYPE.codec().decode(Protos.encoded(outcome.getApplied().getReply())) : null;
          outcomes.add("applied v" + outcome.getApplied().getVersion() + " reply " + reply);
        }
        pump();
      }
      Map<String, String> entities = new TreeMap<>();
      for (String id : List.of("a", "b")) {
        Versioned v = replica.get(new EntityKey(ECOSYSTEM, TYPE.name(), id));
        Box state = v == null ? TYPE.entity().initial(id) : (Box) v.state();
        entities.put(id, "v" + (v == null ? 0 : v.version()) + " " + text(TYPE.codec().encode(state)));
      }
      List<String> timers = new ArrayList<>();
      for (Map.Entry<TimerKey, PendingTimer> t : replica.outbox().timers()) {
        timers.add(t.getKey().owner().id() + "/" + t.getKey().name() + " " + t.getValue().getDueMs());
      }
      return new Observed(outcomes, entities, effects, timers, replica.messagesRejected());
    }

    /** As the simulation's advance: fire each timer due on the way at its due time, then settle. */
    private void advance(long ms) {
      long target = clockMs + ms;
      for (int i = 0; i < STEPS_MAX; i++) {
        PendingTimer earliest = null;
        for (Map.Entry<TimerKey, PendingTimer> t : replica.outbox().timers()) {
          if (t.getValue().getDueMs() <= target && (earliest == null || t.getValue().getDueMs() < earliest.getDueMs())) {
            earliest = t.getValue();
          }
        }
        if (earliest == null) {
          clockMs = target;
          return;
        }
        clockMs = Math.max(clockMs, earliest.getDueMs());
        pump();
      }
      throw new AssertionError("timers kept coming due");
    }

    /** The delivery and timer pumps, one item per entry, until nothing is left to do now. */
    private void pump() {
      for (int i = 0; i < STEPS_MAX; i++) {
        WorkItem next = nextWork();
        if (next == null) {
          return;
        }
        apply(next);
      }
      throw new AssertionError("the pumps did not settle within " + STEPS_MAX + " entries");
    }

    private WorkItem nextWork() {
      Outbox outbox = replica.outbox();
      for (Map.Entry<Outbox.Id, PendingMessage> m : outbox.messages()) {
        if (outbox.isNextOfItsPair(m.getKey(), m.getValue())) {
          Delivery delivery = Delivery.newBuilder().setSource(m.getValue().getSource()).setSeq(m.getKey().seq()).build();
          return new WorkItem.MessageDelivery(Protos.key(m.getValue().getTarget()), delivery, m.getValue());
        }
      }
      for (Map.Entry<TimerKey, PendingTimer> t : outbox.timers()) {
        if (t.getValue().getDueMs() <= clockMs) {
          TimerFire fire = TimerFire.newBuilder().setOwner(t.getValue().getOwner()).setName(t.getKey().name())
              .setSeq(t.getValue().getSeq()).build();
          return new WorkItem.TimerFiring(Protos.key(t.getValue().getTarget()), fire, t.getValue());
        }
      }
      return null;
    }

    private Applied apply(WorkItem work) {
      LogEntry entry = decider.entry(List.of(work), this, clockMs);
      Applied applied = replica.apply(1, ++index, entry, true);
      // Record order: the replica numbers a record's effects in it, whichever their guarantee.
      TreeMap<Long, String> bySeq = new TreeMap<>();
      for (Applied.EffectDispatch d : applied.effectsToDispatch()) {
        bySeq.put(d.seq(), d.source().id() + "@" + d.version() + " " + d.effect().getHandler() + " "
            + TYPE.codec().decode(Protos.encoded(d.effect().getPayload())));
      }
      for (Outbox.Id id : applied.effectsAdded()) {
        var e = replica.outbox().effect(id);
        bySeq.put(id.seq(), id.source().id() + "@" + e.getVersion() + " " + e.getHandler() + " "
            + TYPE.codec().decode(Protos.encoded(e.getPayload())) + " alo");
      }
      effects.addAll(bySeq.values());
      return applied;
    }

    @Override
    public Versioned get(EntityKey key) {
      return replica.get(key);
    }

    @Override
    public void speculate(EntityKey key, Versioned state) {
      // Each entry is applied before the next is decided: the applied state is the working state.
    }

    @Override
    public void forget(EntityKey key) {}

    @Override
    public boolean remembered(RequestKey request) {
      return replica.remembered(request);
    }
  }

  private static String text(Encoded e) {
    return new String(e.data(), StandardCharsets.UTF_8);
  }
}
