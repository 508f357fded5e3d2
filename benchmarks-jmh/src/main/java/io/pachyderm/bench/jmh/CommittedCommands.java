package io.pachyderm.bench.jmh;

import io.pachyderm.entity.EntityRef;
import io.pachyderm.examples.counter.Counter;
import io.pachyderm.local.LocalPachyderm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed number of committed commands on the local node, for {@code perf stat} to count the
 * instructions around (benchmarks/jmh.sh): opens a {@link LocalPachyderm} in DIR, sends COMMANDS
 * increments over ENTITIES counters with at most 256 outstanding, waits for every one to commit,
 * closes. jmh.sh runs it twice with two counts; the difference of the two instruction counts over
 * the difference of the two command counts is the cost per committed command with the JVM's
 * start, the node's open and most of the JIT's work cancelled out.
 *
 * <p>Usage: {@code CommittedCommands DIR COMMANDS [ENTITIES]}; exit 2 on bad arguments, 1 when a
 * command failed (a failed command's instructions would not be a committed command's).
 */
public final class CommittedCommands {
  static final int OUTSTANDING_MAX = 256;
  static final long COMMANDS_MAX = 10_000_000;
  static final int ENTITIES_DEFAULT = 1_000;
  private static final Duration WAIT_MAX = Duration.ofMinutes(5);

  private CommittedCommands() {
  }

  /** The parsed arguments; a bad one is an error naming it. */
  record Args(Path dir, long commands, int entities) {
    static Args parse(String... args) {
      if (args.length < 2 || args.length > 3) {
        throw new IllegalArgumentException("usage: CommittedCommands DIR COMMANDS [ENTITIES]");
      }
      long commands = number("COMMANDS", args[1], 0, COMMANDS_MAX);
      int entities = args.length == 3 ? (int) number("ENTITIES", args[2], 1, 1_000_000) : ENTITIES_DEFAULT;
      return new Args(Path.of(args[0]), commands, entities);
    }

    private static long number(String name, String v, long min, long max) {
      long n;
      try {
        n = Long.parseLong(v.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " must be a whole number, was '" + v + "'", e);
      }
      if (n < min || n > max) {
        throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", was " + n);
      }
      return n;
    }
  }

  public static void main(String[] argv) throws Exception {
    Args args;
    try {
      args = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("CommittedCommands: " + e.getMessage());
      System.exit(2);
      return;
    }
    long failed;
    long startNs = System.nanoTime();
    try (LocalPachyderm local = LocalPachyderm.builder(args.dir()).entityTypes(HotPath.TYPES).open()) {
      failed = run(local, args);
    }
    System.out.printf("committed %d commands over %d counters in %.2f s, %d failed%n", args.commands() - failed,
        args.entities(), (System.nanoTime() - startNs) / 1e9, failed);
    System.exit(failed == 0 ? 0 : 1);
  }

  private static long run(LocalPachyderm local, Args args) throws InterruptedException {
    List<EntityRef<Counter.State, Counter.Command>> refs = new ArrayList<>(args.entities());
    for (int i = 0; i < args.entities(); i++) {
      refs.add(Counter.TYPE.ref("c-" + i));
    }
    Counter.Increment one = new Counter.Increment(1);
    Semaphore outstanding = new Semaphore(OUTSTANDING_MAX);
    AtomicLong failed = new AtomicLong();
    for (long i = 0; i < args.commands(); i++) {
      if (!outstanding.tryAcquire(WAIT_MAX.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(OUTSTANDING_MAX + " commands outstanding for " + WAIT_MAX);
      }
      CompletableFuture<?> call = local.callAsync(refs.get((int) (i % args.entities())), one);
      call.whenComplete((reply, failure) -> {
        if (failure != null) {
          failed.incrementAndGet();
        }
        outstanding.release();
      });
    }
    if (!outstanding.tryAcquire(OUTSTANDING_MAX, WAIT_MAX.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("commands still outstanding after " + WAIT_MAX);
    }
    return failed.get();
  }
}
