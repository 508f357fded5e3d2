package io.pachyderm.chaos.run;

import io.pachyderm.chaos.checker.Anomaly;
import io.pachyderm.chaos.checker.Checker;
import io.pachyderm.chaos.checker.DigestChecker;
import io.pachyderm.chaos.checker.Dispatch;
import io.pachyderm.chaos.checker.Verdict;
import io.pachyderm.chaos.history.History;
import io.pachyderm.chaos.history.HistoryRecorder;
import io.pachyderm.chaos.history.StorageFullErrors;
import io.pachyderm.chaos.nemesis.LogTailCut;
import io.pachyderm.chaos.nemesis.NemesisRun;
import io.pachyderm.chaos.nemesis.NemesisSchedule;
import io.pachyderm.chaos.nemesis.ScheduledNemesis;
import io.pachyderm.chaos.nemesis.Nemeses;
import io.pachyderm.chaos.net.NetnsHosts;
import io.pachyderm.chaos.nodes.ChaosCluster;
import io.pachyderm.chaos.nodes.ChaosNode;
import io.pachyderm.chaos.nodes.DataDisks;
import io.pachyderm.chaos.nodes.NodeProcess;
import io.pachyderm.chaos.nodes.OutboxStatus;
import io.pachyderm.chaos.report.NemesisInterval;
import io.pachyderm.chaos.report.RunReport;
import io.pachyderm.chaos.workload.ClientSource;
import io.pachyderm.chaos.workload.Workload;
import io.pachyderm.chaos.workload.WorkloadDriver;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one chaos run end to end:
 *
 * <ol>
 *   <li>hosts (namespaces) and node processes up, a leader elected;
 *   <li>client processes run the workload while the nemesis injects faults: random ones of a
 *       family ({@link NemesisSchedule}) or those of a user's {@link
 *       io.pachyderm.chaos.nemesis.ChaosSchedule} ({@link ScheduledNemesis}, its times counted from
 *       the moment the clients start);
 *   <li>the nemesis heals everything; the harness waits for every node to apply everything the
 *       leader has committed, and, for workloads that {@linkplain Workload#drainsOutboxes() drain
 *       outboxes}, until no node has a message or at-least-once effect pending (then once more
 *       for every node to catch up);
 *   <li>the workload finishes what ran beside the clients ({@link Workload#finish}: the follow
 *       workload's followers catch up, final histories and every node's journal are read);
 *   <li>final reads of every key from every node (a client talking to that node only, stale
 *       mode, so each node answers from its own state);
 *   <li>nodes killed, hosts torn down (always, also on failure);
 *   <li>the workload's checkers and the harness's own {@code recovery} verdict (the cluster
 *       healed, no node crashed, every final read answered, the nemesis did what it was told);
 *       the run directory written by {@link RunReport}.
 * </ol>
 *
 * <p>Steps 3 and 5 are {@link Recovery}'s, public for harnesses of their own; {@link
 * ChaosScenario} is the entry point for a user's own entities, workload and schedule.
 *
 * <p>The control run ({@code nemesis = control}) replaces 2–4 with the planted fault: clients
 * run without faults, then every node is killed, the newest Raft log segment of every node is cut
 * to half, the nodes restart and every key is read back. Its checkers must report lost writes.
 *
 * <p>Not thread-safe; one run at a time per instance (runs in different instances may overlap:
 * each takes its own namespace slot).
 */
public final class ChaosRunner {
  /** Kinds of the harness's own anomalies, in the {@code recovery} verdict. */
  public static final String NOT_RECOVERED = "not-recovered";
  public static final String NODE_CRASHED = "node-crashed";
  public static final String FINAL_READ_FAILED = "final-read-failed";
  public static final String HARNESS_ERROR = "harness-error";
  public static final String NOT_DRAINED = "not-drained";
  /** The summary's line saying whether the run was {@value #MUTUAL_TLS} or {@value #PLAINTEXT}. */
  public static final String TRANSPORT_SECURITY = "transport security";
  public static final String MUTUAL_TLS = "mutual TLS";
  public static final String PLAINTEXT = "plaintext";
  /** The summary's line naming the nodes' state store ({@code heap} or {@code disk}). */
  public static final String STATE_STORE = "state store";
  /** The name of the harness's own verdict. */
  public static final String RECOVERY_CHECKER = "recovery";

  /**
   * How long the nodes may take to elect a first leader after they are started (and after a
   * restart of all). Generous because it only ever waits for start-up: on a loaded 2-core machine
   * three node JVMs took 36 s to log a first line and 13 s more to open an empty journal, and a
   * one-minute wait failed runs before any operation. A node that dies ends the wait at once
   * ({@link ChaosCluster#awaitLeader} checks), so the length costs nothing when start-up fails.
   */
  private static final Duration LEADER_WAIT = Duration.ofMinutes(3);
  /** The nemesis's log in the run directory: one line per fault injected and healed. */
  public static final String NEMESIS_LOG = "nemesis.log";
  /** How often every node's replica digest (and its checkpoints) is sampled during the run. */
  private static final Duration DIGEST_SAMPLE_EVERY = Duration.ofSeconds(2);
  /** Where the samples go, beside the node logs. */
  public static final String DIGESTS_FILE = "digests.tsv";
  /** The summary's line listing the nodes that exited while their disk was full, with exit codes. */
  public static final String DISK_FULL_EXITS = "disk-full exits";
  /** The summary's line counting operations that failed for a full disk ({@link StorageFullErrors}). */
  public static final String DISK_FULL_REFUSALS = "disk-full failures";
  /** The control run keeps this much of each node's newest log segment. */
  private static final double CONTROL_KEEP_FRACTION = 0.5;

  private final PrintStream out;

  /** @param out where progress lines and the summary go */
  public ChaosRunner(PrintStream out) {
    this.out = out;
  }

  /** Runs a built-in workload as {@code s} says. */
  public RunResult run(RunSettings s) throws InterruptedException {
    return run(RunPlan.of(s));
  }

  RunResult run(RunPlan s) throws InterruptedException {
    Workload workload = s.workload();
    String nemesisLabel = s.nemesis();
    Path runDir = newRunDir(s.outDir(), workload.name(), nemesisLabel);
    Map<String, String> info = new LinkedHashMap<>();
    info.put("workload", workload.name());
    if (!s.shape().isDefault()) {
      info.put("workload shape", s.shape().describe());
    }
    info.put("nemesis", nemesisLabel);
    if (s.schedule() != null) {
      info.put("schedule", s.schedule().toText().strip().replace("\n", "; "));
    }
    info.put("duration", s.duration().toSeconds() + " s");
    info.put("nodes", Integer.toString(s.nodes()));
    info.put("entity types", s.code().entityTypes().getName());
    info.put("seed", Long.toString(s.seed()));
    info.put("concurrency", Integer.toString(s.concurrency()));
    info.put("target rate", (long) s.opsPerSecond() + " ops/s");
    info.put("request timeout", s.requestTimeout().toMillis() + " ms");
    info.put(TRANSPORT_SECURITY, s.mutualTls() ? MUTUAL_TLS + " (a CA made for the run, in the run dir's "
        + ChaosCluster.TLS_DIR + "/)" : PLAINTEXT);
    info.put(STATE_STORE, ChaosNode.StateStoreOption.name(s.stateStore()));
    info.put("run dir", runDir.toString());
    // run.sh passes the commit it built; tests run from the working tree they were built from.
    info.put("build", System.getProperty("pachyderm.chaos.build", "working tree"));
    out.printf("chaos: %s x %s for %d s on %d nodes (%s state store)%s, seed %d -> %s%n", workload.name(),
        nemesisLabel, s.duration().toSeconds(), s.nodes(), ChaosNode.StateStoreOption.name(s.stateStore()),
        s.mutualTls() ? " with mutual TLS" : "", s.seed(), runDir);

    List<Anomaly> harness = new ArrayList<>();
    List<NemesisInterval> intervals = new ArrayList<>();
    long[] clientsStartNs = {0};
    List<Path> dispatchLogs = new ArrayList<>();
    HistoryRecorder recorder = new HistoryRecorder(runDir.resolve(RunReport.HISTORY_FILE));
    DigestChecker digests = new DigestChecker();
    java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors
        .newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "chaos-digest-sampler");
          t.setDaemon(true);
          return t;
        });
    long startNs = System.nanoTime();
    boolean fillsDisks = fillsDisks(s);
    // Closed in reverse: the nodes are killed, then their disks unmounted, then the hosts go.
    try (NetnsHosts hosts = NetnsHosts.create(s.nodes());
         DataDisks disks = fillsDisks ? DataDisks.mount(hosts, runDir, DataDisks.SIZE_BYTES_DEFAULT) : null;
         ChaosCluster cluster = ChaosCluster.start(hosts, runDir, nodeArgs(s, workload), s.code(), s.mutualTls())) {
      info.put("hosts", "slot " + hosts.slot() + ", " + hosts.address(1) + ".." + hosts.address(s.nodes()));
      if (disks != null) {
        info.put("data disks", disks.describe());
      }
      for (NodeProcess n : cluster.nodes()) {
        dispatchLogs.add(n.dispatchLog());
      }
      cluster.awaitLeader(LEADER_WAIT);
      sampler.scheduleWithFixedDelay(() -> sampleDigests(cluster, digests), 0, DIGEST_SAMPLE_EVERY.toMillis(),
          TimeUnit.MILLISECONDS);
      Workload.ClusterAccess access = new Workload.ClusterAccess(() -> cluster.client(s.requestTimeout()),
          cluster.nodes().stream().map(NodeProcess::id).toList());
      workload.start(access);
      clientsStartNs[0] = recorder.elapsedNs();
      if (s.isControl()) {
        runControl(s, workload, cluster, recorder, info, harness);
      } else {
        clientsStartNs[0] = runWithNemesis(s, workload, cluster, recorder, info, harness, intervals);
      }
      if (workload.drainsOutboxes()) {
        awaitDrained(s, cluster, info, harness);
      }
      workload.finish(access, info);
      FinalReads.Outcome reads = Recovery.finalReadsAtOneIndex(workload, cluster, recorder,
          Recovery.FINAL_READ_TIMEOUT_DEFAULT);
      harness.addAll(reads.round().failures());
      info.put("final reads", reads.describe());
      if (fillsDisks) {
        info.put(DISK_FULL_EXITS, acceptedExits(cluster));
      }
      // Every node has applied everything now: their digests at that one index must agree.
      stopSampler(sampler);
      sampleSettledDigests(cluster, digests);
    } catch (RuntimeException e) {
      harness.add(new Anomaly(HARNESS_ERROR, null, "the run stopped early: " + e));
      e.printStackTrace(out);
    } finally {
      stopSampler(sampler);
      workload.stop();
      recorder.close();
    }
    info.put("wall time", (System.nanoTime() - startNs) / 1_000_000_000 + " s");

    History history = recorder.history();
    if (fillsDisks) {
      info.put(DISK_FULL_REFUSALS, StorageFullErrors.in(history).toString());
    }
    List<Dispatch> dispatches = Dispatch.readAll(dispatchLogs);
    info.put("dispatches logged", Integer.toString(dispatches.size()));
    List<Verdict> verdicts = new ArrayList<>();
    for (Checker checker : workload.checkers(dispatches)) {
      verdicts.add(checker.check(history));
    }
    verdicts.add(digests.check(history));
    try {
      digests.write(runDir.resolve(DIGESTS_FILE));
    } catch (UncheckedIOException e) {
      out.println("chaos: " + e.getMessage());
    }
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("faults", intervals.size());
    verdicts.add(Verdict.of(RECOVERY_CHECKER, harness, stats));
    RunReport.write(runDir, history, verdicts, intervals, info);
    String summary = readSummary(runDir);
    out.println(summary);
    return new RunResult(runDir, verdicts, summary, history, intervals, clientsStartNs[0]);
  }

  /** Clients under the nemesis, then healing and recovery; returns when the clients started, on the history's clock. */
  private long runWithNemesis(RunPlan s, Workload workload, ChaosCluster cluster, HistoryRecorder recorder,
                              Map<String, String> info, List<Anomaly> harness, List<NemesisInterval> intervals)
      throws InterruptedException {
    Path nemesisLog = cluster.runDir().resolve(NEMESIS_LOG);
    NemesisRun nemesis = s.schedule() != null
        ? new ScheduledNemesis(cluster, s.schedule(), s.seed(), recorder::elapsedNs, nemesisLog)
        : new NemesisSchedule(cluster, Nemeses.family(s.nemesis()), s.timing(), s.seed(), recorder::elapsedNs,
            nemesisLog);
    long clientsStartNs;
    try (ClientSource clients = new ClientSource(() -> cluster.client(s.requestTimeout()), s.rebuildClosedClient())) {
      WorkloadDriver driver = new WorkloadDriver(workload, clients, recorder, driverSettings(s));
      Progress progress = new Progress(out, s.progressEvery(), driver, nemesis, recorder);
      clientsStartNs = recorder.elapsedNs();
      nemesis.start();
      progress.start();
      try {
        driver.run();
      } finally {
        progress.stop();
        nemesis.stopAndHeal();
        intervals.addAll(nemesis.intervals());
      }
      info.put("ops invoked", Long.toString(driver.invoked()));
      noteRebuilds(clients, info);
    }
    info.put("faults injected", Integer.toString(intervals.size()));
    for (String error : nemesis.errors()) {
      harness.add(new Anomaly(HARNESS_ERROR, null, "nemesis: " + error));
    }
    harness.addAll(Recovery.awaitRecovered(cluster, s.recoveryWait()));
    return clientsStartNs;
  }

  private void runControl(RunPlan s, Workload workload, ChaosCluster cluster, HistoryRecorder recorder,
                          Map<String, String> info, List<Anomaly> harness) throws InterruptedException {
    try (ClientSource clients = new ClientSource(() -> cluster.client(s.requestTimeout()), s.rebuildClosedClient())) {
      WorkloadDriver driver = new WorkloadDriver(workload, clients, recorder, driverSettings(s));
      Progress progress = new Progress(out, s.progressEvery(), driver, null, recorder);
      progress.start();
      try {
        driver.run();
      } finally {
        progress.stop();
      }
      info.put("ops invoked", Long.toString(driver.invoked()));
      info.put("ops ok before the planted fault", Long.toString(driver.ok()));
      noteRebuilds(clients, info);
    }
    List<String> cuts = new ArrayList<>();
    for (NodeProcess n : cluster.nodes()) {
      n.kill();
    }
    for (NodeProcess n : cluster.nodes()) {
      cuts.add(n.id() + ": " + LogTailCut.cutNewestSegment(n.dataDir(), CONTROL_KEEP_FRACTION));
    }
    info.put("planted fault", "kill -9 of every node, newest log segment cut to "
        + (int) (CONTROL_KEEP_FRACTION * 100) + "%: " + String.join("; ", cuts));
    out.println("chaos: control: every node killed; " + String.join("; ", cuts));
    for (NodeProcess n : cluster.nodes()) {
      n.start();
    }
    cluster.awaitLeader(LEADER_WAIT);
    harness.addAll(Recovery.awaitRecovered(cluster, s.recoveryWait()));
  }

  /**
   * A client that closed itself is a defect of the client, not of the history: reported in the
   * run info and on the console, not as an anomaly (the checkers judge safety; availability
   * shows the cost).
   */
  private void noteRebuilds(ClientSource clients, Map<String, String> info) {
    int failures = clients.closedFailures();
    info.put("closed-client failures", failures + (failures == 0 ? ""
        : " (ops failed on a closed Ratis client window; see ClientSource)"));
    if (clients.rebuilds() > 0) {
      info.put("client rebuilds", clients.rebuilds() + " (by the harness, --rebuild-closed-client)");
    }
    if (failures > 0) {
      out.println("chaos: WARNING: " + failures + " operation(s) failed on a closed Ratis client window");
    }
  }

  /**
   * Waits until no node has a message or at-least-once effect pending, so that the final reads
   * and the dispatch logs hold everything the run's commands caused; then until every node has
   * applied the entries that did it. Records each node's counters in the run info.
   */
  private void awaitDrained(RunPlan s, ChaosCluster cluster, Map<String, String> info, List<Anomaly> harness)
      throws InterruptedException {
    long startNs = System.nanoTime();
    Map<String, OutboxStatus> last = new LinkedHashMap<>();
    List<Anomaly> found = Recovery.awaitDrained(cluster, Recovery.DRAIN_WAIT_DEFAULT, s.recoveryWait(), last);
    long tookMs = (System.nanoTime() - startNs) / 1_000_000;
    List<String> lines = new ArrayList<>();
    for (OutboxStatus status : last.values()) {
      lines.add(status.toString());
    }
    info.put("outboxes drained", (ChaosCluster.allDrained(last) ? "in " : "NOT within ") + tookMs + " ms: "
        + String.join("; ", lines));
    out.println("chaos: outboxes after " + tookMs + " ms: " + String.join("; ", lines));
    harness.addAll(found);
  }

  /** Whether the run fills data disks, and so gives each node a filesystem of its own. */
  private static boolean fillsDisks(RunPlan s) {
    return s.schedule() != null ? s.schedule().fillsDisks() : Nemeses.fillsDisks(s.nemesis());
  }

  /** {@code n2: start #1 exited with code 70 while its data disk was full}, or {@code none}. */
  private static String acceptedExits(ChaosCluster cluster) {
    List<String> exits = new ArrayList<>();
    for (NodeProcess n : cluster.nodes()) {
      for (String exit : n.acceptedExits()) {
        exits.add(n.id() + ": " + exit);
      }
    }
    return exits.isEmpty() ? "none" : String.join("; ", exits);
  }

  /** One status round; a failing round is skipped (the next one comes in a moment). */
  private static void sampleDigests(ChaosCluster cluster, DigestChecker digests) {
    try {
      cluster.statuses().values().forEach(digests::record);
    } catch (RuntimeException e) {
      // A node being killed or a status client being replaced: nothing to record this time.
    }
  }

  /**
   * Samples until every node reports the same applied index (a leader's work loop may still be
   * proposing when the run ends), so that at least that index is compared on every node.
   */
  private static void sampleSettledDigests(ChaosCluster cluster, DigestChecker digests) throws InterruptedException {
    for (int round = 0; round < 50; round++) {
      Map<String, io.pachyderm.client.NodeView> views = cluster.statuses();
      views.values().forEach(digests::record);
      if (views.values().stream().allMatch(io.pachyderm.client.NodeView::reachable)
          && views.values().stream().map(io.pachyderm.client.NodeView::appliedIndex).distinct().count() == 1) {
        return;
      }
      Thread.sleep(200);
    }
  }

  private static void stopSampler(java.util.concurrent.ScheduledExecutorService sampler) throws InterruptedException {
    sampler.shutdownNow();
    sampler.awaitTermination(30, TimeUnit.SECONDS);
  }

  private static WorkloadDriver.Settings driverSettings(RunPlan s) {
    return new WorkloadDriver.Settings(s.concurrency(), s.opsMax(), s.duration(), s.opsPerSecond(),
        s.requestTimeout(), s.seed());
  }

  /**
   * Node options: snapshots every 2,000 entries during nemesis runs (so restarts load snapshots
   * and lagging nodes get them installed); none in the control run, whose planted fault is in the
   * log and must not be papered over by a snapshot. The run's state store. Then the workload's own
   * options.
   */
  static List<String> nodeArgs(RunPlan s, Workload workload) {
    List<String> args = new ArrayList<>(s.isControl() ? List.of("--snapshot-threshold", "100000000")
        : List.of("--snapshot-threshold", "2000"));
    args.addAll(List.of("--state-store", ChaosNode.StateStoreOption.name(s.stateStore())));
    args.addAll(workload.nodeArgs());
    return args;
  }

  private static Path newRunDir(Path outDir, String workload, String nemesis) {
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path base = outDir.toAbsolutePath().normalize();
    Path dir = base.resolve(stamp + "-" + workload + "-" + nemesis);
    for (int i = 2; Files.exists(dir); i++) {
      dir = base.resolve(stamp + "-" + workload + "-" + nemesis + "-" + i);
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the run directory " + dir, e);
    }
    return dir;
  }

  private static String readSummary(Path runDir) {
    try {
      return Files.readString(runDir.resolve(RunReport.SUMMARY_FILE), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no summary: " + e.getMessage() + ")";
    }
  }
}
