package io.pachyderm.simulation;

import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.runtime.CommandExecutor;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One global state of a simulation: every entity's state, version, events and the messages it
 * received, everything in flight, pending timers, captured effects and the simulated clock.
 * Immutable: a step makes a new world, so exploration can keep any world and go back to it.
 */
public final class World {
  /**
   * What a simulated entity holds. {@code received} lists every delivery it got, in order;
   * {@code encodedState} is the state as its codec writes it (null for an untouched entity),
   * kept so that fingerprints do not encode every state again.
   */
  public record Slot(Object state, long version, List<Encoded> events, List<Received> received,
                     Encoded encodedState) {}

  /** One delivery to an entity and what became of it. */
  public record Received(InFlight item, String outcome) {
    @Override
    public String toString() {
      return item.describe() + " => " + outcome;
    }
  }

  /** An effect as data, never executed by the simulation. */
  public record CapturedEffect(EntityKey source, long version, String handler, Object payload, boolean atLeastOnce) {}

  private final EntityTypes types;
  private final String ecosystem;
  private final TreeMap<EntityKey, Slot> entities;
  private final List<InFlight> inFlight;
  private final TreeMap<TimerKey, InFlight> timers;
  private final List<CapturedEffect> effects;
  /**
   * Each entity's last outbox sequence number (the replica's counter: messages, effects and timers
   * share it). Replicated state on a node, so part of the fingerprint: a handler's random seed on
   * delivery is drawn from the item's sequence number.
   */
  private final TreeMap<EntityKey, Long> outboxSeqs;
  private final long clockMs;
  private final long nextId;
  /**
   * Whether the step that made this world ran a handler that drew randomness on a message or
   * timer: its seed came from the item's sequence number, so sequence numbers were not irrelevant
   * after all (see {@link SeqIdentity}). A client command's seed comes from its request id, which
   * all schedules of an exploration share, so its draws do not count. Not passed on to the next world.
   */
  private final boolean seqSeededDraw;
  private Fingerprint fingerprint;

  /**
   * How a world's identity counts outbox sequence numbers. On a node a message's or timer's
   * sequence number seeds its receiver's {@code Context.random()}; nothing else a handler sees
   * depends on it, and the replica's rules (per-pair order, timer replace) use only the order of
   * one source's numbers, which creation order already gives.
   */
  enum SeqIdentity {
    /** The numbers themselves, and each entity's counter: {@link #fingerprint()}. */
    ABSOLUTE,
    /**
     * Only their order per (sender, receiver): worlds that differ in nothing else meet. Equal only
     * while no handler draws randomness on a message or timer; the explorer checks every step and
     * explores again with {@link #ABSOLUTE} identities when one does.
     */
    RELATIVE
  }

  World(EntityTypes types, String ecosystem, TreeMap<EntityKey, Slot> entities, List<InFlight> inFlight,
        TreeMap<TimerKey, InFlight> timers, List<CapturedEffect> effects, TreeMap<EntityKey, Long> outboxSeqs,
        long clockMs, long nextId) {
    this(types, ecosystem, entities, inFlight, timers, effects, outboxSeqs, clockMs, nextId, false);
  }

  private World(EntityTypes types, String ecosystem, TreeMap<EntityKey, Slot> entities, List<InFlight> inFlight,
                TreeMap<TimerKey, InFlight> timers, List<CapturedEffect> effects, TreeMap<EntityKey, Long> outboxSeqs,
                long clockMs, long nextId, boolean seqSeededDraw) {
    this.types = types;
    this.ecosystem = ecosystem;
    this.entities = entities;
    this.inFlight = inFlight;
    this.timers = timers;
    this.effects = effects;
    this.outboxSeqs = outboxSeqs;
    this.clockMs = clockMs;
    this.nextId = nextId;
    this.seqSeededDraw = seqSeededDraw;
  }

  static World empty(EntityTypes types, String ecosystem, long clockMs) {
    return new World(types, ecosystem, new TreeMap<>(), List.of(), new TreeMap<>(), List.of(), new TreeMap<>(),
        clockMs, 1);
  }

  // ---- reading ----------------------------------------------------------------------------

  public EntityTypes types() {
    return types;
  }

  /** The ecosystem refs without one are read in. */
  public String ecosystem() {
    return ecosystem;
  }

  public long clockMs() {
    return clockMs;
  }

  /** The entity's state; a never-touched entity reads as its initial state. */
  @SuppressWarnings("unchecked")
  public <S> S state(EntityRef<S, ?> ref) {
    return (S) slot(key(ref)).state();
  }

  public long version(EntityRef<?, ?> ref) {
    return slot(key(ref)).version();
  }

  /** Every delivery the entity got, in order, with its outcome: the first thing to read in a counterexample. */
  public List<Received> received(EntityRef<?, ?> ref) {
    return slot(key(ref)).received();
  }

  /** The entity's events, decoded, in order. */
  public List<Object> history(EntityRef<?, ?> ref) {
    EntityKey key = key(ref);
    EntityType<?, ?, ?> type = requireType(key);
    List<Object> out = new ArrayList<>();
    for (Encoded e : slot(key).events()) {
      out.add(type.codec().decode(e));
    }
    return out;
  }

  /** Entities that have received anything, in key order. */
  public Map<EntityKey, Slot> entities() {
    return Collections.unmodifiableMap(entities);
  }

  /** Messages and client commands not yet delivered, in creation order. */
  public List<InFlight> inFlight() {
    return inFlight;
  }

  /** Pending timers, in (owner, name) order. */
  public List<InFlight> timers() {
    return List.copyOf(timers.values());
  }

  /** Effects produced so far (the simulation never runs them). */
  public List<CapturedEffect> effects() {
    return effects;
  }

  /** Nothing in flight and no timer pending. */
  public boolean isQuiescent() {
    return inFlight.isEmpty() && timers.isEmpty();
  }

  EntityKey key(EntityRef<?, ?> ref) {
    return new EntityKey(ecosystem, ref.type(), ref.id());
  }

  Slot slot(EntityKey key) {
    Slot s = entities.get(key);
    if (s != null) {
      return s;
    }
    return new Slot(CommandExecutor.initialState(requireType(key), key.id()), 0, List.of(), List.of(), null);
  }

  EntityType<?, ?, ?> requireType(EntityKey key) {
    EntityType<?, ?, ?> type = types.find(key.type());
    if (type == null) {
      throw new IllegalArgumentException("no entity type '" + key.type() + "' in this simulation; registered: "
          + types.names());
    }
    return type;
  }

  TreeMap<EntityKey, Slot> entitiesMap() {
    return entities;
  }

  TreeMap<TimerKey, InFlight> timersMap() {
    return timers;
  }

  long nextId() {
    return nextId;
  }

  /** {@code key}'s last outbox sequence number, 0 before its first message, effect or timer. */
  long outboxSeq(EntityKey key) {
    Long seq = outboxSeqs.get(key);
    return seq == null ? 0 : seq;
  }

  TreeMap<EntityKey, Long> outboxSeqsMap() {
    return outboxSeqs;
  }

  // ---- changing (copy on write) -------------------------------------------------------------

  World with(TreeMap<EntityKey, Slot> entities, List<InFlight> inFlight, TreeMap<TimerKey, InFlight> timers,
             List<CapturedEffect> effects, TreeMap<EntityKey, Long> outboxSeqs, long clockMs, long nextId) {
    return new World(types, ecosystem, entities, List.copyOf(inFlight), timers, List.copyOf(effects), outboxSeqs,
        clockMs, nextId);
  }

  World withClock(long ms) {
    return new World(types, ecosystem, entities, inFlight, timers, effects, outboxSeqs, ms, nextId);
  }

  /** Adds a client command for {@code key} to the traffic. */
  World inject(EntityKey key, Encoded command) {
    List<InFlight> more = new ArrayList<>(inFlight);
    more.add(new InFlight(nextId, InFlight.Kind.COMMAND, null, key, command, null, 0));
    return new World(types, ecosystem, entities, List.copyOf(more), timers, effects, outboxSeqs, clockMs, nextId + 1);
  }

  /** This world, noting that the step that made it drew randomness seeded from a sequence number. */
  World withSeqSeededDraw() {
    return new World(types, ecosystem, entities, inFlight, timers, effects, outboxSeqs, clockMs, nextId, true);
  }

  /** Whether the step that made this world drew randomness on a message or timer. */
  boolean seqSeededDraw() {
    return seqSeededDraw;
  }

  // ---- identity -----------------------------------------------------------------------------

  /**
   * A 128-bit digest of what makes this world what it is: every entity's version and encoded
   * state, the traffic per (sender, receiver) in order, the timers, the outbox sequence numbers
   * (items' and entities' counters: they seed handlers on delivery, as on a node), and the effects
   * as a multiset. Ids, the clock and the entities' inboxes are left out, so different schedules
   * that reach the same situation meet.
   */
  public Fingerprint fingerprint() {
    Fingerprint f = fingerprint;
    if (f == null) {
      f = computeFingerprint(true, SeqIdentity.ABSOLUTE);
      fingerprint = f;
    }
    return f;
  }

  /** The fingerprint with outbox sequence numbers counted as {@code identity} says. */
  Fingerprint fingerprint(SeqIdentity identity) {
    return identity == SeqIdentity.ABSOLUTE ? fingerprint() : computeFingerprint(true, identity);
  }

  /** The fingerprint of the entities' states (and effects) alone: what "the same final world" means. */
  public Fingerprint outcome() {
    return computeFingerprint(false, SeqIdentity.ABSOLUTE);
  }

  private Fingerprint computeFingerprint(boolean withTraffic, SeqIdentity seqIdentity) {
    Fingerprint.Hasher h = new Fingerprint.Hasher();
    for (Map.Entry<EntityKey, Slot> e : entities.entrySet()) {
      Slot s = e.getValue();
      if (s.version() == 0) {
        continue; // received only rejected deliveries: same as untouched
      }
      h.string(e.getKey().toString()).number(s.version());
      Encoded encoded = s.encodedState() != null ? s.encodedState() : requireType(e.getKey()).codec().encode(s.state());
      h.bytes(encoded.data());
    }
    if (withTraffic) {
      h.string("traffic");
      List<InFlight> sorted = new ArrayList<>(inFlight);
      // Per (sender, receiver) in creation order; pairs in key order.
      sorted.sort(TRAFFIC_ORDER);
      for (InFlight i : sorted) {
        item(h, i, seqIdentity);
      }
      h.string("timers");
      for (InFlight t : timers.values()) {
        item(h, t, seqIdentity);
        h.number(t.dueMs());
      }
      if (seqIdentity == SeqIdentity.ABSOLUTE) {
        h.string("outbox sequence numbers");
        for (Map.Entry<EntityKey, Long> e : outboxSeqs.entrySet()) {
          h.string(e.getKey().toString()).number(e.getValue());
        }
      }
    }
    h.string("effects");
    List<String> fx = new ArrayList<>();
    for (CapturedEffect c : effects) {
      fx.add(c.source() + "@" + c.version() + " " + c.handler() + " " + c.payload() + (c.atLeastOnce() ? " alo" : ""));
    }
    Collections.sort(fx);
    fx.forEach(h::string);
    return h.done();
  }

  /** Client commands first, then per (sender, receiver) in key order; creation order within a pair. */
  private static final Comparator<InFlight> TRAFFIC_ORDER = Comparator
      .comparing(InFlight::from, Comparator.nullsFirst(Comparator.<EntityKey>naturalOrder()))
      .thenComparing(InFlight::to).thenComparingLong(InFlight::id);

  private static void item(Fingerprint.Hasher h, InFlight i, SeqIdentity seqIdentity) {
    h.string(i.kind().name()).string(i.from() == null ? "" : i.from().toString()).string(i.to().toString())
        .string(i.timerName() == null ? "" : i.timerName()).string(i.command().type()).bytes(i.command().data());
    if (seqIdentity == SeqIdentity.ABSOLUTE) {
      h.number(i.seq());
    }
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("World{clock=").append(clockMs).append(" ms");
    for (Map.Entry<EntityKey, Slot> e : entities.entrySet()) {
      EntityType<?, ?, ?> type = requireType(e.getKey());
      b.append("\n  ").append(InFlight.ref(e.getKey())).append(" v").append(e.getValue().version()).append(' ')
          .append(new String(type.codec().encode(e.getValue().state()).data(), StandardCharsets.UTF_8));
    }
    for (InFlight i : inFlight) {
      b.append("\n  in flight: ").append(i.describe());
    }
    for (InFlight t : timers.values()) {
      b.append("\n  timer: ").append(t.describe());
    }
    return b.append("\n}").toString();
  }

  static <T> List<T> plus(List<T> list, T item) {
    List<T> more = new ArrayList<>(list.size() + 1);
    more.addAll(list);
    more.add(Objects.requireNonNull(item));
    return List.copyOf(more);
  }
}
