package io.pachyderm.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.Futures;
import io.pachyderm.api.QueryResult;
import io.pachyderm.api.ReadMode;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.entity.Query;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Named queries in the simulation ecosystem: the same calls as local and cluster, through the codec. */
class SimulationQueryTest {
  record Tally(List<Long> amounts) {}

  sealed interface Command permits Add {}

  record Add(long amount) implements Command {}

  sealed interface Event permits Added {}

  record Added(long amount) implements Event {}

  record Above(long threshold) {}

  record Count(int n) {}

  static final class TallyEntity implements Entity<Tally, Command, Event> {
    @Override
    public Tally initial(String id) {
      return new Tally(List.of());
    }

    @Override
    public Decision<Event> handle(Command command, Tally state, Context ctx) {
      return Decision.emit(new Added(((Add) command).amount()));
    }

    @Override
    public Tally apply(Event event, Tally state) {
      List<Long> next = new ArrayList<>(state.amounts());
      next.add(((Added) event).amount());
      return new Tally(List.copyOf(next));
    }
  }

  static final Query<Tally, Void, Long> SUM =
      Query.of("sum", Long.class, t -> t.amounts().stream().mapToLong(Long::longValue).sum());
  static final Query<Tally, Above, Count> COUNT_ABOVE = Query.of("count-above", Above.class, Count.class,
      (t, above) -> new Count((int) t.amounts().stream().filter(a -> a > above.threshold()).count()));
  static final Query<Tally, Void, Long> DIVIDES_BY_ZERO = Query.of("divides-by-zero", Long.class,
      t -> t.amounts().get(0) / 0);

  static final EntityType<Tally, Command, Event> TYPE =
      EntityType.builder("tally", new TallyEntity(), Tally.class, Command.class, Event.class)
          .query(SUM).query(COUNT_ABOVE).query(DIVIDES_BY_ZERO)
          .build();

  private final Simulation sim = Simulation.builder(EntityTypes.of(TYPE)).seed(7).build();
  private final EntityRef<Tally, Command> ref = TYPE.ref("t1");

  @Test
  void queriesAnswerWithTheResultAndTheVersion() {
    assertThat(sim.query(ref, SUM)).as("the initial state").isZero();
    sim.call(ref, new Add(5));
    sim.call(ref, new Add(20));
    sim.send(ref, new Add(30));
    assertThat(sim.query(ref, SUM)).isEqualTo(55);
    assertThat(sim.query(ref, COUNT_ABOVE, new Above(10))).isEqualTo(new Count(2));
    assertThat(Futures.join(sim.queryAsync(ref, COUNT_ABOVE, new Above(25), ReadMode.STALE)))
        .isEqualTo(new QueryResult<>(new Count(1), 3));
    assertThat(sim.ecosystem("other").query(ref, SUM)).isZero();
  }

  @Test
  void failuresAreTheClusterOnes() {
    sim.call(ref, new Add(1));
    assertThatThrownBy(() -> sim.query(ref, DIVIDES_BY_ZERO))
        .isInstanceOfSatisfying(CommandRejectedException.class,
            e -> assertThat(e.kind()).isEqualTo(RejectionKind.HANDLER_FAILED))
        .hasMessageContaining("query 'divides-by-zero' of entity type 'tally' threw")
        .hasMessageContaining("ArithmeticException");
    Query<Tally, Void, Long> unregistered = Query.of("median", Long.class, t -> 0L);
    assertThatThrownBy(() -> sim.query(ref, unregistered))
        .isInstanceOfSatisfying(CommandRejectedException.class,
            e -> assertThat(e.kind()).isEqualTo(RejectionKind.INVALID_REQUEST))
        .hasMessageContaining("entity type 'tally' has no query 'median'; its queries: [count-above, divides-by-zero, "
            + "sum]");
    assertThatThrownBy(() -> sim.query(ref, COUNT_ABOVE, null))
        .isInstanceOf(CommandRejectedException.class).hasMessageContaining("none were given");
    assertThat(sim.query(ref, SUM)).as("still answering").isEqualTo(1);
  }
}
