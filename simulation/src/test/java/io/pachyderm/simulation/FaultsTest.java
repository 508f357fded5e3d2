package io.pachyderm.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Faults the explorer can inject, and the non-determinism it catches. */
class FaultsTest {
  record Count(long n) {}

  sealed interface Cmd permits Add, Fanout {}

  record Add(long by) implements Cmd {}

  /** Sends Add(1) to each of {@code targets} counters. */
  record Fanout(int targets) implements Cmd {}

  sealed interface Evt permits Added {}

  record Added(long by) implements Evt {}

  static final class Counter implements Entity<Count, Cmd, Evt> {
    @Override
    public Count initial(String id) {
      return new Count(0);
    }

    @Override
    public Decision<Evt> handle(Cmd command, Count state, Context ctx) {
      if (command instanceof Fanout f) {
        Decision<Evt> d = Decision.none();
        for (int i = 0; i < f.targets(); i++) {
          d = d.send(COUNTER.ref("c" + i), new Add(1));
        }
        return d;
      }
      return Decision.emit(new Added(((Add) command).by()));
    }

    @Override
    public Count apply(Evt event, Count state) {
      return new Count(state.n() + ((Added) event).by());
    }
  }

  /** apply reads a global counter: replicas (and restarts) would disagree with the leader. */
  static final AtomicLong GLOBAL = new AtomicLong();

  static final class Sloppy implements Entity<Count, Cmd, Evt> {
    @Override
    public Count initial(String id) {
      return new Count(0);
    }

    @Override
    public Decision<Evt> handle(Cmd command, Count state, Context ctx) {
      return Decision.emit(new Added(1));
    }

    @Override
    public Count apply(Evt event, Count state) {
      return new Count(state.n() + GLOBAL.incrementAndGet());
    }
  }

  static final EntityType<Count, Cmd, Evt> COUNTER =
      EntityType.builder("counter", new Counter(), Count.class, Cmd.class, Evt.class).build();
  static final EntityType<Count, Cmd, Evt> SLOPPY =
      EntityType.builder("sloppy", new Sloppy(), Count.class, Cmd.class, Evt.class).build();

  private static Set<Long> totals(Exploration e) {
    Set<Long> out = new HashSet<>();
    for (Exploration.FinalWorld f : e.finals()) {
      long sum = 0;
      for (int i = 0; i < 3; i++) {
        sum += f.world().state(COUNTER.ref("c" + i)).n();
      }
      out.add(sum);
    }
    return out;
  }

  @Test
  void dropsOnlyRemoveOutputsAndDuplicatesAddToANonIdempotentCounter() {
    Explorer explorer = Explorer.of(EntityTypes.of(COUNTER)).command(COUNTER.ref("fan"), new Fanout(3));

    Exploration clean = explorer.exhaust().assertNoFailure();
    Exploration drops = explorer.rules(Rules.DEFAULT.withDrops(1)).exhaust().assertNoFailure();
    Exploration dups = explorer.rules(Rules.DEFAULT.withDuplicates(1)).exhaust().assertNoFailure();

    assertThat(totals(clean)).containsExactly(3L);
    assertThat(totals(drops)).containsExactlyInAnyOrder(3L, 2L);
    assertThat(totals(dups)).as("Add is not idempotent: a duplicate counts twice").containsExactlyInAnyOrder(3L, 4L);
    assertThat(drops.finals().size()).isGreaterThan(clean.finals().size());
  }

  @Test
  void aNonDeterministicApplyIsCaughtWithTheEntityNamed() {
    Exploration e = Explorer.of(EntityTypes.of(SLOPPY)).command(SLOPPY.ref("s"), new Add(1)).exhaust();

    assertThat(e.failure()).isPresent();
    assertThat(e.failure().get().failure().kind()).isEqualTo(Failure.Kind.NON_DETERMINISM);
    assertThat(e.failure().get().failure().entity().id()).isEqualTo("s");
  }

  @Test
  void restartsRebuildStateFromEventsAndChangeNothingForADeterministicEntity() {
    Explorer explorer = Explorer.of(EntityTypes.of(COUNTER)).command(COUNTER.ref("fan"), new Fanout(2))
        .rules(Rules.DEFAULT.withRestarts(2));

    Exploration e = explorer.exhaust().assertNoFailure();

    assertThat(totals(e)).containsExactly(2L);
    assertThat(e.transitions()).isGreaterThan(Explorer.of(EntityTypes.of(COUNTER))
        .command(COUNTER.ref("fan"), new Fanout(2)).exhaust().transitions());
  }
}
