package io.pachyderm.chaos.run;

import io.pachyderm.chaos.checker.Anomaly;
import io.pachyderm.chaos.history.HistoryRecorder;
import io.pachyderm.chaos.nodes.ChaosCluster;
import io.pachyderm.chaos.nodes.NodeProcess;
import io.pachyderm.chaos.nodes.OutboxStatus;
import io.pachyderm.chaos.workload.Workload;
import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The steps between the last fault and the checkers, as {@link ChaosRunner} and
 * {@link ChaosScenario} take them, for a harness of your own: wait until the healed cluster has
 * caught up, wait until outboxes are drained, read every key from every node. Each returns what
 * went wrong as anomalies of the {@code recovery} verdict's kinds ({@link ChaosRunner#NOT_RECOVERED},
 * {@link ChaosRunner#NODE_CRASHED}, {@link ChaosRunner#NOT_DRAINED},
 * {@link ChaosRunner#FINAL_READ_FAILED}) instead of throwing: a cluster that did not recover is a
 * finding, and the checkers should still see the history.
 *
 * <p>Stateless; each method blocks the calling thread up to the wait it is given.
 */
public final class Recovery {
  /** How long a cluster gets to catch up after healing, unless told otherwise. */
  public static final Duration RECOVERY_WAIT_DEFAULT = Duration.ofSeconds(90);
  /**
   * How long outboxes get to drain: long enough for every queued message to be delivered and
   * every effect to run out its retries (the reliable-effects workload backs off at most 1 s).
   */
  public static final Duration DRAIN_WAIT_DEFAULT = Duration.ofSeconds(60);
  /** A final read's client request timeout. */
  public static final Duration FINAL_READ_TIMEOUT_DEFAULT = Duration.ofSeconds(10);
  /** Final-read failures reported one by one per node; the rest are counted in one anomaly. */
  private static final int FINAL_READ_FAILURES_LISTED_MAX = 5;

  private Recovery() {}

  /**
   * After healing: reports any node that died on its own, then waits up to {@code wait} until
   * some node is leader and every node has applied everything that leader had committed when
   * the wait began.
   *
   * @return empty when the cluster recovered in time
   */
  public static List<Anomaly> awaitRecovered(ChaosCluster cluster, Duration wait) throws InterruptedException {
    List<Anomaly> found = new ArrayList<>();
    try {
      cluster.requireNoneDied();
    } catch (IllegalStateException e) {
      found.add(new Anomaly(ChaosRunner.NODE_CRASHED, null, e.getMessage()));
    }
    found.addAll(awaitCaughtUp(cluster, wait, "of healing"));
    return found;
  }

  /**
   * Waits up to {@code drainWait} until no node has an entity-to-entity message or at-least-once
   * effect pending, then up to {@code catchUpWait} until every node has applied the entries that
   * did it. {@code lastSeen} gets each node's last counters (for the report).
   *
   * @return empty when everything drained and every node caught up in time
   */
  public static List<Anomaly> awaitDrained(ChaosCluster cluster, Duration drainWait, Duration catchUpWait,
                                           Map<String, OutboxStatus> lastSeen) throws InterruptedException {
    List<Anomaly> found = new ArrayList<>();
    Map<String, OutboxStatus> last = cluster.awaitOutboxesDrained(drainWait);
    lastSeen.putAll(last);
    for (OutboxStatus status : last.values()) {
      if (!status.drained()) {
        found.add(new Anomaly(ChaosRunner.NOT_DRAINED, null, "within " + drainWait.toSeconds() + " s of recovery: "
            + status));
      }
    }
    found.addAll(awaitCaughtUp(cluster, catchUpWait, "of draining"));
    return found;
  }

  /**
   * Reads every one of {@code workload}'s {@linkplain Workload#keys() keys} from every node, each
   * node answering from its own state (a client that talks to that node only; the workload
   * reads in stale mode), and records each value as a final read in {@code recorder}. Call it
   * after {@link #awaitRecovered}: a node that has not caught up answers with old state, which the
   * checkers will report.
   *
   * <p>The reads are taken at one applied index ({@link FinalReads}): a round during which some
   * node applied an entry (a write whose client had given up, landing late) is read again.
   *
   * @param timeout each read's client request timeout (the harness waits 5 s more)
   * @return the reads that failed (at most five listed per node, the rest counted)
   */
  public static List<Anomaly> finalReads(Workload workload, ChaosCluster cluster, HistoryRecorder recorder,
                                         Duration timeout) throws InterruptedException {
    return finalReadsAtOneIndex(workload, cluster, recorder, timeout).round().failures();
  }

  /** {@link #finalReads}, also saying at which applied index the kept round was read. */
  static FinalReads.Outcome finalReadsAtOneIndex(Workload workload, ChaosCluster cluster, HistoryRecorder recorder,
                                                 Duration timeout) throws InterruptedException {
    FinalReads.Nodes nodes = new FinalReads.Nodes() {
      @Override
      public int count() {
        return cluster.nodes().size();
      }

      @Override
      public Map<String, Long> appliedIndexes() {
        Map<String, Long> indexes = new TreeMap<>();
        for (NodeView v : cluster.statuses().values()) {
          if (v.reachable()) {
            indexes.put(v.nodeId(), v.appliedIndex());
          }
        }
        return indexes;
      }

      @Override
      public FinalReads.Round readAll() throws InterruptedException {
        return readRound(workload, cluster, timeout);
      }
    };
    FinalReads.Outcome outcome = FinalReads.take(nodes, FinalReads.ROUNDS_MAX, FinalReads.SETTLE_WAIT);
    for (FinalReads.Read read : outcome.round().reads()) {
      recorder.finalRead(read.node(), read.key(), read.value());
    }
    return outcome;
  }

  private static FinalReads.Round readRound(Workload workload, ChaosCluster cluster, Duration timeout)
      throws InterruptedException {
    List<FinalReads.Read> reads = new ArrayList<>();
    List<Anomaly> found = new ArrayList<>();
    List<String> keys = workload.keys();
    for (NodeProcess n : cluster.nodes()) {
      int failures = 0;
      try (PachydermClient nodeClient = cluster.nodeClient(n.id(), timeout)) {
        for (String key : keys) {
          try {
            Object value = workload.finalRead(nodeClient, key).get(timeout.plusSeconds(5).toMillis(),
                TimeUnit.MILLISECONDS);
            reads.add(new FinalReads.Read(n.id(), key, value));
          } catch (ExecutionException | TimeoutException e) {
            if (failures++ < FINAL_READ_FAILURES_LISTED_MAX) {
              found.add(new Anomaly(ChaosRunner.FINAL_READ_FAILED, key, "final read on " + n.id() + " failed: "
                  + (e instanceof ExecutionException ? e.getCause() : e)));
            }
          }
        }
      }
      if (failures > FINAL_READ_FAILURES_LISTED_MAX) {
        found.add(new Anomaly(ChaosRunner.FINAL_READ_FAILED, null, (failures - FINAL_READ_FAILURES_LISTED_MAX)
            + " more final reads on " + n.id() + " failed"));
      }
    }
    return new FinalReads.Round(reads, found);
  }

  private static List<Anomaly> awaitCaughtUp(ChaosCluster cluster, Duration wait, String since)
      throws InterruptedException {
    List<String> problems;
    try {
      problems = cluster.awaitCaughtUp(wait);
    } catch (IllegalStateException e) {
      problems = List.of(e.getMessage());
    }
    List<Anomaly> found = new ArrayList<>();
    for (String p : problems) {
      found.add(new Anomaly(ChaosRunner.NOT_RECOVERED, null, "within " + wait.toSeconds() + " s " + since + ": " + p));
    }
    return found;
  }
}
