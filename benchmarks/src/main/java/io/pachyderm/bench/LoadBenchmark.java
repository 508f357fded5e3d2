package io.pachyderm.bench;

import io.pachyderm.bench.statestore.StoreKind;
import io.pachyderm.cluster.Transport;
import io.pachyderm.node.status.OutboxStats;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Warms the JIT up, then runs the load scenarios one after another, each on a fresh deployment in
 * a temporary directory, and prints one table (stdout) with every figure next to its baseline.
 * Progress goes to stderr. See benchmarks/README.md for what each row shows and how to read it.
 */
@Command(name = "load-benchmark",
    description = "Pachyderm load benchmark: in-process 3-node clusters and the local node under a bounded, "
        + "closed-loop workload of blocking calls; one table with each figure next to its baseline.")
public final class LoadBenchmark implements Callable<Integer> {
  /** The Ratis client keeps at most 64 requests outstanding (PachydermClient sets it). */
  private static final int RATIS_OUTSTANDING_MAX = 64;
  private static final int SPREAD_ENTITIES = 1000;
  /** Calls per deployment and round of the JIT warm-up. */
  private static final long JIT_WARMUP_CHUNK_CALLS = 5_000;
  /** Most warm-up chunks of one row (each --warmup-calls calls); see {@link #warmUp}. */
  private static final int ROW_WARMUP_CHUNKS_MAX = 4;
  /** How often the delivery lag is sampled: the leader's outbox counters are read in-process, cheaply. */
  private static final long DELIVERY_POLL_MS = 1;
  /** Lingering threads of our own (nodes, clients) get this long to end after the last scenario. */
  private static final Duration THREADS_EXIT_WAIT_MAX = Duration.ofSeconds(15);

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Option(names = "--quick", description = "About one minute in total: shorter JIT warm-up, fewer calls.")
  boolean quick;

  @Option(names = "--calls", description = "Measured calls per scenario. Default 50000, quick 8000.")
  Long calls;

  @Option(names = "--warmup-calls", description = "Calls per warm-up chunk of a row, on its fresh deployment, not "
      + "measured; chunks repeat (up to 4, quick 1) until the JIT is quiet. Default 5000, quick 2000.")
  Long warmupCalls;

  @Option(names = "--jit-warmup-seconds-max", description = "Limit of the JIT warm-up before the first scenario "
      + "(it ends earlier once the JIT is quiet); 0 skips it. Default 100, quick 20.")
  Integer jitWarmupSecondsMax;

  @Option(names = "--threads", description = "Client threads issuing blocking calls. Default ${DEFAULT-VALUE}.")
  int threads = 32;

  @Option(names = "--scenarios", split = ",", description = "Which rows to run, in this order, of a,t,b,c,d,e,f,g "
      + "(and the journal rows h,i,j,k,l,m). Default a,t,b-g.")
  List<String> only;

  @Option(names = "--phase-seconds-max", description = "Time limit of each warm-up and measured phase; a phase "
      + "that hits it is marked +T. Default 60, quick 20.")
  Integer phaseSecondsMax;

  @Option(names = "--store", split = ",", description = "Entity state store of every row's nodes: heap, disk, or"
      + " both (heap,disk: each row runs on each store back to back, so that both share the machine's load, and a"
      + " table prints DISK/HEAP per row; issue 14). Default heap.")
  List<String> store = List.of("heap");

  @Option(names = "--store-rounds", description = "With two stores or more: each row runs this many times on every"
      + " store, the order alternating (round 1 in --store's order, round 2 reversed, ...), and the comparison adds"
      + " each store's mean: the store run second measured lower in most pairs on the 2-core machine. Default 1.")
  int storeRounds = 1;

  /** {@link #store}, parsed in {@link #call()}: the stores each row runs on, in this order. */
  private List<StoreKind> storeKinds;

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
    long measuredCalls = calls != null ? calls : quick ? 8_000 : 50_000;
    long warmup = warmupCalls != null ? warmupCalls : quick ? 2_000 : 5_000;
    Duration jitMax = Duration.ofSeconds(jitWarmupSecondsMax != null ? jitWarmupSecondsMax : quick ? 20 : 100);
    Duration phaseMax = Duration.ofSeconds(phaseSecondsMax != null ? phaseSecondsMax : quick ? 20 : 60);
    Duration requestTimeout = Duration.ofSeconds(requestTimeoutSeconds);
    if (threads < 1 || threads > RATIS_OUTSTANDING_MAX || measuredCalls < 1 || warmup < 0 || jitMax.isNegative()
        || phaseMax.isNegative() || phaseMax.isZero() || requestTimeoutSeconds < 1 || storeRounds < 1) {
      System.err.println("load-benchmark: --threads must be 1.." + RATIS_OUTSTANDING_MAX + ", --calls >= 1, "
          + "--warmup-calls and --jit-warmup-seconds-max >= 0, the other limits and --store-rounds >= 1");
      return 2;
    }
    try {
      storeKinds = StoreKind.parseList(store);
    } catch (IllegalArgumentException e) {
      System.err.println("load-benchmark: " + e.getMessage());
      return 2;
    }
    List<Scenario> scenarios = select(scenarios(threads));
    if (scenarios.isEmpty()) {
      System.err.println("load-benchmark: no scenario matches " + only + "; known: a,t,b,c,d,e,f,g,"
          + JOURNAL_ROWS);
      return 2;
    }
    String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);

    ErrorTally jitErrors = new ErrorTally();
    List<String> jitSummaries = new ArrayList<>();
    for (StoreKind store : storeKinds) {
      jitSummaries.add(store.flag() + ": " + (jitMax.isZero() ? "skipped"
          : warmJit(store, jitMax, phaseMax, requestTimeout, jitErrors)));
    }
    String jitSummary = String.join("; ", jitSummaries);
    System.gc();
    // Row by row, each row on every store before the next row: the stores of one row then share
    // the machine's load of that moment (this machine is shared; figures drift over minutes).
    Map<StoreKind, List<Result>> resultsByStore = new EnumMap<>(StoreKind.class);
    for (StoreKind store : storeKinds) {
      resultsByStore.put(store, new ArrayList<>());
    }
    List<StoreKind> reversed = new ArrayList<>(storeKinds);
    Collections.reverse(reversed);
    int rounds = storeKinds.size() > 1 ? storeRounds : 1;
    for (Scenario s : scenarios) {
      for (int round = 0; round < rounds; round++) {
        for (StoreKind store : round % 2 == 0 ? storeKinds : reversed) {
          resultsByStore.get(store).add(run(s, store, warmup, measuredCalls, phaseMax, requestTimeout));
        }
      }
    }

    // Ratis logs to stdout too (config/logback.xml), so the report is one block at the very end.
    PrintStream out = System.out;
    out.println();
    out.println("===== Pachyderm load benchmark =====");
    out.printf(Locale.ROOT, "started %s; %s %s, %d processors, max heap %d MB%n", started,
        System.getProperty("java.vm.name"), System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
    out.printf(Locale.ROOT, "workload: %d threads, blocking call(Increment(1)) round-robin over the row's counters "
            + "(rows f, g: call(Transfer(1 cent)) from account k to k+1, the credit sent on as a message); "
            + "%,d measured calls per row after %s of %,d calls; phase limit %d s; request timeout %d s%n",
        threads, measuredCalls, quick ? "1 warm-up chunk" : "1-" + ROW_WARMUP_CHUNKS_MAX + " warm-up chunks", warmup,
        phaseMax.toSeconds(), requestTimeout.toSeconds());
    out.println("state store of every node: " + String.join(", ", storeKinds.stream().map(StoreKind::flag).toList())
        + " (--store)" + (storeKinds.size() > 1 ? "; each row on each store back to back" : "")
        + (rounds > 1 ? ", " + rounds + " rounds, the order alternating" : ""));
    out.println("JIT warm-up before the first row: " + jitSummary);
    List<Result> results = new ArrayList<>();
    for (Map.Entry<StoreKind, List<Result>> e : resultsByStore.entrySet()) {
      out.println();
      if (storeKinds.size() > 1) {
        out.println("--- state store " + e.getKey().flag() + " ---");
      }
      ResultTable.print(out, e.getValue());
      results.addAll(e.getValue());
    }
    out.println();
    out.println("calls/s over the measured phase; vs base = calls/s relative to the named row. Latencies in ms per"
        + " successful call,");
    out.println("  closed loop: service time at " + threads + " concurrent callers, not response time at a fixed"
        + " arrival rate.");
    out.println("entries/s, cmds/entry: committed log entries carrying commands (batches) in the measured phase,"
        + " from Ratis'");
    out.println("  log counter on the leader; a command retried after a conflict counts once per attempt. Rows f, g:"
        + " the entries");
    out.println("  include the leader's delivery entries (up to 256 credits each), so cmds/entry is below the"
        + " client's batching.");
    out.println("heap MB: heap used after a full GC at the end of the row, deployment still up (whole JVM).");
    out.println("elect: Raft term changes while measuring. errors: failed calls (+T: hit the phase time limit,"
        + " +S: threads stuck).");
    out.println("count: the counters add up to the successful calls (ok), or by how much they do not; transfer rows:"
        + " the money is");
    out.println("  conserved, no balance is negative, and debits = credits = successful transfers (ok).");
    out.println("wu: warm-up chunks the row needed before the JIT was quiet. JIT ms: time the JIT spent compiling"
        + " during the");
    out.println("  measured phase (all compiler threads); large means the row was not measured at steady state.");
    out.println("GC ms: stop-the-world collection time during the measured phase (whole JVM).");
    for (List<Result> ofStore : resultsByStore.values()) {
      ResultTable.printDelivery(out, ofStore);
      ResultTable.printJournal(out, ofStore);
    }
    if (storeKinds.size() > 1) {
      StoreComparison.print(out, resultsByStore, rounds);
    }
    printErrors(out, jitErrors, resultsByStore);
    out.flush();
    awaitOwnThreadsGone();
    return results.stream().allMatch(Result::ran) ? 0 : 1;
  }

  /** The rows, in print order. Every row is compared with a, the main figure. */
  static List<Scenario> scenarios(int threads) {
    return List.of(
        new Scenario("a", "gRPC cluster, natural batching, 1000 ent.", null,
            Scenario.Deployment.CLUSTER, Transport.GRPC, 256, 4, SPREAD_ENTITIES, Scenario.Load.INCREMENTS),
        // One request per call, and as many requests in flight as there are threads: what the
        // same callers get when every call costs its own RPC and log entry.
        // What TLS costs: the same cluster and client as a, every connection (Raft peers, the
        // client) mutual TLS. Right after a, so that the two are measured back to back.
        new Scenario("t", "gRPC cluster, mutual TLS, natural batching", "a",
            Scenario.Deployment.CLUSTER, Transport.GRPC, 256, 4, SPREAD_ENTITIES, Scenario.Load.INCREMENTS, true, 1,
            true),
        new Scenario("b", "gRPC cluster, no batching (1 cmd/request)", "a",
            Scenario.Deployment.CLUSTER, Transport.GRPC, 1, threads, SPREAD_ENTITIES, Scenario.Load.INCREMENTS),
        new Scenario("c", "Netty cluster, natural batching, 1000 ent.", "a",
            Scenario.Deployment.CLUSTER, Transport.NETTY, 256, 4, SPREAD_ENTITIES, Scenario.Load.INCREMENTS),
        new Scenario("d", "local single node, natural batching", "a",
            Scenario.Deployment.LOCAL, Transport.GRPC, 256, 4, SPREAD_ENTITIES, Scenario.Load.INCREMENTS),
        new Scenario("e", "gRPC cluster, natural batching, ONE entity", "a",
            Scenario.Deployment.CLUSTER, Transport.GRPC, 256, 4, 1, Scenario.Load.INCREMENTS),
        // Messaging: each transfer is one client call plus one entity-to-entity delivery (its own
        // log entry, written by the leader after the debit commits), against the same deployment
        // doing plain increments.
        new Scenario("f", "gRPC cluster, bank transfers, 1000 accounts", "a",
            Scenario.Deployment.CLUSTER, Transport.GRPC, 256, 4, SPREAD_ENTITIES, Scenario.Load.TRANSFERS),
        new Scenario("g", "local single node, bank transfers", "d",
            Scenario.Deployment.LOCAL, Transport.GRPC, 256, 4, SPREAD_ENTITIES, Scenario.Load.TRANSFERS),
        // The journal's cost on the apply path (`run.sh journal`): the same load on nodes without
        // and with the event journal, each "on" row compared with the "off" row before it. Calls
        // are Append(k) on BenchLog entities, k events per call, so that events/s = calls/s x k.
        journalRow("h", "single node, journal OFF, 1 event/call", null, Scenario.Deployment.SINGLE, false, 1),
        journalRow("i", "single node, journal on,  1 event/call", "h", Scenario.Deployment.SINGLE, true, 1),
        journalRow("j", "single node, journal OFF, 10 events/call", null, Scenario.Deployment.SINGLE, false, 10),
        journalRow("k", "single node, journal on,  10 events/call", "j", Scenario.Deployment.SINGLE, true, 10),
        journalRow("l", "gRPC cluster, journal OFF, 10 events/call", null, Scenario.Deployment.CLUSTER, false, 10),
        journalRow("m", "gRPC cluster, journal on,  10 events/call", "l", Scenario.Deployment.CLUSTER, true, 10));
  }

  /** Ids of the journal rows, `run.sh journal`'s default selection. */
  static final String JOURNAL_ROWS = "h,i,j,k,l,m";

  private static Scenario journalRow(String id, String title, String baselineId, Scenario.Deployment deployment,
                                     boolean journal, int eventsPerCall) {
    return new Scenario(id, title, baselineId, deployment, Transport.GRPC, 256, 4, SPREAD_ENTITIES,
        Scenario.Load.APPENDS, journal, eventsPerCall);
  }

  private List<Scenario> select(List<Scenario> all) {
    if (only == null || only.isEmpty()) {
      return all.stream().filter(s -> s.load() != Scenario.Load.APPENDS).toList();
    }
    List<Scenario> picked = new ArrayList<>();
    for (String id : only) {
      for (Scenario s : all) {
        if (s.id().equals(id.trim())) {
          picked.add(s);
        }
      }
    }
    return picked;
  }

  /** Load on one deployment of each kind at once (rows a, c, d), until the JIT is quiet; see {@link JitWarmup}. */
  private String warmJit(StoreKind storeKind, Duration timeMax, Duration phaseMax, Duration requestTimeout,
                         ErrorTally errors)
      throws InterruptedException {
    List<Scenario> kinds = new ArrayList<>();
    for (Scenario s : jitKinds()) {
      kinds.add(new Scenario("jit-" + s.id(), s.title(), null, s.deployment(), s.transport(), s.commandsPerBatchMax(),
          s.inflightBatchesMax(), s.entityCount(), s.load(), s.journal(), s.eventsPerCall(), s.mutualTls()));
    }
    List<TempDeployment> deployments = new ArrayList<>();
    Progress.line("jit", "starting one deployment of each kind: " + kinds.stream().map(Scenario::transportLabel).toList());
    try {
      List<Workload> workloads = new ArrayList<>();
      for (Scenario s : kinds) {
        TempDeployment d = TempDeployment.open(s, requestTimeout, storeKind);
        deployments.add(d);
        workloads.add(new Workload(s.transportLabel(), d.target().entities(), threads, s.entityCount(), s.load(),
            s.eventsPerCall(), requestTimeout));
      }
      return JitWarmup.run(workloads, JIT_WARMUP_CHUNK_CALLS, timeMax, phaseMax, errors).describe();
    } catch (RuntimeException e) {
      errors.record("setup", e);
      return "failed: " + e;
    } finally {
      for (TempDeployment d : deployments) {
        try {
          d.close();
        } catch (RuntimeException e) {
          errors.record("close", e);
        }
      }
      Progress.line("jit", "stopped");
    }
  }

  /**
   * The deployments the JIT warm-up loads: rows a, c and d (and t, the TLS code paths, when it is
   * chosen), or, when only journal rows were chosen, the journal rows' code paths (a single node
   * and a gRPC cluster, Append(10), journal on).
   */
  private List<Scenario> jitKinds() {
    List<Scenario> all = scenarios(threads);
    List<Scenario> chosen = select(all);
    boolean journalOnly = chosen.stream().allMatch(s -> s.load() == Scenario.Load.APPENDS);
    boolean tls = chosen.stream().anyMatch(Scenario::mutualTls);
    List<Scenario> kinds = new ArrayList<>();
    for (Scenario s : all) {
      boolean kind = journalOnly ? s.id().equals("k") || s.id().equals("m")
          : "acd".contains(s.id()) || (tls && s.id().equals("t"));
      if (kind) {
        kinds.add(s);
      }
    }
    return kinds;
  }

  private Result run(Scenario s, StoreKind storeKind, long warmup, long measuredCalls, Duration phaseMax,
                     Duration requestTimeout)
      throws InterruptedException {
    // Every row starts from a collected heap: the previous deployment's garbage (hundreds of MB
    // after the JIT warm-up) made young pauses of 100-180 ms in the next row's measurement.
    System.gc();
    progress(s, "starting (" + s.title() + ", store " + storeKind.flag() + ")");
    ErrorTally errors = new ErrorTally();
    TempDeployment deployment = null;
    try {
      deployment = TempDeployment.open(s, requestTimeout, storeKind);
      Target target = deployment.target();
      Workload workload = new Workload(s.id(), target.entities(), threads, s.entityCount(), s.load(),
          s.eventsPerCall(), requestTimeout);
      Warmed warmed = warmUp(s, workload, warmup, phaseMax, errors);
      boolean transfers = s.load() == Scenario.Load.TRANSFERS;
      if (transfers) {
        // The measured phase starts with an empty outbox, so its lag is its own credits' lag.
        progress(s, "waiting for the warm-up's credits to land");
        if (!awaitNoPendingMessages(target, phaseMax)) {
          errors.record("warmup", new IllegalStateException("the warm-up's credits were still pending after "
              + phaseMax.toSeconds() + " s: " + target.leaderOutbox()));
        }
      }
      long batchesBefore = target.committedBatchesMax();
      long termBefore = target.termMax();
      OutboxStats outboxBefore = transfers ? target.leaderOutbox() : null;
      progress(s, "measuring: " + measuredCalls + " calls");
      Measurement measured = workload.run("measured", measuredCalls, phaseMax, errors);
      long batchesAfter = target.committedBatchesMax();
      long entries = batchesBefore < 0 || batchesAfter < 0 ? -1 : batchesAfter - batchesBefore;
      long elections = target.termMax() - termBefore;
      Result.Delivery delivery = transfers ? measureDelivery(target, outboxBefore, measured, phaseMax) : null;
      progress(s, String.format(Locale.ROOT, "measured %.1f s, %,.0f calls/s%s; checking %s",
          measured.elapsedSeconds(), measured.callsPerSecond(),
          delivery == null ? "" : String.format(Locale.ROOT, ", delivery lag %.0f ms", delivery.lagMs()),
          transfers ? "balances" : "counters"));
      long ok = warmed.okCalls() + measured.okCalls();
      long unknown = warmed.unknownCalls() + measured.unknownCalls();
      String count = transfers ? bankCheck(workload, ok, unknown, errors)
          : countCheck(workload, s, ok, unknown, errors);
      double heapMb = heapUsedAfterGcMb();
      return new Result(s, warmed.chunks(), measured, entries, elections, heapMb, count, delivery, errors, null);
    } catch (RuntimeException e) {
      errors.record("setup", e);
      return Result.failed(s, errors, e.toString());
    } finally {
      if (deployment != null) {
        try {
          deployment.close();
        } catch (RuntimeException e) {
          errors.record("close", e);
        }
      }
      progress(s, "stopped");
    }
  }

  /** What a row's warm-up did: chunks run, and the outcomes the count check needs. */
  private record Warmed(int chunks, long okCalls, long unknownCalls) {}

  /**
   * Chunks of {@code chunkCalls} calls on the row's fresh deployment until one passes with the
   * JIT quiet, at most {@link #ROW_WARMUP_CHUNKS_MAX} (quick: 1). Why: even after the JIT warm-up,
   * the first chunk on a new deployment set off hundreds of deoptimisations and recompilations in
   * Ratis' code (seen with -XX:+PrintCompilation), seconds of JIT time inside the measurement.
   */
  private Warmed warmUp(Scenario s, Workload workload, long chunkCalls, Duration phaseMax, ErrorTally errors)
      throws InterruptedException {
    int chunksMax = quick ? 1 : ROW_WARMUP_CHUNKS_MAX;
    long ok = 0;
    long unknown = 0;
    for (int chunk = 1; chunk <= chunksMax; chunk++) {
      if (chunkCalls == 0) {
        return new Warmed(0, 0, 0);
      }
      Measurement m = workload.run("warmup", chunkCalls, phaseMax, errors);
      ok += m.okCalls();
      unknown += m.unknownCalls();
      double compileMsPerS = m.jitCompileMs() / Math.max(1e-3, m.elapsedSeconds());
      progress(s, String.format(Locale.ROOT, "warm-up chunk %d: %,d calls, %.1f s, %,.0f calls/s, JIT compiling "
          + "%.0f ms/s", chunk, chunkCalls, m.elapsedSeconds(), m.callsPerSecond(), compileMsPerS));
      if (compileMsPerS < JitWarmup.QUIET_COMPILE_MS_PER_S) {
        return new Warmed(chunk, ok, unknown);
      }
    }
    return new Warmed(chunksMax, ok, unknown);
  }

  /**
   * "ok" when the counters add up to the successful calls (load APPENDS: the entities' events to
   * eventsPerCall times the successful calls); unknown outcomes may or may not count.
   */
  private static String countCheck(Workload workload, Scenario s, long okCalls, long unknownCalls,
                                   ErrorTally errors) {
    long sum;
    long expected = okCalls * s.eventsPerCall();
    long unknown = unknownCalls * s.eventsPerCall();
    try {
      sum = s.load() == Scenario.Load.APPENDS ? workload.sumOfLogEvents() : workload.sumOfCounters();
    } catch (RuntimeException e) {
      errors.record("count-query", e);
      return "n/a";
    }
    if (sum == expected) {
      return "ok";
    }
    if (sum > expected && sum <= expected + unknown) {
      return "ok+" + (sum - expected) + "unk";
    }
    return "OFF " + (sum - expected);
  }

  /**
   * Delivery over the measured phase, from the leader's outbox: deliveries per second while the
   * calls ran, what was still pending once the last call had returned, and how long until none was.
   */
  private static Result.Delivery measureDelivery(Target target, OutboxStats before, Measurement measured,
                                                 Duration timeMax) throws InterruptedException {
    OutboxStats atEnd = target.leaderOutbox();
    long lagStartNs = System.nanoTime();
    boolean landed = awaitNoPendingMessages(target, timeMax);
    double lagMs = landed ? (System.nanoTime() - lagStartNs) / 1e6 : -1;
    if (atEnd != null && atEnd.pendingMessages() == 0) {
      lagMs = 0;
    }
    // Every replica applies every delivery, so the delivered counters of two leaders differ only by
    // apply lag: a leader change inside the phase does not spoil the difference.
    double deliveredPerSecond = before == null || atEnd == null ? -1
        : (atEnd.messagesDelivered() - before.messagesDelivered()) / Math.max(1e-9, measured.elapsedSeconds());
    return new Result.Delivery(deliveredPerSecond, atEnd == null ? -1 : atEnd.pendingMessages(), lagMs);
  }

  /** Polls the leader's outbox until it holds no undelivered message; false when {@code timeMax} passes first. */
  private static boolean awaitNoPendingMessages(Target target, Duration timeMax) throws InterruptedException {
    long deadlineNs = System.nanoTime() + timeMax.toNanos();
    while (true) {
      OutboxStats now = target.leaderOutbox();
      if (now != null && now.pendingMessages() == 0) {
        return true;
      }
      if (System.nanoTime() - deadlineNs > 0) {
        return false;
      }
      Thread.sleep(DELIVERY_POLL_MS);
    }
  }

  /**
   * "ok" when the money is conserved, no balance is negative, and every successful transfer was
   * debited once and credited once; unknown outcomes may or may not have been applied.
   */
  private static String bankCheck(Workload workload, long ok, long unknown, ErrorTally errors) {
    Workload.BankTotals t;
    try {
      t = workload.bankTotals();
    } catch (RuntimeException e) {
      errors.record("bank-query", e);
      return "n/a";
    }
    if (t.totalCents() != t.expectedTotalCents()) {
      return "OFF " + (t.totalCents() - t.expectedTotalCents()) + "c";
    }
    if (t.negative() > 0) {
      return "NEG " + t.negative();
    }
    if (t.debits() != t.credits()) {
      return "CR " + (t.credits() - t.debits());
    }
    if (t.debits() == ok) {
      return "ok";
    }
    if (t.debits() > ok && t.debits() <= ok + unknown) {
      return "ok+" + (t.debits() - ok) + "unk";
    }
    return "OFF " + (t.debits() - ok);
  }

  private static double heapUsedAfterGcMb() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
  }

  private static void printErrors(PrintStream out, ErrorTally jitErrors, Map<StoreKind, List<Result>> results) {
    List<String> lines = new ArrayList<>();
    if (!jitErrors.isEmpty()) {
      lines.add("[jit] JIT warm-up");
      jitErrors.report().forEach(l -> lines.add("  " + l));
    }
    for (Map.Entry<StoreKind, List<Result>> e : results.entrySet()) {
      for (Result r : e.getValue()) {
        if (!r.errors().isEmpty()) {
          lines.add("[" + r.scenario().id() + ", " + e.getKey().flag() + "] " + r.scenario().title());
          r.errors().report().forEach(l -> lines.add("  " + l));
        }
      }
    }
    out.println();
    if (lines.isEmpty()) {
      out.println("No failed calls.");
      return;
    }
    out.println("Failures seen (grouped; digits folded to #):");
    lines.forEach(out::println);
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
    Progress.line(s.id(), what);
  }
}
