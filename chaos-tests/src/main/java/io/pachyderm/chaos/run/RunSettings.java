package io.pachyderm.chaos.run;

import io.pachyderm.chaos.nemesis.ChaosSchedule;
import io.pachyderm.chaos.nemesis.NemesisSchedule;
import io.pachyderm.chaos.nemesis.Nemeses;
import io.pachyderm.chaos.workload.Workload;
import io.pachyderm.chaos.workload.WorkloadShape;
import io.pachyderm.node.settings.StateStoreKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything that defines a chaos run. Immutable; validated on construction.
 *
 * @param workload one of {@link Workload#NAMES}
 * @param nemesis none, kill, pause, partition, combined (random faults of that family), control
 *     (the planted-fault run), or {@value #SCHEDULE} (the faults of {@code schedule})
 * @param duration how long clients run (for control: before the planted fault)
 * @param nodes cluster size, 3 or 5 usually; at most {@link io.pachyderm.chaos.net.NetnsHosts#NODES_MAX}
 * @param outDir parent directory; the run writes {@code <outDir>/<time>-<workload>-<nemesis>/}
 * @param seed seeds the generator and the nemesis schedule (printed, so a run can be repeated)
 * @param concurrency client processes
 * @param opsPerSecond target client rate over all processes
 * @param opsMax operations at most, whatever the duration
 * @param requestTimeout the client's request timeout: what "unknown outcome" costs
 * @param timing the nemesis schedule's gaps and fault lengths
 * @param progressEvery how often to print a progress line; {@link Duration#ZERO} for never
 * @param rebuildClosedClient replace the client when it has closed itself (see
 *     {@link io.pachyderm.chaos.workload.ClientSource}); off by default, so runs measure the
 *     real client
 * @param shape keys and read fraction of the workload ({@link WorkloadShape#DEFAULT}: the workload's own)
 * @param schedule the faults when {@code nemesis} is {@value #SCHEDULE}; null otherwise
 * @param mutualTls nodes serve mutual TLS with certificates from a CA made for the run, and every
 *     client and checker presents a client certificate from it; plaintext otherwise
 * @param stateStore where the nodes keep entity states ({@code --state-store} of every node)
 */
public record RunSettings(String workload, String nemesis, Duration duration, int nodes, Path outDir, long seed,
                          int concurrency, double opsPerSecond, long opsMax, Duration requestTimeout,
                          NemesisSchedule.Timing timing, Duration progressEvery,
                          boolean rebuildClosedClient, WorkloadShape shape, ChaosSchedule schedule,
                          boolean mutualTls, StateStoreKind stateStore) {
  public static final String CONTROL = "control";
  /** The nemesis of a run that follows a {@link ChaosSchedule}. */
  public static final String SCHEDULE = "schedule";
  public static final int CONCURRENCY_DEFAULT = 10;
  public static final double OPS_PER_SECOND_DEFAULT = 200;
  public static final Duration REQUEST_TIMEOUT_DEFAULT = Duration.ofSeconds(4);

  public RunSettings {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(stateStore, "stateStore");
    Workload.named(workload, shape);
    if (SCHEDULE.equals(nemesis) != (schedule != null)) {
      throw new IllegalArgumentException("a schedule goes with nemesis '" + SCHEDULE + "', and only with it");
    }
    if (!CONTROL.equals(nemesis) && !SCHEDULE.equals(nemesis)) {
      Nemeses.family(nemesis);
    }
    Objects.requireNonNull(outDir, "outDir");
    Objects.requireNonNull(timing, "timing");
    Objects.requireNonNull(progressEvery, "progressEvery");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive: " + duration);
    }
    if (nodes < 1 || nodes > io.pachyderm.chaos.net.NetnsHosts.NODES_MAX) {
      throw new IllegalArgumentException("nodes must be 1.." + io.pachyderm.chaos.net.NetnsHosts.NODES_MAX + ": " + nodes);
    }
    if (concurrency < 1 || concurrency > 256) {
      throw new IllegalArgumentException("concurrency must be 1..256: " + concurrency);
    }
    if (opsPerSecond <= 0 || opsMax < 1) {
      throw new IllegalArgumentException("opsPerSecond and opsMax must be positive");
    }
    if (schedule != null) {
      schedule.requireFits(nodes, duration);
    }
  }

  /** A run on the default state store ({@link StateStoreKind#DEFAULT}). */
  public RunSettings(String workload, String nemesis, Duration duration, int nodes, Path outDir, long seed,
                     int concurrency, double opsPerSecond, long opsMax, Duration requestTimeout,
                     NemesisSchedule.Timing timing, Duration progressEvery, boolean rebuildClosedClient,
                     WorkloadShape shape, ChaosSchedule schedule, boolean mutualTls) {
    this(workload, nemesis, duration, nodes, outDir, seed, concurrency, opsPerSecond, opsMax, requestTimeout, timing,
        progressEvery, rebuildClosedClient, shape, schedule, mutualTls, StateStoreKind.DEFAULT);
  }

  /** A plaintext run. */
  public RunSettings(String workload, String nemesis, Duration duration, int nodes, Path outDir, long seed,
                     int concurrency, double opsPerSecond, long opsMax, Duration requestTimeout,
                     NemesisSchedule.Timing timing, Duration progressEvery, boolean rebuildClosedClient,
                     WorkloadShape shape, ChaosSchedule schedule) {
    this(workload, nemesis, duration, nodes, outDir, seed, concurrency, opsPerSecond, opsMax, requestTimeout, timing,
        progressEvery, rebuildClosedClient, shape, schedule, false);
  }

  /** A plaintext run of a nemesis family or the control run, in the workload's default shape. */
  public RunSettings(String workload, String nemesis, Duration duration, int nodes, Path outDir, long seed,
                     int concurrency, double opsPerSecond, long opsMax, Duration requestTimeout,
                     NemesisSchedule.Timing timing, Duration progressEvery, boolean rebuildClosedClient) {
    this(workload, nemesis, duration, nodes, outDir, seed, concurrency, opsPerSecond, opsMax, requestTimeout, timing,
        progressEvery, rebuildClosedClient, WorkloadShape.DEFAULT, null, false);
  }

  /** Defaults for everything but what a run is about. */
  public static RunSettings of(String workload, String nemesis, Duration duration, Path outDir, long seed) {
    return new RunSettings(workload, nemesis, duration, 3, outDir, seed, CONCURRENCY_DEFAULT, OPS_PER_SECOND_DEFAULT,
        (long) (OPS_PER_SECOND_DEFAULT * duration.toSeconds() * 2 + 1000), REQUEST_TIMEOUT_DEFAULT,
        NemesisSchedule.Timing.DEFAULT, Duration.ofSeconds(10), false, WorkloadShape.DEFAULT, null, false,
        StateStoreKind.DEFAULT);
  }

  public boolean isControl() {
    return CONTROL.equals(nemesis);
  }

  /** The same run with mutual TLS on or off. */
  public RunSettings withMutualTls(boolean on) {
    return new RunSettings(workload, nemesis, duration, nodes, outDir, seed, concurrency, opsPerSecond, opsMax,
        requestTimeout, timing, progressEvery, rebuildClosedClient, shape, schedule, on, stateStore);
  }

  /** The same run with the nodes on {@code kind}. */
  public RunSettings withStateStore(StateStoreKind kind) {
    return new RunSettings(workload, nemesis, duration, nodes, outDir, seed, concurrency, opsPerSecond, opsMax,
        requestTimeout, timing, progressEvery, rebuildClosedClient, shape, schedule, mutualTls, kind);
  }
}
