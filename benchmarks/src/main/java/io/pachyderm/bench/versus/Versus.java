package io.pachyderm.bench.versus;

import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.examples.bank.Account;
import io.pachyderm.local.LocalPachyderm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The load generator of {@code benchmarks/versus.sh}, a JVM of its own: {@code run} drives one
 * system (started by the script) through every workload and writes its rows to
 * {@code OUT/rows-SYSTEM.tsv}; {@code report} reads every such file of the run and prints the one
 * table with the targets' verdicts, also written to {@code OUT/versus.tsv} and
 * {@code OUT/targets.tsv}. Exit code 2 for bad arguments (the message names what was wrong).
 */
public final class Versus {
  /** How long a system may take, once started, to accept its first write. */
  private static final Duration READY_WAIT_MAX = Duration.ofSeconds(120);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** Length of one warm-up round. */
  static final Duration WARMUP_ROUND = Duration.ofSeconds(5);
  /**
   * JIT compile time per wall second and watched process under which a round is quiet (the
   * in-process benchmark's {@code JitWarmup} uses the same figure for its one JVM). Measured with
   * three node JVMs and the load generator: compiling ~850 ms/s for the first minute, then 100-250
   * ms/s for minutes once their rate had levelled off, so the bound is per process, not in all.
   */
  static final double QUIET_COMPILE_MS_PER_S = 50;
  /** Quiet rounds in a row that end the warm-up. */
  static final int QUIET_ROUNDS = 2;
  private static final String ROWS_PREFIX = "rows-";


  private Versus() {
  }

  public static void main(String[] args) throws Exception {
    VersusArgs a;
    try {
      a = VersusArgs.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("versus: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      switch (a.command()) {
        case REPORT -> report(a.out());
        case CURVE -> OpenSweep.report(a.out());
        case RUN, OPEN -> run(a);
        case FAILOVER -> failover(a);
      }
    } catch (Exception e) {
      // Exit rather than return: the clients' non-daemon threads (jetcd's Vert.x, gRPC) would keep the JVM up.
      System.err.println("versus: " + (a.system() == null ? a.command() : a.system().label()) + " failed: " + e);
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  static void run(VersusArgs a) throws Exception {
    byte[] payload = new byte[a.payloadBytes()];
    Arrays.fill(payload, (byte) 'x');
    List<Row> rows = new ArrayList<>();
    try (Driver driver = open(a, payload)) {
      awaitReady(driver, a.system());
      if (!a.warmup().isZero()) {
        warmUp(a, driver);
      }
      if (a.command() == VersusArgs.Command.OPEN) {
        OpenSweep.run(a, driver, referenceRate(a, driver), REQUEST_TIMEOUT, message -> progress(a, message));
        return;
      }
      for (Workload workload : a.workloads()) {
        if (!workload.supports(a.system())) {
          progress(a, workload.label() + ": not run (" + a.system().label() + " has no such operation here)");
          continue;
        }
        ClosedLoop.Measured m = workload == Workload.FOLLOW
            // The last entity: not the hot workload's (0), whose history is long by now.
            ? FanOut.run(driver, a.callers(), a.entities() - 1, a.callsMax(), a.measure())
            : new ClosedLoop(driver, a.callers(), workload, a.entities(), a.seed() + workload.ordinal())
                .run(a.callsMax(), a.measure());
        int entities = workload == Workload.FOLLOW ? 1 : a.entities();
        Row row = new Row(a.system().label(), workload.label(), a.callers(), entities, a.payloadBytes(), m.ops(),
            m.seconds(), ms(m.latencyUs().getValueAtPercentile(50)), ms(m.latencyUs().getValueAtPercentile(99)),
            ms(m.latencyUs().getValueAtPercentile(99.9)), ms(m.latencyUs().getMaxValue()), m.retries(), m.errors());
        rows.add(row);
        progress(a, String.format(Locale.ROOT, "%s: %,.0f ops/s, p99 %.2f ms, %d retries, %d errors%s", workload.label(),
            row.opsPerSecond(), row.p99Ms(), m.retries(), m.errors(),
            m.firstError() == null ? "" : " (first: " + m.firstError() + ")"));
      }
    }
    Files.createDirectories(a.out());
    StringBuilder tsv = new StringBuilder(Row.TSV_HEADER).append('\n');
    for (Row r : rows) {
      tsv.append(r.toTsv()).append('\n');
    }
    Files.writeString(a.out().resolve(ROWS_PREFIX + a.system().label() + ".tsv"), tsv, StandardCharsets.UTF_8);
  }

  private static Driver open(VersusArgs a, byte[] payload) throws Exception {
    String payloadText = new String(payload, StandardCharsets.US_ASCII);
    // The bank workload's accounts are the examples' Account, which the nodes serve (ExampleTypesProvider).
    EntityTypes types = EntityTypes.of(Register.TYPE, Account.TYPE);
    return switch (a.system()) {
      case PACHYDERM_CLUSTER -> {
        PachydermClient client = PachydermClient.builder(Peer.parseList(String.join(",", a.endpoints())))
            .entityTypes(types).requestTimeout(REQUEST_TIMEOUT).build();
        yield new PachydermDriver(client, client, a.entities(), payloadText);
      }
      case PACHYDERM_LOCAL -> {
        LocalPachyderm local = LocalPachyderm.builder(a.data()).entityTypes(types).requestTimeout(REQUEST_TIMEOUT)
            .open();
        yield new PachydermDriver(local, local, a.entities(), payloadText);
      }
      case RAW_RATIS -> new RawRatisDriver(Peer.parseList(String.join(",", a.endpoints())), a.callers(), payload);
      case ETCD_TXN -> new EtcdDriver(a.endpoints(), EtcdDriver.Mode.TXN, a.entities(), payload);
      case ETCD_PUT -> new EtcdDriver(a.endpoints(), EtcdDriver.Mode.PUT, a.entities(), payload);
      case POSTGRES_OCC -> new PostgresDriver(a.endpoints().get(0), a.callers(), a.entities(), payload);
    };
  }

  static void failover(VersusArgs a) throws Exception {
    byte[] payload = new byte[a.payloadBytes()];
    Arrays.fill(payload, (byte) 'x');
    List<Failover.Row> rows;
    try (Driver driver = open(a, payload); LeaderProbe probe = probe(a)) {
      awaitReady(driver, a.system());
      rows = new Failover(a, driver, probe, message -> progress(a, message)).run();
    }
    String table = Failover.render(a.system().label(), rows);
    System.out.print(table);
    Files.createDirectories(a.out());
    Files.writeString(a.out().resolve("failover-" + a.system().label() + ".txt"), table, StandardCharsets.UTF_8);
  }

  private static LeaderProbe probe(VersusArgs a) {
    if (a.system() == SystemKind.ETCD_TXN) {
      return new LeaderProbe.Etcd(a.endpoints());
    }
    List<Peer> peers = Peer.parseList(String.join(",", a.endpoints()));
    List<String> ids = new ArrayList<>();
    for (Peer p : peers) {
      ids.add(p.id());
    }
    return new LeaderProbe.Pachyderm(PachydermClient.builder(peers).entityTypes(EntityTypes.of(Register.TYPE))
        .requestTimeout(Duration.ofSeconds(5)).build(), ids);
  }

  /** The sweep's 100%: --max-rate, or what a closed loop of --callers achieves on the uniform workload. */
  private static double referenceRate(VersusArgs a, Driver driver) throws InterruptedException {
    if (a.maxRatePerS() > 0) {
      return a.maxRatePerS();
    }
    ClosedLoop.Measured m = new ClosedLoop(driver, a.callers(), Workload.UNIFORM, a.entities(), a.seed() + 77)
        .run(a.callsMax(), a.measure());
    double rate = m.ops() / m.seconds();
    progress(a, String.format(Locale.ROOT, "closed loop of %d callers (the sweep's 100%%): %,.0f ops/s", a.callers(),
        rate));
    return rate;
  }

  /** Retries one write (bounded) until the system, just started, accepts it: its leader is elected. */
  private static void awaitReady(Driver driver, SystemKind system) throws InterruptedException {
    long deadlineNs = System.nanoTime() + READY_WAIT_MAX.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadlineNs) {
      try {
        driver.update(0, 0);
        return;
      } catch (Exception e) {
        last = e;
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException(system.label() + " accepted no write within " + READY_WAIT_MAX, last);
  }

  static void report(Path out) throws IOException {
    List<Row> rows = new ArrayList<>();
    if (Files.isDirectory(out)) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(out, ROWS_PREFIX + "*.tsv")) {
        for (Path f : files) {
          List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
          for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            if (!line.isBlank()) {
              rows.add(Row.fromTsv(line));
            }
          }
        }
      }
    }
    if (rows.isEmpty()) {
      System.out.println("versus: no rows in " + out + " (no system ran to the end; see the messages above)");
      return;
    }
    System.out.print(VersusTable.render(rows));
    StringBuilder all = new StringBuilder(Row.TSV_HEADER).append('\n');
    for (Row r : VersusTable.ordered(rows)) {
      all.append(r.toTsv()).append('\n');
    }
    Files.writeString(out.resolve("versus.tsv"), all, StandardCharsets.UTF_8);
    Files.writeString(out.resolve("targets.tsv"), VersusTable.targetsTsv(rows), StandardCharsets.UTF_8);
  }

  private static double ms(long us) {
    return us / 1000.0;
  }

  /**
   * Uniform updates in rounds of {@link #WARMUP_ROUND} until the JIT compilers of every watched
   * process ({@code --pids}, the system's JVMs, and this one) have been quiet for {@link
   * #QUIET_ROUNDS} rounds, or {@code --warmup-seconds} passed. Without {@code /proc} it runs the
   * whole time.
   */
  private static void warmUp(VersusArgs a, Driver driver) throws InterruptedException {
    ProcessJit jit = ProcessJit.available() ? new ProcessJit(a.pids()) : null;
    progress(a, "warm-up, uniform, until the JIT is quiet" + (jit == null ? " (no /proc here: the whole time)"
        : " in " + jit.processes() + " processes") + ", up to " + a.warmup().toSeconds() + " s");
    long deadlineNs = System.nanoTime() + a.warmup().toNanos();
    int quietRounds = 0;
    long ops = 0;
    long errors = 0;
    long compileMsBefore = jit == null ? 0 : jit.compileMs();
    for (int round = 1; ; round++) {
      long leftNs = deadlineNs - System.nanoTime();
      if (leftNs <= 0) {
        break;
      }
      long startNs = System.nanoTime();
      ClosedLoop.Measured w = new ClosedLoop(driver, a.callers(), Workload.UNIFORM, a.entities(), a.seed() + 99 + round)
          .run(a.callsMax(), Duration.ofNanos(Math.min(WARMUP_ROUND.toNanos(), leftNs)));
      double seconds = (System.nanoTime() - startNs) / 1e9;
      ops += w.ops();
      errors += w.errors();
      if (jit == null) {
        continue;
      }
      long compileMs = jit.compileMs();
      double compileMsPerS = (compileMs - compileMsBefore) / seconds;
      compileMsBefore = compileMs;
      quietRounds = compileMsPerS < QUIET_COMPILE_MS_PER_S * jit.processes() ? quietRounds + 1 : 0;
      progress(a, String.format(Locale.ROOT, "warm-up round %d: %,.0f ops/s, JIT compiling %.0f ms/s", round,
          w.ops() / seconds, compileMsPerS));
      if (quietRounds >= QUIET_ROUNDS) {
        progress(a, String.format(Locale.ROOT, "warm-up: %,d ops, %d errors; the JIT is quiet", ops, errors));
        return;
      }
    }
    progress(a, String.format(Locale.ROOT, "warm-up: %,d ops, %d errors; %s", ops, errors, jit == null
        ? "ran its whole time" : "the JIT was NOT quiet after " + a.warmup().toSeconds()
        + " s: the rows below may be measured before steady state (raise --warmup-seconds)"));
  }

  private static void progress(VersusArgs a, String message) {
    System.err.println("versus: " + a.system().label() + ": " + message);
  }
}
