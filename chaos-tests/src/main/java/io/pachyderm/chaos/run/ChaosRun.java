package io.pachyderm.chaos.run;

import io.pachyderm.chaos.checker.Anomaly;
import io.pachyderm.chaos.checker.Verdict;
import io.pachyderm.chaos.nemesis.ChaosSchedule;
import io.pachyderm.chaos.nemesis.NemesisSchedule;
import io.pachyderm.chaos.net.NetnsHosts;
import io.pachyderm.chaos.nodes.ChaosNode;
import io.pachyderm.chaos.workload.WorkloadShape;
import io.pachyderm.node.settings.StateStoreKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The chaos CLI: one workload under one nemesis family, or a schedule of faults, for a chosen
 * duration.
 *
 * <pre>
 * chaos-tests/run.sh --workload append --nemesis partition --duration 10m --out chaos-results
 * chaos-tests/run.sh --workload register --keys 5 --rate 100 --schedule faults.txt --duration 90s
 * chaos-tests/run.sh --workload bank --nemesis combined --duration 3m --tls
 * chaos-tests/run.sh --workload bank --nemesis combined --duration 8m --state-store disk
 * </pre>
 *
 * <p>Exit codes: 0 when every checker found the history valid; 1 on any anomaly (or a run the
 * checkers could not decide); 2 on bad arguments; 3 when namespaces are unavailable (not root).
 * The control run inverts the meaning: it exits 0 when the planted fault was caught (the
 * workload's checkers reported it, see {@link #plantedFaultEvidence}) and 1 when the suite failed
 * to see it.
 */
@Command(name = "chaos-run", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Runs a Jepsen-style chaos test: real node processes in network namespaces, a nemesis, "
        + "a recorded history and checkers. Needs root.")
public final class ChaosRun implements Callable<Integer> {
  static final int EXIT_VALID = 0;
  static final int EXIT_ANOMALY = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_UNAVAILABLE = 3;

  @Option(names = "--workload", defaultValue = "register",
      description = "register, counter, append, effects (at most once), effects-alo (at least once, with "
          + "failing attempts) bank (transfers as entity-to-entity messages) or follow (followers and journals on every node) (default ${DEFAULT-VALUE}).")
  String workload;

  @Option(names = "--nemesis",
      description = "none, kill, pause, partition, storage (a node's data disk filled, then freed), combined "
          + "(random faults of that family; combined has no storage faults), or control: the planted-fault run "
          + "that must report lost writes (default: combined, unless --schedule is given).")
  String nemesis;

  @Option(names = "--schedule", paramLabel = "FILE",
      description = "Faults at fixed times instead of a random family, one per line, e.g. 'at 10s isolate leader "
          + "for 20s', 'at 40s kill random-node, restart after 10s', 'at 60s pause n2 for 5s', 'at 70s partition "
          + "majorities-ring for 15s', 'at 90s cut-log-tail n3 keep 50%%, restart after 5s', 'at 120s fill-disk n2 "
          + "for 20s'. Targets: leader, "
          + "random-node, n1..nN, all-nodes (not for isolate); shapes: halves, majorities-ring, bridge. Times "
          + "count from the start of the clients; '#' starts a comment; see ChaosSchedule for the grammar.")
  Path schedule;

  @Option(names = "--keys", paramLabel = "N",
      description = "N fixed entities for the whole run (register, counter, append, effects, effects-alo; default: "
          + "4 active keys, each retired after 150-300 operations).")
  Integer keys;

  @Option(names = "--read-fraction", paramLabel = "F",
      description = "Share of operations that are reads, 0 to 1 (register, counter, append, effects, effects-alo; "
          + "default: register 0.5, the others 0.3).")
  Double readFraction;

  @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
      description = "How long clients run: 90s, 10m, 1h (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--nodes", defaultValue = "3", description = "Cluster size (default ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--out", defaultValue = "chaos-results",
      description = "Parent of the run directory (default ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--seed", description = "Seed of generator and nemesis (default: random, printed).")
  Long seed;

  @Option(names = "--concurrency", defaultValue = "10",
      description = "Client processes, each with one operation outstanding (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--rate", defaultValue = "200",
      description = "Target ops/s over all clients, an upper bound (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--ops-max", description = "Operations at most (default: twice rate x duration).")
  Long opsMax;

  @Option(names = "--request-timeout", defaultValue = "4s", converter = DurationConverter.class,
      description = "Client request timeout; slower answers are recorded as unknown (default ${DEFAULT-VALUE}).")
  Duration requestTimeout;

  @Option(names = "--progress", defaultValue = "5s", converter = DurationConverter.class,
      description = "Progress line interval; 0s for none (default ${DEFAULT-VALUE}).")
  Duration progress;

  @Option(names = "--tls",
      description = "Mutual TLS on every connection: a CA made for the run (in <run dir>/tls) issues each node a "
          + "certificate for its id and namespace address, and the harness one client certificate that every client "
          + "presents (default: plaintext).")
  boolean tls;

  @Option(names = "--state-store", paramLabel = "heap|disk", converter = ChaosNode.StateStoreOption.class,
      description = "Where the nodes keep entity states: heap, or disk (RocksDB under each node's data dir). "
          + "Default: the node's default (StateStoreKind.DEFAULT).")
  StateStoreKind stateStore = StateStoreKind.DEFAULT;

  @Option(names = "--rebuild-closed-client",
      description = "Replace the client when its Ratis window has closed for good, as a Jepsen client reopens "
          + "its connection (default: keep it, so the run measures the real client).")
  boolean rebuildClosedClient;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    CommandLine cli = new CommandLine(new ChaosRun());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof IllegalArgumentException) {
        cmd.getErr().println("chaos-run: " + e.getMessage());
        return EXIT_USAGE;
      }
      throw e;
    });
    return cli.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    long chosenSeed = seed != null ? seed : System.nanoTime();
    long ops = opsMax != null ? opsMax : (long) (rate * duration.toSeconds() * 2 + 1000);
    RunSettings settings = settings(chosenSeed, ops);
    Optional<String> unavailable = NetnsHosts.unavailableReason();
    if (unavailable.isPresent()) {
      System.err.println("chaos-run: " + unavailable.get());
      return EXIT_UNAVAILABLE;
    }
    RunResult result = new ChaosRunner(System.out).run(settings);
    if (settings.isControl()) {
      Map<String, Integer> found = plantedFaultEvidence(result);
      System.out.println(!found.isEmpty()
          ? "chaos: control run: the checkers caught the planted fault (anomalies listed: " + found + ")"
          : "chaos: control run: the planted fault was NOT caught - the suite cannot be trusted");
      return !found.isEmpty() ? EXIT_VALID : EXIT_ANOMALY;
    }
    System.out.println("chaos: " + (result.valid() ? "VALID" : "INVALID") + " - " + result.runDir());
    return result.valid() ? EXIT_VALID : EXIT_ANOMALY;
  }

  /**
   * The run the options describe.
   *
   * @throws IllegalArgumentException for a bad combination or value (a usage error), naming the
   *     schedule line where the schedule is wrong
   */
  RunSettings settings(long chosenSeed, long ops) {
    ChaosSchedule faults = null;
    String chosenNemesis = nemesis != null ? nemesis : "combined";
    if (schedule != null) {
      if (nemesis != null) {
        throw new IllegalArgumentException("--schedule and --nemesis exclude each other");
      }
      try {
        faults = ChaosSchedule.read(schedule);
      } catch (java.io.UncheckedIOException e) {
        throw new IllegalArgumentException(e.getMessage() + ": " + e.getCause().getMessage(), e);
      }
      chosenNemesis = RunSettings.SCHEDULE;
    } else if (RunSettings.SCHEDULE.equals(nemesis)) {
      throw new IllegalArgumentException("--nemesis schedule needs --schedule FILE");
    }
    WorkloadShape shape = WorkloadShape.DEFAULT;
    if (keys != null) {
      shape = shape.withKeys(keys);
    }
    if (readFraction != null) {
      shape = shape.withReadFraction(readFraction);
    }
    return new RunSettings(workload, chosenNemesis, duration, nodes, out, chosenSeed, concurrency, rate, ops,
        requestTimeout, NemesisSchedule.Timing.DEFAULT, progress, rebuildClosedClient, shape, faults, tls, stateStore);
  }

  /**
   * The anomalies, by kind, with which the workload's checkers reported the planted fault: what
   * was lost shows as lost writes (append, bank), non-linearizable histories (register, counter)
   * or effects of commands that no longer exist (effects-alo). The harness's own verdict and
   * exhausted searches are no evidence.
   */
  static Map<String, Integer> plantedFaultEvidence(RunResult result) {
    Map<String, Integer> found = new TreeMap<>();
    for (Verdict v : result.verdicts()) {
      if (v.checker().equals(ChaosRunner.RECOVERY_CHECKER)) {
        continue;
      }
      for (Anomaly a : v.anomalies()) {
        if (!a.kind().equals(Anomaly.SEARCH_BUDGET_EXCEEDED)) {
          found.merge(a.kind(), 1, Integer::sum);
        }
      }
    }
    return found;
  }

  /** {@code 90s}, {@code 10m}, {@code 1h}, {@code 500ms}, or plain seconds. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h)?");

    @Override
    public Duration convert(String value) {
      Matcher m = FORM.matcher(value.strip());
      if (!m.matches()) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not a duration like 90s, 10m, 1h, 500ms");
      }
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofSeconds(n);
      };
    }
  }
}
