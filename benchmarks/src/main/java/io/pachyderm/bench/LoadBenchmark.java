package io.pachyderm.bench;

import io.pachyderm.client.Transport;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the load scenarios one after another, each on a fresh deployment in a temporary directory,
 * and prints one table (stdout) with every figure next to its baseline; progress goes to stderr.
 * See benchmarks/README.md for what each scenario shows and how to read the table.
 */
@Command(name = "load-benchmark", mixinStandardHelpOptions = true,
    description = "Pachyderm load benchmark: in-process 3-node clusters and the local node under a bounded, "
        + "closed-loop workload of blocking calls; one table with each figure next to its baseline.")
public final class LoadBenchmark implements Callable<Integer> {
  /** The Ratis client keeps at most 64 requests outstanding (PachydermClient sets it). */
  private static final int RATIS_OUTSTANDING_MAX = 64;
  private static final int SPREAD_ENTITIES = 1000;
  /** Lingering threads of our own (nodes, clients) get this long to end after the last scenario. */
  private static final Duration THREADS_EXIT_WAIT_MAX = Duration.ofSeconds(15);

  @Option(names = "--quick", description = "About one minute in total: fewer calls per scenario.")
  boolean quick;

  @Option(names = "--calls", description = "Measured calls per scenario. Default 30000, quick 8000.")
  Long calls;

  @Option(names = "--warmup-calls", description = "Warm-up calls per scenario, not measured. Default 5000, quick 2000.")
  Long warmupCalls;

  @Option(names = "--threads", description = "Client threads issuing blocking calls. Default ${DEFAULT-VALUE}.")
  int threads = 32;

  @Option(names = "--scenarios", split = ",", description = "Which rows to run, of a,b,c,d,e. Default all.")
  List<String> only;

  @Option(names = "--phase-seconds-max", description = "Time limit of the warm-up and of the measured phase, "
      + "each; a phase that hits it is marked +T. Default 60, quick 20.")
  Integer phaseSecondsMax;

  @Option(names = "--request-timeout-seconds", description = "Client request timeout. Default ${DEFAULT-VALUE}.")
  int requestTimeoutSeconds = 15;

  public static void main(String[] args) {
    int code = new CommandLine(new LoadBenchmark()).execute(args);
    // No System.exit on success: the JVM ending by itself shows every node and client was stopped.
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    long measuredCalls = calls != null ? calls : quick ? 8_000 : 30_000;
    long warmup = warmupCalls != null ? warmupCalls : quick ? 2_000 : 5_000;
    Duration phaseMax = Duration.ofSeconds(phaseSecondsMax != null ? phaseSecondsMax : quick ? 20 : 60);
    Duration requestTimeout = Duration.ofSeconds(requestTimeoutSeconds);
    if (threads < 1 || threads > RATIS_OUTSTANDING_MAX || measuredCalls < 1 || warmup < 0) {
      System.err.println("load-benchmark: --threads must be 1.." + RATIS_OUTSTANDING_MAX
          + ", --calls >= 1, --warmup-calls >= 0");
      return 2;
    }
    List<Scenario> scenarios = select(scenarios(threads));
    if (scenarios.isEmpty()) {
      System.err.println("load-benchmark: no scenario matches " + only + "; known: a,b,c,d,e");
      return 2;
    }
    PrintStream out = System.out;
    out.printf(Locale.ROOT, "Pachyderm load benchmark, %s%n",
        ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    out.printf(Locale.ROOT, "JVM: %s %s, %d processors, max heap %d MB%n", System.getProperty("java.vm.name"),
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    out.printf(Locale.ROOT, "Workload: %d threads, blocking call(Increment(1)) round-robin over the scenario's "
            + "counters; %,d warm-up + %,d measured calls per scenario; phase limit %d s; request timeout %d s%n%n",
        threads, warmup, measuredCalls, phaseMax.toSeconds(), requestTimeout.toSeconds());
    out.flush();

    List<Result> results = new ArrayList<>();
    for (Scenario s : scenarios) {
      results.add(run(s, warmup, measuredCalls, phaseMax, requestTimeout));
    }

    ResultTable.print(out, results);
    out.println();
    out.println("Latencies in ms per successful call (closed loop: service time at " + threads
        + " concurrent callers). vs base = calls/s relative to the named row.");
    out.println("entries/s, cmds/entry: log entries added during the measured phase (leader's applied index delta).");
    out.println("heap MB: heap used after a full GC with the deployment still up (whole JVM). elect: Raft term changes"
        + " while measuring.");
    out.println("errors: failed calls (+T: the phase hit its time limit, +S: threads stuck). count: the counters add"
        + " up to the successful calls (ok), or by how much they do not.");
    printErrors(out, results);
    out.flush();
    awaitOwnThreadsGone();
    return results.stream().allMatch(Result::ran) ? 0 : 1;
  }

  /** The rows, in print order. Every row is compared with a, the main figure. */
  static List<Scenario> scenarios(int threads) {
    return List.of(
        new Scenario("a", "gRPC cluster, natural batching, 1000 ent.", null,
            Scenario.Deployment.CLUSTER, Transport.GRPC, 256, 4, SPREAD_ENTITIES),
        // One request per call, and as many requests in flight as there are threads: what the
        // same callers get when every call costs its own RPC and log entry.
        new Scenario("b", "gRPC cluster, no batching (1 cmd/request)", "a",
            Scenario.Deployment.CLUSTER, Transport.GRPC, 1, threads, SPREAD_ENTITIES),
        new Scenario("c", "Netty cluster, natural batching, 1000 ent.", "a",
            Scenario.Deployment.CLUSTER, Transport.NETTY, 256, 4, SPREAD_ENTITIES),
        new Scenario("d", "local single node, natural batching", "a",
            Scenario.Deployment.LOCAL, Transport.GRPC, 256, 4, SPREAD_ENTITIES),
        new Scenario("e", "gRPC cluster, natural batching, ONE entity", "a",
            Scenario.Deployment.CLUSTER, Transport.GRPC, 256, 4, 1));
  }

  private List<Scenario> select(List<Scenario> all) {
    if (only == null || only.isEmpty()) {
      return all;
    }
    List<Scenario> picked = new ArrayList<>();
    for (Scenario s : all) {
      if (only.contains(s.id())) {
        picked.add(s);
      }
    }
    return picked;
  }

  private Result run(Scenario s, long warmup, long measuredCalls, Duration phaseMax, Duration requestTimeout)
      throws InterruptedException {
    progress(s, "starting (" + s.title() + ")");
    ErrorTally errors = new ErrorTally();
    Path dir;
    try {
      dir = Files.createTempDirectory("pachyderm-bench-" + s.id() + "-");
    } catch (IOException e) {
      return Result.failed(s, errors, "cannot create a temporary directory: " + e);
    }
    Target target = null;
    try {
      target = open(s, dir, requestTimeout);
      Workload workload = new Workload(target.entities(), threads, s.entityCount(), requestTimeout);
      progress(s, "warming up: " + warmup + " calls");
      Measurement warm = workload.run("warmup", warmup, phaseMax, errors);
      long indexBefore = target.appliedIndexMax();
      long termBefore = target.termMax();
      progress(s, String.format(Locale.ROOT, "warm-up %.1f s; measuring: %d calls", warm.elapsedSeconds(),
          measuredCalls));
      Measurement measured = workload.run("measured", measuredCalls, phaseMax, errors);
      long entries = target.appliedIndexMax() - indexBefore;
      long elections = target.termMax() - termBefore;
      progress(s, String.format(Locale.ROOT, "measured %.1f s, %,.0f calls/s; checking counters",
          measured.elapsedSeconds(), measured.callsPerSecond()));
      String count = countCheck(workload, warm, measured, errors);
      double heapMb = heapUsedAfterGcMb();
      return new Result(s, warm, measured, entries, elections, heapMb, count, errors, null);
    } catch (RuntimeException e) {
      errors.record("setup", e);
      return Result.failed(s, errors, e.toString());
    } finally {
      if (target != null) {
        try {
          target.close();
        } catch (RuntimeException e) {
          errors.record("close", e);
        }
      }
      deleteRecursively(dir);
      progress(s, "stopped");
    }
  }

  private static Target open(Scenario s, Path dir, Duration requestTimeout) {
    return switch (s.deployment()) {
      case CLUSTER -> InProcessCluster.start(dir, s, requestTimeout);
      case LOCAL -> LocalTarget.open(dir, requestTimeout);
    };
  }

  /** "ok" when the counters add up to the successful calls; unknown outcomes may or may not count. */
  private static String countCheck(Workload workload, Measurement warm, Measurement measured, ErrorTally errors) {
    long sum;
    try {
      sum = workload.sumOfCounters();
    } catch (RuntimeException e) {
      errors.record("count-query", e);
      return "n/a";
    }
    long expected = warm.okCalls() + measured.okCalls();
    long unknown = warm.unknownCalls() + measured.unknownCalls();
    if (sum == expected) {
      return "ok";
    }
    if (sum > expected && sum <= expected + unknown) {
      return "ok+" + (sum - expected) + "unk";
    }
    return "OFF " + (sum - expected);
  }

  private static double heapUsedAfterGcMb() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
  }

  private static void printErrors(PrintStream out, List<Result> results) {
    boolean any = false;
    for (Result r : results) {
      if (r.errors().isEmpty()) {
        continue;
      }
      if (!any) {
        out.println();
        out.println("Failures seen (grouped; digits folded to #):");
        any = true;
      }
      out.println("[" + r.scenario().id() + "] " + r.scenario().title());
      for (String line : r.errors().report()) {
        out.println("  " + line);
      }
    }
    if (!any) {
      out.println();
      out.println("No failed calls.");
    }
  }

  /**
   * Waits (bounded) until no non-daemon thread but this one is alive, and names any that
   * remain: a node or client that did not stop would keep the JVM from exiting.
   */
  private static void awaitOwnThreadsGone() throws InterruptedException {
    long deadlineNs = System.nanoTime() + THREADS_EXIT_WAIT_MAX.toNanos();
    List<Thread> left = lingering();
    while (!left.isEmpty() && System.nanoTime() - deadlineNs < 0) {
      Thread.sleep(100);
      left = lingering();
    }
    if (!left.isEmpty()) {
      System.err.println("load-benchmark: non-daemon threads still running after " + THREADS_EXIT_WAIT_MAX.toSeconds()
          + " s (the JVM will not exit by itself): " + left.stream().map(Thread::getName).toList());
    }
  }

  private static List<Thread> lingering() {
    Thread self = Thread.currentThread();
    List<Thread> left = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t != self && t.isAlive() && !t.isDaemon() && !t.getName().equals("DestroyJavaVM")) {
        left.add(t);
      }
    }
    return left;
  }

  private static void progress(Scenario s, String what) {
    System.err.printf(Locale.ROOT, "[%s] %s%n", s.id(), what);
    System.err.flush();
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      // Not a durability path: a leftover temporary directory is worth a line, not the results.
      System.err.println("load-benchmark: cannot delete " + dir + ": " + e);
    }
  }
}
