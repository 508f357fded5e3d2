package io.pachyderm.bench;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.local.LocalPachyderm;
import io.pachyderm.node.status.OutboxStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How fast durable timers fire, on the local ecosystem: N timers that come due while the node is
 * up (baseline) against N timers that came due while it was down and fire on recovery, where the
 * leader's rate limit (1,000 fires/s) keeps the backlog from flooding the log.
 *
 * <pre>java -cp ... io.pachyderm.bench.TimerBacklog [timers=5000] [entities=500]</pre>
 */
public final class TimerBacklog {
  record State(long rings) {}

  sealed interface Command permits Arm, Ring {}

  record Arm(int timers, long delayMs) implements Command {}

  record Ring() implements Command {}

  sealed interface Event permits Rang {}

  record Rang() implements Event {}

  static final class Alarm implements Entity<State, Command, Event> {
    @Override
    public State initial(String id) {
      return new State(0);
    }

    @Override
    public Decision<Event> handle(Command command, State state, Context ctx) {
      if (command instanceof Arm a) {
        Decision<Event> d = Decision.none();
        for (int i = 0; i < a.timers(); i++) {
          d = d.schedule("t" + i, Duration.ofMillis(a.delayMs()), new Ring());
        }
        return d;
      }
      return Decision.emit(new Rang());
    }

    @Override
    public State apply(Event event, State state) {
      return new State(state.rings() + 1);
    }
  }

  static final EntityType<State, Command, Event> TYPE =
      EntityType.builder("bench-alarm", new Alarm(), State.class, Command.class, Event.class).build();

  public static void main(String[] args) throws Exception {
    int timers = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    int entities = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    if (timers < entities || timers % entities != 0) {
      throw new IllegalArgumentException("timers must be a positive multiple of entities");
    }
    System.out.printf("%,d timers over %,d entities, local ecosystem%n", timers, entities);
    System.out.printf("%-44s %10s %12s%n", "scenario", "fired/s", "all fired in");
    Path dir = Files.createTempDirectory("pachyderm-timers");
    try {
      double live = run(dir.resolve("live"), timers, entities, false);
      double backlog = run(dir.resolve("backlog"), timers, entities, true);
      System.out.printf("backlog / live: %.2fx (both drain at the leader's timer fire limit, 1,000/s by default,"
          + " after a 1 s burst)%n", backlog / live);
    } finally {
      deleteTree(dir);
    }
  }

  /** Returns fires per second from the first fire opportunity to the last fire. */
  private static double run(Path dir, int timers, int entities, boolean downWhileDue) throws Exception {
    long delayMs = 2_000;
    int perEntity = timers / entities;
    LocalPachyderm local = open(dir);
    List<CompletableFuture<?>> arms = new ArrayList<>();
    for (int e = 0; e < entities; e++) {
      arms.add(local.callAsync(TYPE.ref("a" + e), new Arm(perEntity, delayMs)));
    }
    CompletableFuture.allOf(arms.toArray(new CompletableFuture[0])).join();
    long armedNs = System.nanoTime();
    if (downWhileDue) {
      local.close();
      Thread.sleep(delayMs + 1_000);
      local = open(dir);
    }
    long startNs = downWhileDue ? System.nanoTime() : armedNs + delayMs * 1_000_000;
    try {
      OutboxStats stats;
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      do {
        Thread.sleep(5);
        stats = local.node().outboxStats();
      } while (stats.timers() > 0 && System.nanoTime() < deadline);
      long endNs = System.nanoTime();
      if (stats.timers() > 0) {
        throw new IllegalStateException(stats.timers() + " timers still pending after 5 minutes");
      }
      double seconds = Math.max(endNs - startNs, 1) / 1e9;
      System.out.printf("%-44s %,10.0f %10.2f s%n",
          downWhileDue ? "came due while the node was down (backlog)" : "came due while running (baseline)",
          timers / seconds, seconds);
      return timers / seconds;
    } finally {
      local.close();
    }
  }

  private static LocalPachyderm open(Path dir) {
    return LocalPachyderm.builder(dir).entityTypes(EntityTypes.of(TYPE)).open();
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
