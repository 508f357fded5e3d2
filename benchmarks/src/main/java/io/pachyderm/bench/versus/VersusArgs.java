package io.pachyderm.bench.versus;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The load generator's arguments, validated at once. Four commands:
 *
 * <pre>
 * run --system SYSTEM [--endpoints A,B,C] [--workloads uniform,zipfian,hot,read,bank,follow] [--callers 32]
 *     [--entities 10000] [--payload-bytes 100] [--seconds 20] [--calls-max 200000]
 *     [--warmup-seconds 180] [--pids P1,P2,P3] [--quick] [--out DIR] [--data DIR] [--seed 1]
 * open (the options of run, and) [--rates 25,50,75,100,125,150] [--max-rate N] [--inflight-max 1024]
 * failover (the options of run, and) --pids P1,P2,P3 --pid-file FILE [--trials 5] [--history 10000]
 * report [--out DIR]
 * curve [--out DIR]
 * </pre>
 *
 * {@code --pids}: the system's processes, whose JIT compilers the warm-up waits for (with the
 * load generator's own) until they are quiet, for at most {@code --warmup-seconds}.
 * {@code --quick} changes the defaults of the three bounds only (5 s, 50,000 calls, 90 s of
 * warm-up at most, but for the systems of three JVMs, pachyderm-cluster and raw-ratis, whose JIT
 * was still compiling after 90 s on a 2-core machine and whose quick rows were then half their
 * steady rate; for {@code open}, 4 s per offered rate instead of 10); a bound given explicitly wins,
 * whatever the order. {@code open} sweeps offered rates given as percents of {@code --max-rate}
 * (calls/s), or, without it, of the rate a closed loop of {@code --callers} measures first; its
 * workloads default to uniform only. {@code failover} kills the leader's process (of {@code --pids},
 * in the endpoints' order) {@code --trials} times after writing {@code --history} updates
 * ({@code --quick}: 3 trials, 2,000 updates); only pachyderm-cluster and etcd-txn have it.
 *
 * @param endpoints per system: Pachyderm and raw-Ratis peers ({@code n1=127.0.0.1:7001}), etcd
 *     client URLs, or one JDBC URL; none for {@code pachyderm-local}, which opens its store in {@code data}
 * @param measure the measured phase's length limit per workload
 * @param callsMax the measured phase's call limit per workload
 * @param warmup the longest warm-up before the first workload (uniform, not measured; it ends
 *     earlier once the JIT of every process in {@code pids} and of the load generator is quiet)
 */
record VersusArgs(Command command, SystemKind system, List<String> endpoints, List<Workload> workloads,
                         int callers, int entities, int payloadBytes, Duration measure, long callsMax, Duration warmup,
                         Path out, Path data, long seed, List<Integer> ratePercents, long maxRatePerS,
                         int inflightMax, int trials, List<Long> pids, Path pidFile, long history) {
  public enum Command { RUN, OPEN, FAILOVER, REPORT, CURVE }

  public static final List<Integer> RATE_PERCENTS_DEFAULT = List.of(25, 50, 75, 100, 125, 150);
  public static final int INFLIGHT_MAX_DEFAULT = 1024;

  public static final int CALLERS_DEFAULT = 32;
  public static final int ENTITIES_DEFAULT = 10_000;
  public static final int PAYLOAD_BYTES_DEFAULT = 100;
  public static final Path OUT_DEFAULT = Path.of("benchmarks", "target", "versus");

  public VersusArgs {
    endpoints = List.copyOf(endpoints);
    workloads = List.copyOf(workloads);
    ratePercents = List.copyOf(ratePercents);
    pids = List.copyOf(pids);
  }

  public static VersusArgs parse(String... args) {
    if (args.length == 0) {
      throw new IllegalArgumentException("missing command: run, open, failover, report or curve");
    }
    Command command = switch (args[0]) {
      case "run" -> Command.RUN;
      case "open" -> Command.OPEN;
      case "failover" -> Command.FAILOVER;
      case "report" -> Command.REPORT;
      case "curve" -> Command.CURVE;
      default -> throw new IllegalArgumentException("unknown command '" + args[0] + "': use run, open, failover, report or curve");
    };
    SystemKind system = null;
    List<String> endpoints = List.of();
    List<Workload> workloads = command == Command.OPEN ? List.of(Workload.UNIFORM)
        : List.of(Workload.values());
    List<Integer> ratePercents = RATE_PERCENTS_DEFAULT;
    long maxRatePerS = 0;
    int inflightMax = INFLIGHT_MAX_DEFAULT;
    Integer trials = null;
    Long history = null;
    List<Long> pids = new ArrayList<>();
    Path pidFile = null;
    int callers = CALLERS_DEFAULT;
    int entities = ENTITIES_DEFAULT;
    int payloadBytes = PAYLOAD_BYTES_DEFAULT;
    boolean quick = false;
    Long seconds = null;
    Long callsMax = null;
    Long warmupSeconds = null;
    Path out = OUT_DEFAULT;
    Path data = null;
    long seed = 1;
    for (int i = 1; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--quick")) {
        quick = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag.startsWith("--") ? flag + " needs a value" : "unexpected argument '"
            + flag + "'");
      }
      String v = args[++i];
      switch (flag) {
        case "--system" -> system = SystemKind.parse(v);
        case "--endpoints" -> endpoints = split(v);
        case "--workloads" -> {
          List<Workload> w = new ArrayList<>();
          for (String s : split(v)) {
            w.add(Workload.parse(s));
          }
          workloads = w;
        }
        case "--callers" -> callers = (int) positive(flag, v, 10_000);
        case "--entities" -> entities = (int) positive(flag, v, 10_000_000);
        case "--payload-bytes" -> payloadBytes = (int) between(flag, v, 0, Register.PAYLOAD_CHARS_MAX);
        case "--seconds" -> seconds = positive(flag, v, 3_600);
        case "--calls-max" -> callsMax = positive(flag, v, 1_000_000_000);
        case "--warmup-seconds" -> warmupSeconds = between(flag, v, 0, 3_600);
        case "--out" -> out = Path.of(v);
        case "--data" -> data = Path.of(v);
        case "--seed" -> seed = number(flag, v);
        case "--rates" -> {
          List<Integer> r = new ArrayList<>();
          for (String p : split(v)) {
            r.add((int) between(flag, p, 1, 1000));
          }
          ratePercents = r;
        }
        case "--max-rate" -> maxRatePerS = positive(flag, v, (long) RateSchedule.RATE_PER_S_MAX);
        case "--inflight-max" -> inflightMax = (int) positive(flag, v, 100_000);
        case "--trials" -> trials = (int) positive(flag, v, 50);
        case "--history" -> history = between(flag, v, 0, 10_000_000);
        case "--pid-file" -> pidFile = Path.of(v);
        case "--pids" -> {
          pids = new ArrayList<>();
          for (String p : split(v)) {
            pids.add(positive(flag, p, Long.MAX_VALUE));
          }
        }
        default -> throw new IllegalArgumentException("unknown option '" + flag + "'");
      }
    }
    if (command == Command.RUN || command == Command.OPEN || command == Command.FAILOVER) {
      String name = args[0];
      if (system == null) {
        throw new IllegalArgumentException(name + " needs --system");
      }
      if (command == Command.OPEN && system == SystemKind.POSTGRES_OCC) {
        throw new IllegalArgumentException("postgres-occ has no asynchronous client (JDBC blocks): no open loop for it");
      }
      if (command == Command.FAILOVER) {
        if (system != SystemKind.PACHYDERM_CLUSTER && system != SystemKind.ETCD_TXN) {
          throw new IllegalArgumentException("failover needs a cluster whose leader can be killed: pachyderm-cluster "
              + "or etcd-txn, not " + system.label());
        }
        if (pidFile == null) {
          throw new IllegalArgumentException("failover needs --pid-file (where the restarted members' pids go)");
        }
      }
      if (command == Command.FAILOVER && pids.size() != endpoints.size()) {
        throw new IllegalArgumentException("failover needs one --pids entry per endpoint: " + endpoints.size()
            + " endpoints, " + pids.size() + " pids");
      }
      if (ratePercents.isEmpty()) {
        throw new IllegalArgumentException("--rates names none");
      }
      if (system == SystemKind.PACHYDERM_LOCAL ? data == null : endpoints.isEmpty()) {
        throw new IllegalArgumentException(system == SystemKind.PACHYDERM_LOCAL
            ? "--system pachyderm-local needs --data DIR (its store)" : "--system " + system.label() + " needs --endpoints");
      }
      if (workloads.isEmpty()) {
        throw new IllegalArgumentException("--workloads names none");
      }
    }
    return new VersusArgs(command, system, endpoints, workloads, callers, entities, payloadBytes,
        Duration.ofSeconds(seconds != null ? seconds : command == Command.OPEN ? (quick ? 4 : 10) : quick ? 5 : 20),
        callsMax != null ? callsMax : quick ? 50_000 : 200_000,
        Duration.ofSeconds(warmupSeconds != null ? warmupSeconds : quick && !threeJvms(system) ? 90 : 180), out, data,
        seed, ratePercents,
        maxRatePerS, inflightMax, trials != null ? trials : quick ? 3 : 5, pids, pidFile,
        history != null ? history : quick ? 2_000 : 10_000);
  }

  /** Whether {@code system} runs as three JVMs besides the load generator (null: no system named). */
  private static boolean threeJvms(SystemKind system) {
    return system == SystemKind.PACHYDERM_CLUSTER || system == SystemKind.RAW_RATIS;
  }

  private static List<String> split(String v) {
    List<String> parts = new ArrayList<>();
    for (String s : v.split(",")) {
      if (!s.isBlank()) {
        parts.add(s.strip());
      }
    }
    return parts;
  }

  private static long number(String flag, String v) {
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " needs a whole number, was '" + v + "'", e);
    }
  }

  private static long positive(String flag, String v, long max) {
    return between(flag, v, 1, max);
  }

  private static long between(String flag, String v, long min, long max) {
    long n = number(flag, v);
    if (n < min || n > max) {
      throw new IllegalArgumentException(flag + " must be " + min + ".." + max + ", was " + n);
    }
    return n;
  }
}
