package io.pachyderm.simulation;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.Entities;
import io.pachyderm.api.EntityState;
import io.pachyderm.api.Follow;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.api.QueryResult;
import io.pachyderm.api.ReadMode;
import io.pachyderm.api.Reply;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.entity.Query;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.QueryExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * The simulation ecosystem: the same {@link Entities} API as the local and cluster ecosystems,
 * in memory, on a simulated clock, deterministic for a given seed. Every step runs through the
 * node's own replica core (the leader's {@code Decider}, the {@code Replica}'s apply and outbox),
 * so the rules the simulation checks are the node's. A {@code call} is handled at
 * once; the messages it causes are delivered by {@link #run()} (automatically after every call
 * and send unless {@link Builder#autoRun(boolean) autoRun} is off) in an order the seed picks
 * among those the cluster could also produce. Timers fire when {@link #advance} moves the clock
 * past them. Effects are captured as data ({@link World#effects()}), never executed.
 *
 * <pre>{@code
 * Simulation sim = Simulation.builder(EntityTypes.of(Account.TYPE)).seed(42).build();
 * sim.call(Account.TYPE.ref("alice"), new Transfer("t1", "bob", 25_00));   // debit, credit delivered by run()
 * assertThat(sim.query(Account.TYPE.ref("bob")).state().balanceCents()).isEqualTo(125_00);
 * }</pre>
 *
 * <p>A handler exception in a call rejects that call, as elsewhere; in a delivery caused by
 * {@code run()}, a handler exception, non-deterministic {@code apply} or a broken invariant
 * throws {@link SimulationFailure} with the steps so far — an {@link AssertionError}, so it is
 * thrown from {@code call}/{@code send} directly rather than through the returned future. Replay
 * a failure by running the same calls on a simulation with the same seed. Not thread-safe:
 * simulations are single-threaded by design.
 *
 * <p>A simulation has one logical replica: every {@link ReadMode} (also {@link ReadMode#onNode}
 * with any node id, so tests written for a cluster run unchanged) reads it after the last step.
 */
public final class Simulation implements Entities {
  private final Settings settings;
  private final String ecosystem;
  private final Shared shared;

  /** The builder's values, fixed at {@link Builder#build()}. */
  private record Settings(long seed, Rules rules, boolean autoRun, int stepsMax, List<Invariant> invariants) {}

  /** State shared by the views of several ecosystems of one simulation. */
  private static final class Shared {
    World world;
    final SplittableRandom random;
    final List<Step> steps = new ArrayList<>();

    Shared(World world, long seed) {
      this.world = world;
      this.random = new SplittableRandom(seed);
    }
  }

  private Simulation(Settings settings, String ecosystem, Shared shared) {
    this.settings = settings;
    this.ecosystem = ecosystem;
    this.shared = shared;
  }

  public static Builder builder(EntityTypes types) {
    return new Builder(types);
  }

  // ---- Entities -------------------------------------------------------------------------------

  @Override
  public String ecosystem() {
    return ecosystem;
  }

  @Override
  public Entities ecosystem(String name) {
    return new Simulation(settings, EntityKey.requireValidEcosystem(name), shared);
  }

  @Override
  public <S, C> CompletableFuture<Reply<S>> callAsync(EntityRef<S, C> ref, C command) {
    try {
      Step step = handleNow(ref, command);
      if (step.rejection() != null) {
        return CompletableFuture.failedFuture(new CommandRejectedException(step.rejection(), step.rejectionMessage()));
      }
      long version = step.after().slot(key(ref)).version();
      if (settings.autoRun()) {
        run();
      }
      return CompletableFuture.completedFuture(new Reply<>(version, step.reply(), step.replyIsState()));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public <S, C> CompletableFuture<Long> sendAsync(EntityRef<S, C> ref, C command) {
    return callAsync(ref, command).thenApply(Reply::version);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <S> CompletableFuture<EntityState<S>> queryAsync(EntityRef<S, ?> ref, ReadMode mode) {
    try {
      java.util.Objects.requireNonNull(mode, "mode");
      World.Slot slot = shared.world.slot(key(ref));
      return CompletableFuture.completedFuture(new EntityState<>((S) slot.state(), slot.version()));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Runs the query as a node would: args and result go through the entity type's codec, so a
   * result the codec cannot carry fails here as it would on a cluster. The read mode changes
   * nothing: a simulation has one copy of the state.
   */
  @Override
  public <S, A, R> CompletableFuture<QueryResult<R>> queryAsync(EntityRef<S, ?> ref, Query<S, A, R> query, A args,
                                                                ReadMode mode) {
    try {
      EntityKey key = key(ref);
      EntityType<?, ?, ?> type = shared.world.types().find(key.type());
      if (type == null) {
        throw new CommandRejectedException(io.pachyderm.api.RejectionKind.UNKNOWN_ENTITY_TYPE, "no entity type '"
            + key.type() + "' in this simulation; registered: " + shared.world.types().names());
      }
      io.pachyderm.codec.Encoded encodedArgs = QueryExecutor.encodeArgs(type, query, args);
      World.Slot slot = shared.world.slot(key);
      QueryExecutor.Outcome outcome = QueryExecutor.execute(type, key, slot.state(), query.name(), encodedArgs);
      if (outcome instanceof QueryExecutor.Refused r) {
        return CompletableFuture.failedFuture(new CommandRejectedException(r.kind(), r.message()));
      }
      R result = QueryExecutor.decodeResult(type, query, ((QueryExecutor.Answered) outcome).result());
      return CompletableFuture.completedFuture(new QueryResult<>(result, slot.version()));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public <S> CompletableFuture<List<HistoryEvent>> historyAsync(EntityRef<S, ?> ref, long fromVersion, int limit,
                                                                ReadMode mode) {
    try {
      java.util.Objects.requireNonNull(mode, "mode");
      if (limit < 1) {
        throw new IllegalArgumentException("history limit must be >= 1, was " + limit);
      }
      List<HistoryEvent> all = history(ref, fromVersion);
      return CompletableFuture.completedFuture(List.copyOf(all.subList(0, Math.min(limit, all.size()))));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Every event of the entity from {@code fromVersion} on, with simulated metadata (see {@link #follow}). */
  @Override
  public List<HistoryEvent> history(EntityRef<?, ?> ref, long fromVersion) {
    if (fromVersion < 1) {
      throw new IllegalArgumentException("fromVersion must be >= 1 (the first event is version 1), was " + fromVersion);
    }
    EntityKey key = key(ref);
    List<HistoryEvent> out = new ArrayList<>();
    SimulationHistory.collect(shared.steps, 0, key, shared.world.requireType(key), 0, e -> {
      if (e.version() >= fromVersion) {
        out.add(e);
      }
    });
    return out;
  }

  /**
   * Follows a simulated entity. Nothing happens while the simulation's own thread polls, so {@link
   * Follow#poll} never waits: it returns the next change the steps so far made, or null. In the
   * metadata, step {@code n} (0-based) stands for log index {@code n + 1} in term 1, the simulated
   * clock is the timestamp, a call's request id is {@code simulation/<in-flight id>}, and a message
   * or timer carries its outbox sequence number, as the replica assigned it.
   */
  @Override
  public <S> Follow<S> follow(EntityRef<S, ?> ref, long fromVersion, boolean withStates) {
    EntityKey key = key(ref);
    return new SimulationFollow<>(() -> shared.steps, shared.world, key, shared.world.requireType(key), fromVersion,
        withStates);
  }

  /** Never times out: everything happens inside the calling thread. */
  @Override
  public Duration requestTimeout() {
    return Duration.ZERO;
  }

  // ---- driving ------------------------------------------------------------------------------

  /**
   * Delivers in-flight messages, and timers due by the simulated clock, until none is left,
   * choosing among those that may go next with the seed.
   *
   * @return the number of deliveries made
   * @throws SimulationFailure on a handler exception, non-determinism or a broken invariant
   * @throws IllegalStateException if the world does not settle within the builder's step bound
   */
  public int run() {
    int delivered = 0;
    while (true) {
      List<InFlight> ready = new ArrayList<>(Engine.deliverable(shared.world, settings.rules()));
      for (InFlight t : shared.world.timersMap().values()) {
        if (t.dueMs() <= shared.world.clockMs()) {
          ready.add(t);
        }
      }
      if (ready.isEmpty()) {
        return delivered;
      }
      if (delivered >= settings.stepsMax()) {
        throw new IllegalStateException("the simulation did not settle within " + settings.stepsMax()
            + " deliveries (messages keep causing messages?); last steps: " + tail());
      }
      ready.sort((a, b) -> Long.compare(a.id(), b.id()));
      InFlight next = ready.get(shared.random.nextInt(ready.size()));
      take(new Transition.Deliver(next), true);
      delivered++;
    }
  }

  /**
   * Moves the simulated clock forward by {@code duration}, firing every timer that comes due on
   * the way at its due time (with {@link #run()} in between), and returns the deliveries made.
   */
  public int advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("cannot move the clock back: " + duration);
    }
    long target = shared.world.clockMs() + duration.toMillis();
    int delivered = run();
    while (true) {
      InFlight earliest = null;
      for (InFlight t : shared.world.timersMap().values()) {
        if (t.dueMs() <= target && (earliest == null || t.dueMs() < earliest.dueMs())) {
          earliest = t;
        }
      }
      if (earliest == null) {
        break;
      }
      shared.world = shared.world.withClock(Math.max(shared.world.clockMs(), earliest.dueMs()));
      delivered += run();
    }
    shared.world = shared.world.withClock(Math.max(shared.world.clockMs(), target));
    return delivered;
  }

  /** The current world (immutable). */
  public World world() {
    return shared.world;
  }

  /** Every step taken so far, in order. */
  public List<Step> steps() {
    return List.copyOf(shared.steps);
  }

  /** The simulated clock. */
  public Instant now() {
    return Instant.ofEpochMilli(shared.world.clockMs());
  }

  private <S, C> Step handleNow(EntityRef<S, C> ref, C command) {
    EntityKey key = key(ref);
    EntityType<?, ?, ?> type = shared.world.types().find(key.type());
    if (type == null) {
      throw new CommandRejectedException(io.pachyderm.api.RejectionKind.UNKNOWN_ENTITY_TYPE, "no entity type '"
          + key.type() + "' in this simulation; registered: " + shared.world.types().names());
    }
    World injected = shared.world.inject(key, type.codec().encode(command));
    InFlight item = injected.inFlight().get(injected.inFlight().size() - 1);
    shared.world = injected;
    return take(new Transition.Deliver(item), false);
  }

  /** Takes one transition; failures of deliveries caused by the simulation itself throw. */
  private Step take(Transition t, boolean failuresThrow) {
    Step step = Engine.apply(shared.world, t, settings.rules());
    shared.steps.add(step);
    if (step.failure() != null && (failuresThrow || step.failure().kind() == Failure.Kind.NON_DETERMINISM)) {
      throw new SimulationFailure(new Counterexample(step.failure(), null, settings.seed(),
          List.copyOf(shared.steps), shared.world));
    }
    shared.world = step.after();
    String broken = Invariant.firstBroken(settings.invariants(), shared.world);
    if (broken != null) {
      throw new SimulationFailure(new Counterexample(new Failure(Failure.Kind.INVARIANT, Engine.subject(t),
          "invariant '" + broken + "' does not hold"), null, settings.seed(), List.copyOf(shared.steps),
          shared.world));
    }
    return step;
  }

  private String tail() {
    int from = Math.max(0, shared.steps.size() - 5);
    return shared.steps.subList(from, shared.steps.size()).toString();
  }

  private EntityKey key(EntityRef<?, ?> ref) {
    return new EntityKey(ecosystem, ref.type(), ref.id());
  }

  /** Settings of a simulation. */
  public static final class Builder {
    private final EntityTypes types;
    private long seed = 1;
    private String ecosystem = "simulation";
    private Rules rules = Rules.DEFAULT;
    private boolean autoRun = true;
    private int stepsMax = 1_000_000;
    private Instant start = Instant.EPOCH;
    private final List<Invariant> invariants = new ArrayList<>();

    private Builder(EntityTypes types) {
      this.types = Objects.requireNonNull(types, "types");
    }

    /** Chooses among possible delivery orders; the same seed gives the same run. Default 1. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder ecosystem(String name) {
      this.ecosystem = EntityKey.requireValidEcosystem(name);
      return this;
    }

    /** Which effect handler names exist, message reordering; faults are for {@link Explorer}. */
    public Builder rules(Rules rules) {
      this.rules = Objects.requireNonNull(rules, "rules");
      return this;
    }

    /** Whether call/send run the world to quiescence before returning (default true). */
    public Builder autoRun(boolean on) {
      this.autoRun = on;
      return this;
    }

    /** Most deliveries one {@link #run()} makes before it gives up (default 1,000,000). */
    public Builder stepsMax(int steps) {
      if (steps < 1) {
        throw new IllegalArgumentException("stepsMax must be >= 1, got " + steps);
      }
      this.stepsMax = steps;
      return this;
    }

    /** The simulated clock's start (default the epoch). */
    public Builder startAt(Instant instant) {
      this.start = Objects.requireNonNull(instant, "start");
      return this;
    }

    /** Checked after every step; a violation throws {@link SimulationFailure}. */
    public Builder invariant(String name, java.util.function.Predicate<World> holds) {
      invariants.add(new Invariant(name, holds));
      return this;
    }

    public Simulation build() {
      Settings settings = new Settings(seed, rules, autoRun, stepsMax, List.copyOf(invariants));
      return new Simulation(settings, ecosystem, new Shared(World.empty(types, ecosystem, start.toEpochMilli()), seed));
    }
  }
}
