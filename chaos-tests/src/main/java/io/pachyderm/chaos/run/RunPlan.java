package io.pachyderm.chaos.run;

import io.pachyderm.chaos.nemesis.ChaosSchedule;
import io.pachyderm.chaos.nemesis.NemesisSchedule;
import io.pachyderm.chaos.nemesis.Nemeses;
import io.pachyderm.chaos.nodes.NodeCode;
import io.pachyderm.chaos.workload.Workload;
import io.pachyderm.chaos.workload.WorkloadShape;
import io.pachyderm.node.settings.StateStoreKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything {@link ChaosRunner} needs for one run, whether it came from the command line
 * ({@link RunSettings}) or from code ({@link ChaosScenario}). Exactly one of: a nemesis family
 * ({@code schedule} null, {@code nemesis} one of {@link Nemeses#FAMILIES}), a user schedule
 * ({@code nemesis} = {@link RunSettings#SCHEDULE}), or the control run.
 */
record RunPlan(Workload workload, WorkloadShape shape, String nemesis, ChaosSchedule schedule, Duration duration,
               int nodes, Path outDir, long seed, int concurrency, double opsPerSecond, long opsMax,
               Duration requestTimeout, NemesisSchedule.Timing timing, Duration progressEvery,
               boolean rebuildClosedClient, NodeCode code, Duration recoveryWait, boolean mutualTls,
               StateStoreKind stateStore) {
  RunPlan {
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(recoveryWait, "recoveryWait");
    Objects.requireNonNull(stateStore, "stateStore");
    if (RunSettings.SCHEDULE.equals(nemesis) != (schedule != null)) {
      throw new IllegalArgumentException("a schedule goes with nemesis '" + RunSettings.SCHEDULE + "' and only with it");
    }
    if (schedule != null) {
      schedule.requireFits(nodes, duration);
    }
  }

  static RunPlan of(RunSettings s) {
    return new RunPlan(Workload.named(s.workload(), s.shape()), s.shape(), s.nemesis(), s.schedule(), s.duration(),
        s.nodes(), s.outDir(), s.seed(), s.concurrency(), s.opsPerSecond(), s.opsMax(), s.requestTimeout(), s.timing(),
        s.progressEvery(), s.rebuildClosedClient(), NodeCode.DEFAULT, Recovery.RECOVERY_WAIT_DEFAULT, s.mutualTls(),
        s.stateStore());
  }

  boolean isControl() {
    return RunSettings.CONTROL.equals(nemesis);
  }
}
