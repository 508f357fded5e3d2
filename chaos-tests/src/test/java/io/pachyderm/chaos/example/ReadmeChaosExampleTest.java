package io.pachyderm.chaos.example;

// README:begin (README.md, "The chaos suite", shows this file from here to README:end; ReadmeSnippetTest keeps them equal)
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pachyderm.api.Entities;
import io.pachyderm.api.ReadMode;
import io.pachyderm.chaos.checker.Checker;
import io.pachyderm.chaos.checker.Dispatch;
import io.pachyderm.chaos.checker.FinalStatesChecker;
import io.pachyderm.chaos.checker.LinearizabilityChecker;
import io.pachyderm.chaos.history.Op;
import io.pachyderm.chaos.nemesis.ChaosSchedule;
import io.pachyderm.chaos.run.ChaosScenario;
import io.pachyderm.chaos.run.RunResult;
import io.pachyderm.chaos.workload.OpSpec;
import io.pachyderm.chaos.workload.Workload;
import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class ReadmeChaosExampleTest {
  /** Your entity: a thermostat whose set-point is replaced by each command (0 until first set). */
  public static final class Thermostat implements Entity<Thermostat.State, Thermostat.Command, Thermostat.Event> {
    public record State(long setPoint) {}

    public sealed interface Command permits Adjust {}

    public record Adjust(long setPoint) implements Command {}

    public sealed interface Event permits Adjusted {}

    public record Adjusted(long setPoint) implements Event {}

    public static final EntityType<State, Command, Event> TYPE =
        EntityType.builder("thermostat", new Thermostat(), State.class, Command.class, Event.class).build();

    @Override
    public State initial(String id) {
      return new State(0);
    }

    @Override
    public Decision<Event> handle(Command command, State state, Context ctx) {
      return Decision.emit(new Adjusted(((Adjust) command).setPoint()));
    }

    @Override
    public State apply(Event event, State state) {
      return new State(((Adjusted) event).setPoint());
    }
  }

  /** What the nodes serve. Public, with a public no-argument constructor: each node JVM loads it by name. */
  public static final class Types implements Supplier<EntityTypes> {
    @Override
    public EntityTypes get() {
      return EntityTypes.of(Thermostat.TYPE);
    }
  }

  /** Five thermostats: set-points of 5 to 30 and linearizable reads, half and half. */
  static final class ThermostatWorkload implements Workload {
    private static final List<String> KEYS = List.of("t0", "t1", "t2", "t3", "t4");

    @Override
    public String name() {
      return "thermostat";
    }

    @Override
    public OpSpec next(RandomGenerator random) {
      String key = KEYS.get(random.nextInt(KEYS.size()));
      return random.nextBoolean() ? new OpSpec(Op.WRITE, key, 5L + random.nextInt(26)) : new OpSpec(Op.READ, key, null);
    }

    @Override
    public CompletableFuture<Object> invoke(Entities client, OpSpec op) {
      if (op.f().equals(Op.WRITE)) {
        return client.sendAsync(Thermostat.TYPE.ref(op.key()), new Thermostat.Adjust(op.number()))
            .thenApply(version -> null);
      }
      return read(client, op.key(), ReadMode.LINEARIZABLE);
    }

    /** After recovery, every key from every node, each node answering from its own state. */
    @Override
    public CompletableFuture<Object> finalRead(Entities nodeClient, String key) {
      return read(nodeClient, key, ReadMode.STALE);
    }

    @Override
    public List<String> keys() {
      return KEYS;
    }

    /** Each thermostat a linearizable register; on every node, every set-point 0 (never set) or 5..30. */
    @Override
    public List<Checker> checkers(List<Dispatch> dispatches) {
      return List.of(new LinearizabilityChecker(LinearizabilityChecker.Model.REGISTER),
          new FinalStatesChecker("set-points-in-range", states -> states.entrySet().stream()
              .filter(e -> (Long) e.getValue() != 0 && ((Long) e.getValue() < 5 || (Long) e.getValue() > 30))
              .map(e -> e.getKey() + " = " + e.getValue()).toList()));
    }

    private static CompletableFuture<Object> read(Entities client, String key, ReadMode mode) {
      return client.queryAsync(Thermostat.TYPE.ref(key), mode).thenApply(s -> s.state().setPoint());
    }
  }

  @Test
  void thermostatsStayLinearizableThroughAnIsolatedLeaderAndAKill() throws InterruptedException {
    assumeTrue(ChaosScenario.unavailableReason().isEmpty(), "needs root: network namespaces and iptables");

    RunResult result = ChaosScenario.builder()
        .nodes(3)
        .entityTypes(Types.class)
        .workload(new ThermostatWorkload())
        .schedule(ChaosSchedule.parse("""
            at 3s isolate leader for 4s
            at 9s kill random-node, restart after 3s
            """))
        .duration(Duration.ofSeconds(15))
        .concurrency(5)
        .rate(50)
        .run();

    // Every verdict: linearizable, set-points in range and equal on every node, replica digests
    // equal at every index compared, and the cluster recovered (the summary says which failed).
    assertThat(result.valid()).as(result.summary()).isTrue();
    assertThat(result.faults()).extracting(f -> f.name()).containsExactly("isolate-leader", "kill-random-node");
    assertThat(result.finalReads()).hasSize(3).allSatisfy((node, states) -> assertThat(states).hasSize(5));
  }
}
// README:end
