package io.pachyderm.chaos.run;

import io.pachyderm.chaos.nemesis.ChaosSchedule;
import io.pachyderm.chaos.nemesis.NemesisSchedule;
import io.pachyderm.chaos.nemesis.Nemeses;
import io.pachyderm.chaos.net.NetnsHosts;
import io.pachyderm.chaos.nodes.NodeCode;
import io.pachyderm.chaos.workload.Workload;
import io.pachyderm.chaos.workload.WorkloadShape;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.settings.StateStoreKind;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A chaos run from code: your entity types on real node processes in network namespaces, your
 * workload, your faults, and the verdicts. The same run as {@code chaos-tests/run.sh}, with
 * everything the command line fixes open to the caller:
 *
 * <pre>{@code
 * RunResult result = ChaosScenario.builder()
 *     .entityTypes(MyTypes.class)            // public Supplier<EntityTypes>, public no-arg constructor
 *     .workload(new MyWorkload())            // ops, final reads, checkers: a Workload
 *     .schedule(ChaosSchedule.parse("at 5s kill leader, restart after 5s"))
 *     .duration(Duration.ofSeconds(20))
 *     .run();
 * }</pre>
 *
 * <p>What {@link #run()} does: starts {@link #nodes} node JVMs (each in its own namespace, on
 * the {@link NodeCode} classpath, serving the provider's entity types), waits for a leader, runs
 * {@code concurrency} client processes against the whole cluster at about {@code rate}
 * operations per second for {@code duration} while the schedule (or a random nemesis family)
 * injects faults, heals every fault, waits up to {@code recoveryWait} for every node to apply
 * what the leader committed ({@link Recovery#awaitRecovered}), drains outboxes if the workload
 * asks, reads every key of the workload from every node ({@link Recovery#finalReads}), kills the
 * nodes, and runs the workload's checkers, the replica-digest comparison and the harness's own
 * recovery verdict. The run directory ({@code outDir/<time>-<workload>-<nemesis>/}) holds the
 * history, verdicts, summary, latency plot, {@code nemesis.log} and every node's log.
 *
 * <p>Defaults: 3 nodes, the chaos workloads' entity types on this JVM's classpath, the
 * {@code combined} random nemesis, 60 s, concurrency 10, 200 ops/s, at most twice rate ×
 * duration + 1,000 operations, a 4 s request timeout (slower answers are recorded as unknown
 * outcomes: the command may still have taken effect), a random seed (printed), a 90 s recovery
 * wait, output under {@code chaos-results} (or the {@code chaos.out} system property), progress
 * every 10 s to {@code System.out}, plaintext (no TLS), the nodes' default state store
 * ({@link StateStoreKind#DEFAULT}).
 *
 * <p>Needs root (network namespaces, iptables): {@link #run()} throws
 * {@link IllegalStateException} where they are unavailable; {@link #unavailableReason()} says so
 * beforehand, for tests that skip. Anything else that goes wrong during the run (a node that
 * will not start, a fault that cannot be injected) is reported in the {@code recovery} verdict,
 * not thrown. Instances are immutable; {@link #run()} may be called more than once, each call a
 * new run.
 */
public final class ChaosScenario {
  private final RunPlan plan;
  private final PrintStream out;

  private ChaosScenario(RunPlan plan, PrintStream out) {
    this.plan = plan;
    this.out = out;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Why a run cannot start here (not root, no {@code ip}/{@code iptables}); empty when it can. */
  public static Optional<String> unavailableReason() {
    return NetnsHosts.unavailableReason();
  }

  /** Runs the scenario; blocks until the verdicts are in (duration plus start, recovery and checking). */
  public RunResult run() throws InterruptedException {
    Optional<String> why = unavailableReason();
    if (why.isPresent()) {
      throw new IllegalStateException("a chaos scenario needs network namespaces: " + why.get());
    }
    return new ChaosRunner(out).run(plan);
  }

  /** The seed this scenario runs with (chosen at {@link Builder#build()} when not set). */
  public long seed() {
    return plan.seed();
  }

  /** Collects a scenario; {@link #build()} validates it. Not thread-safe. */
  public static final class Builder {
    private int nodes = 3;
    private Class<? extends Supplier<EntityTypes>> entityTypes = NodeCode.DEFAULT.entityTypes();
    private String nodeClasspath;
    private Workload workload;
    private WorkloadShape shape = WorkloadShape.DEFAULT;
    private ChaosSchedule schedule;
    private String nemesis;
    private Duration duration = Duration.ofSeconds(60);
    private int concurrency = RunSettings.CONCURRENCY_DEFAULT;
    private double opsPerSecond = RunSettings.OPS_PER_SECOND_DEFAULT;
    private Long opsMax;
    private Duration requestTimeout = RunSettings.REQUEST_TIMEOUT_DEFAULT;
    private Long seed;
    private Path outDir = Path.of(System.getProperty("chaos.out", "chaos-results"));
    private Duration recoveryWait = Recovery.RECOVERY_WAIT_DEFAULT;
    private Duration progressEvery = Duration.ofSeconds(10);
    private PrintStream out = System.out;
    private boolean mutualTls;
    private StateStoreKind stateStore = StateStoreKind.DEFAULT;

    private Builder() {}

    /** Cluster size, 1 to {@link NetnsHosts#NODES_MAX}; default 3. */
    public Builder nodes(int nodes) {
      this.nodes = nodes;
      return this;
    }

    /**
     * The entity types every node serves and the clients use: a public class with a public
     * no-argument constructor (the node JVMs instantiate it by name), on the node classpath.
     */
    public Builder entityTypes(Class<? extends Supplier<EntityTypes>> provider) {
      this.entityTypes = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /** The node JVMs' classpath; default this JVM's ({@code java.class.path}, test classes included). */
    public Builder nodeClasspath(String classpath) {
      this.nodeClasspath = Objects.requireNonNull(classpath, "classpath");
      return this;
    }

    /** What the clients do and how it is judged; required. Its types must be among the provider's. */
    public Builder workload(Workload workload) {
      this.workload = Objects.requireNonNull(workload, "workload");
      this.shape = WorkloadShape.DEFAULT;
      return this;
    }

    /** A built-in workload ({@link Workload#NAMES}) in {@code shape}: fixed keys, read fraction. */
    public Builder workload(String name, WorkloadShape shape) {
      this.workload = Workload.named(name, shape);
      this.shape = shape;
      return this;
    }

    /** These faults at these times instead of a random nemesis family. */
    public Builder schedule(ChaosSchedule schedule) {
      this.schedule = Objects.requireNonNull(schedule, "schedule");
      return this;
    }

    /** Random faults of a family ({@link Nemeses#FAMILIES}); default {@code combined} when no schedule is set. */
    public Builder nemesis(String family) {
      Nemeses.family(family);
      this.nemesis = family;
      return this;
    }

    /** How long the clients run; the schedule's times count from their start. Default 60 s. */
    public Builder duration(Duration duration) {
      this.duration = Objects.requireNonNull(duration, "duration");
      return this;
    }

    /** Client processes, each with one operation outstanding; 1 to 256, default 10. */
    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    /** Target operations per second over all clients (a bound: slow answers lower it); default 200. */
    public Builder rate(double opsPerSecond) {
      this.opsPerSecond = opsPerSecond;
      return this;
    }

    /** Operations at most, whatever the duration; default twice rate × duration + 1,000. */
    public Builder opsMax(long opsMax) {
      this.opsMax = opsMax;
      return this;
    }

    /** The client's request timeout: a slower answer is an unknown outcome. Default 4 s. */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
      return this;
    }

    /** Seeds the generator and the nemesis's choices; default random (printed with the result). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Parent of the run directory; default {@code chaos-results} or the {@code chaos.out} system property. */
    public Builder outDir(Path outDir) {
      this.outDir = Objects.requireNonNull(outDir, "outDir");
      return this;
    }

    /** How long the healed cluster gets to catch up before the final reads; default 90 s. */
    public Builder recoveryWait(Duration recoveryWait) {
      this.recoveryWait = Objects.requireNonNull(recoveryWait, "recoveryWait");
      return this;
    }

    /** How often a progress line is printed; {@link Duration#ZERO} for never. Default 10 s. */
    public Builder progressEvery(Duration progressEvery) {
      this.progressEvery = Objects.requireNonNull(progressEvery, "progressEvery");
      return this;
    }

    /**
     * Mutual TLS on every connection: a CA made for the run issues each node a certificate for its
     * id and namespace address, and the harness a client certificate that every client, status
     * poll and final read presents. Default off (plaintext).
     */
    public Builder mutualTls(boolean on) {
      this.mutualTls = on;
      return this;
    }

    /**
     * Where every node keeps entity states: {@link StateStoreKind#HEAP} or {@link StateStoreKind#DISK}
     * (RocksDB under the node's data dir). Default {@link StateStoreKind#DEFAULT}.
     */
    public Builder stateStore(StateStoreKind kind) {
      this.stateStore = Objects.requireNonNull(kind, "kind");
      return this;
    }

    /** Where progress lines and the summary go; default {@code System.out}. */
    public Builder out(PrintStream out) {
      this.out = Objects.requireNonNull(out, "out");
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException if no workload is set, both a schedule and a nemesis family
     *     are, the schedule names a node the cluster lacks or starts a fault after the clients
     *     stop, or a number is out of range
     */
    public ChaosScenario build() {
      if (workload == null) {
        throw new IllegalArgumentException("a scenario needs a workload");
      }
      if (schedule != null && nemesis != null) {
        throw new IllegalArgumentException("set a schedule or a nemesis family, not both");
      }
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("duration must be positive: " + duration);
      }
      if (nodes < 1 || nodes > NetnsHosts.NODES_MAX) {
        throw new IllegalArgumentException("nodes must be 1.." + NetnsHosts.NODES_MAX + ": " + nodes);
      }
      if (concurrency < 1 || concurrency > 256) {
        throw new IllegalArgumentException("concurrency must be 1..256: " + concurrency);
      }
      if (!(opsPerSecond > 0)) {
        throw new IllegalArgumentException("rate must be positive: " + opsPerSecond);
      }
      long ops = opsMax != null ? opsMax : (long) (opsPerSecond * duration.toSeconds() * 2 + 1000);
      if (ops < 1) {
        throw new IllegalArgumentException("opsMax must be positive: " + ops);
      }
      NodeCode code = nodeClasspath == null ? NodeCode.of(entityTypes) : new NodeCode(entityTypes, nodeClasspath);
      String nemesisLabel = schedule != null ? RunSettings.SCHEDULE : nemesis != null ? nemesis : "combined";
      RunPlan plan = new RunPlan(workload, shape, nemesisLabel, schedule, duration, nodes, outDir,
          seed != null ? seed : System.nanoTime(), concurrency, opsPerSecond, ops, requestTimeout,
          NemesisSchedule.Timing.DEFAULT, progressEvery, false, code, recoveryWait, mutualTls,
          stateStore);
      return new ChaosScenario(plan, out);
    }

    /** {@code build().run()}. */
    public RunResult run() throws InterruptedException {
      return build().run();
    }
  }
}
