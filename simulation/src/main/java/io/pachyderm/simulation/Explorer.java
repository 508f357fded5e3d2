package io.pachyderm.simulation;

import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.runtime.EntityKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Model checking for entities: starts from a set of client commands (all in flight at once) and
 * explores the orders in which they and every message they cause can be delivered.
 *
 * <pre>{@code
 * Exploration e = Explorer.of(EntityTypes.of(Lobby.TYPE, Game.TYPE, Player.TYPE))
 *     .command(Lobby.TYPE.ref("lobby"), new StartGame("alice", "bob"))
 *     .invariant("no player in two games", w -> ...)
 *     .exhaust()
 *     .assertNoFailure();
 * assertThat(e.finals()).hasSize(1);
 * }</pre>
 *
 * <p>An explorer is a mutable builder: its setters change it and return it; build one per
 * exploration when settings differ.
 *
 * <p>Per (sender, receiver), messages are delivered in the order sent, as on the cluster, unless
 * {@link Rules#withReordering()}. Handler exceptions, non-deterministic {@code apply} and broken
 * invariants stop the search with a {@link Counterexample} whose {@link Schedule} replays it.
 */
public final class Explorer {
  private final EntityTypes types;
  private String ecosystem = "simulation";
  private Rules rules = Rules.DEFAULT;
  private final List<Object[]> commands = new ArrayList<>();
  private final List<Invariant> invariants = new ArrayList<>();
  private int depthMax = 10_000;
  private long statesMax = 10_000_000;
  private boolean hashing = true;
  private long startClockMs = 0;
  /** The world the start commands are added to; null for the empty world. */
  private World origin;

  private Explorer(EntityTypes types) {
    this.types = Objects.requireNonNull(types, "types");
  }

  public static Explorer of(EntityTypes types) {
    return new Explorer(types);
  }

  /**
   * Explores from {@code world} instead of the empty world: its entities, traffic, timers and
   * clock, with the start commands added to its traffic. Use it to explore one phase of a
   * protocol after a {@link Simulation} has run the phase before it (a game set up and its
   * players invited, then the moves racing each other and the deadline). Types and ecosystem
   * are the world's.
   */
  public static Explorer from(World world) {
    Explorer explorer = new Explorer(world.types());
    explorer.ecosystem = world.ecosystem();
    explorer.startClockMs = world.clockMs();
    explorer.origin = world;
    return explorer;
  }

  public Explorer ecosystem(String name) {
    requireNoOrigin("ecosystem");
    this.ecosystem = io.pachyderm.runtime.EntityKey.requireValidEcosystem(name);
    return this;
  }

  public Explorer rules(Rules rules) {
    this.rules = Objects.requireNonNull(rules, "rules");
    return this;
  }

  /** A client command in flight at the start; all of them race each other. */
  public <S, C> Explorer command(EntityRef<S, C> ref, C command) {
    commands.add(new Object[] {Objects.requireNonNull(ref, "ref"), Objects.requireNonNull(command, "command")});
    return this;
  }

  public Explorer invariant(String name, java.util.function.Predicate<World> holds) {
    invariants.add(new Invariant(name, holds));
    return this;
  }

  /** Longest schedule explored (default 10,000 steps); a longer one makes the result incomplete. */
  public Explorer depthMax(int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("depthMax must be >= 1, got " + steps);
    }
    this.depthMax = steps;
    return this;
  }

  /** Most worlds expanded (default 10,000,000); more makes the result incomplete. */
  public Explorer statesMax(long states) {
    if (states < 1) {
      throw new IllegalArgumentException("statesMax must be >= 1, got " + states);
    }
    this.statesMax = states;
    return this;
  }

  /** Whether equal worlds are expanded once (default true). Off, every schedule is walked. */
  public Explorer stateHashing(boolean on) {
    this.hashing = on;
    return this;
  }

  /** The simulated clock at the start, in epoch milliseconds (default 0). */
  public Explorer startClockMs(long ms) {
    requireNoOrigin("startClockMs");
    this.startClockMs = ms;
    return this;
  }

  private void requireNoOrigin(String setting) {
    if (origin != null) {
      throw new IllegalStateException(setting + " comes from the world this explorer starts from");
    }
  }

  /** The world before anything is delivered: the start commands in flight (added to {@link #from}'s world). */
  @SuppressWarnings("unchecked")
  public World start() {
    World w = origin != null ? origin : World.empty(types, ecosystem, startClockMs);
    for (Object[] c : commands) {
      EntityRef<?, ?> ref = (EntityRef<?, ?>) c[0];
      EntityKey key = new EntityKey(ecosystem, ref.type(), ref.id());
      EntityType<?, ?, ?> type = w.requireType(key);
      if (!type.commandClass().isInstance(c[1])) {
        throw new IllegalArgumentException(c[1].getClass().getName() + " is not a command of " + type.name());
      }
      w = w.inject(key, type.codec().encode(c[1]));
    }
    return w;
  }

  // ---- exhaustive ---------------------------------------------------------------------------

  private static final class Frame {
    final World world;
    final int faults;
    final List<Transition> enabled;
    int next;

    Frame(World world, int faults, List<Transition> enabled) {
      this.world = world;
      this.faults = faults;
      this.enabled = enabled;
    }
  }

  private record Visit(Fingerprint world, int faults) {}

  /**
   * Depth-first over every order (and, with faults allowed, every fault) within the bounds.
   *
   * <p>With state hashing, worlds that differ only in their outbox sequence numbers are taken as
   * equal ({@link World.SeqIdentity#RELATIVE}) while no handler draws randomness on a message or
   * timer: nothing else a handler sees depends on those numbers. A handler that draws on one makes
   * them matter (they seed it), so the exploration starts again with the numbers in every world's
   * identity; the result then reports the second exploration, with the time of both.
   */
  public Exploration exhaust() {
    long t0 = System.nanoTime();
    if (hashing) {
      Exploration relative = exhaust(World.SeqIdentity.RELATIVE, t0);
      if (relative != null) {
        return relative;
      }
    }
    return exhaust(World.SeqIdentity.ABSOLUTE, t0);
  }

  /** {@link #exhaust()} with {@code identity} throughout; null when RELATIVE met a draw (tests compare the two). */
  Exploration exhaust(World.SeqIdentity identity) {
    return exhaust(identity, System.nanoTime());
  }

  /** The exploration, or null when identities are RELATIVE and a handler drew randomness on a message or timer. */
  private Exploration exhaust(World.SeqIdentity identity, long t0) {
    World start = start();
    Map<Fingerprint, Exploration.FinalWorld> finals = new LinkedHashMap<>();
    Set<Visit> visited = new HashSet<>();
    ArrayDeque<Frame> stack = new ArrayDeque<>();
    List<Integer> path = new ArrayList<>();
    long states = 0;
    long transitions = 0;
    long revisits = 0;
    boolean complete = true;
    Counterexample failure = checkInvariants(start, null, new Schedule(List.of()), null);
    if (failure == null) {
      stack.push(new Frame(start, 0, Engine.enabled(start, rules, 0)));
      states++;
      if (hashing) {
        visited.add(new Visit(start.fingerprint(identity), 0));
      }
    }
    while (failure == null && !stack.isEmpty()) {
      Frame top = stack.peek();
      if (top.next == 0 && isFinal(top.enabled)) {
        finals.putIfAbsent(top.world.outcome(), new Exploration.FinalWorld(top.world, new Schedule(path)));
      }
      if (top.next >= top.enabled.size()) {
        stack.pop();
        if (!path.isEmpty()) {
          path.remove(path.size() - 1);
        }
        continue;
      }
      int choice = top.next++;
      Transition t = top.enabled.get(choice);
      if (stack.size() > depthMax) {
        complete = false;
        continue;
      }
      Step step = Engine.apply(top.world, t, rules);
      if (identity == World.SeqIdentity.RELATIVE && step.after().seqSeededDraw()) {
        return null;
      }
      transitions++;
      path.add(choice);
      if (step.failure() != null) {
        failure = counterexample(step.failure(), new Schedule(path), null);
        break;
      }
      failure = checkInvariants(step.after(), Engine.subject(t), new Schedule(path), null);
      if (failure != null) {
        break;
      }
      int faults = top.faults + (Engine.isFault(t) ? 1 : 0);
      if (hashing && !visited.add(new Visit(step.after().fingerprint(identity), faults))) {
        revisits++;
        path.remove(path.size() - 1);
        continue;
      }
      if (states >= statesMax) {
        complete = false;
        path.remove(path.size() - 1);
        break;
      }
      states++;
      stack.push(new Frame(step.after(), faults, Engine.enabled(step.after(), rules, faults)));
    }
    return new Exploration(List.copyOf(finals.values()), states, transitions, revisits, complete && failure == null,
        Optional.ofNullable(failure), System.nanoTime() - t0);
  }

  private static boolean isFinal(List<Transition> enabled) {
    for (Transition t : enabled) {
      if (t instanceof Transition.Deliver) {
        return false;
      }
    }
    return true;
  }

  // ---- random and PCT -----------------------------------------------------------------------

  /** {@code walks} seeded random schedules (walk i uses seed {@code seed + i}); stops at the first failure. */
  public Exploration randomWalks(long seed, int walks) {
    return walks(seed, walks, 0);
  }

  /**
   * PCT (probabilistic concurrency testing): each walk gives the receiving entities random
   * priorities, always delivers to the highest, and lowers the running entity's priority at
   * {@code changePoints} random steps; finds bugs of depth {@code changePoints + 1} with good
   * probability. Faults are not injected by PCT walks.
   */
  public Exploration pct(long seed, int walks, int changePoints) {
    if (changePoints < 0) {
      throw new IllegalArgumentException("changePoints must be >= 0, got " + changePoints);
    }
    return walks(seed, walks, changePoints + 1);
  }

  private Exploration walks(long seed, int walks, int pctDepth) {
    if (walks < 1) {
      throw new IllegalArgumentException("walks must be >= 1, got " + walks);
    }
    long t0 = System.nanoTime();
    Map<Fingerprint, Exploration.FinalWorld> finals = new LinkedHashMap<>();
    long states = 0;
    long transitions = 0;
    boolean complete = true;
    Counterexample failure = null;
    for (int walk = 0; walk < walks && failure == null; walk++) {
      long walkSeed = seed + walk;
      SplittableRandom random = new SplittableRandom(walkSeed);
      Map<EntityKey, Integer> priorities = new HashMap<>();
      List<Integer> changeAt = new ArrayList<>();
      for (int i = 0; i < pctDepth - 1; i++) {
        changeAt.add(1 + random.nextInt(Math.max(1, Math.min(depthMax, 1_000))));
      }
      World w = start();
      int faults = 0;
      List<Integer> path = new ArrayList<>();
      failure = checkInvariants(w, null, new Schedule(path), walkSeed);
      for (int depth = 0; failure == null; depth++) {
        List<Transition> enabled = Engine.enabled(w, rules, faults);
        states++;
        if (isFinal(enabled)) {
          finals.putIfAbsent(w.outcome(), new Exploration.FinalWorld(w, new Schedule(path)));
          break;
        }
        if (depth >= depthMax) {
          complete = false;
          break;
        }
        int choice = pctDepth > 0 ? pctChoice(enabled, priorities, random, changeAt.contains(depth), depth)
            : random.nextInt(enabled.size());
        Transition t = enabled.get(choice);
        Step step = Engine.apply(w, t, rules);
        transitions++;
        path.add(choice);
        if (step.failure() != null) {
          failure = counterexample(step.failure(), new Schedule(path), walkSeed);
          break;
        }
        failure = checkInvariants(step.after(), Engine.subject(t), new Schedule(path), walkSeed);
        faults += Engine.isFault(t) ? 1 : 0;
        w = step.after();
      }
    }
    // Random walks never prove the whole space; "complete" means no walk hit the depth bound.
    return new Exploration(List.copyOf(finals.values()), states, transitions, 0, complete && failure == null,
        Optional.ofNullable(failure), System.nanoTime() - t0);
  }

  private static int pctChoice(List<Transition> enabled, Map<EntityKey, Integer> priorities, SplittableRandom random,
                               boolean change, int depth) {
    int best = -1;
    int bestPriority = Integer.MIN_VALUE;
    for (int i = 0; i < enabled.size(); i++) {
      if (!(enabled.get(i) instanceof Transition.Deliver d)) {
        continue;
      }
      // New entities get a random priority above every change-point priority (which are < 0).
      int p = priorities.computeIfAbsent(d.item().to(), k -> random.nextInt(1, Integer.MAX_VALUE));
      if (p > bestPriority) {
        bestPriority = p;
        best = i;
      }
    }
    if (change) {
      priorities.put(((Transition.Deliver) enabled.get(best)).item().to(), -depth - 1);
    }
    return best;
  }

  // ---- replay -------------------------------------------------------------------------------

  /**
   * Runs {@code schedule} from the start and returns every step.
   *
   * @throws IllegalArgumentException if the schedule does not fit this explorer's start and rules
   */
  public List<Step> replay(Schedule schedule) {
    World w = start();
    int faults = 0;
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < schedule.choices().size(); i++) {
      List<Transition> enabled = Engine.enabled(w, rules, faults);
      int choice = schedule.choices().get(i);
      if (choice >= enabled.size()) {
        throw new IllegalArgumentException("schedule step " + (i + 1) + " chooses transition " + choice + " but only "
            + enabled.size() + " are possible there: the schedule belongs to another start or other rules");
      }
      Transition t = enabled.get(choice);
      Step step = Engine.apply(w, t, rules);
      String broken = step.failure() == null ? brokenInvariant(step.after()) : null;
      if (broken != null) {
        // Replaying an invariant counterexample ends on a step that says so, like any other failure.
        step = new Step(t, step.after(), step.outcome() + "; invariant '" + broken + "' does not hold",
            new Failure(Failure.Kind.INVARIANT, Engine.subject(t), "invariant '" + broken + "' does not hold"),
            step.reply(), step.replyIsState(), step.rejection(), step.rejectionMessage());
      }
      steps.add(step);
      if (step.failure() != null) {
        break;
      }
      faults += Engine.isFault(t) ? 1 : 0;
      w = step.after();
    }
    return steps;
  }

  private String brokenInvariant(World w) {
    return Invariant.firstBroken(invariants, w);
  }

  private Counterexample counterexample(Failure failure, Schedule schedule, Long seed) {
    List<Step> steps = replay(schedule);
    World at = steps.isEmpty() ? start() : steps.get(steps.size() - 1).after();
    return new Counterexample(failure, schedule, seed, steps, at);
  }

  /** @param subject the entity the last step acted on: its inbox is the one the report lists (null at the start) */
  private Counterexample checkInvariants(World w, EntityKey subject, Schedule schedule, Long seed) {
    String broken = brokenInvariant(w);
    if (broken == null) {
      return null;
    }
    return new Counterexample(new Failure(Failure.Kind.INVARIANT, subject, "invariant '" + broken
        + "' does not hold"), schedule, seed, replay(schedule), w);
  }
}
