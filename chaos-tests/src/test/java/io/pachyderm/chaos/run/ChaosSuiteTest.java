package io.pachyderm.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pachyderm.chaos.checker.Anomaly;
import io.pachyderm.chaos.checker.Verdict;
import io.pachyderm.chaos.nemesis.NemesisSchedule;
import io.pachyderm.chaos.net.NetnsHosts;
import io.pachyderm.node.settings.StateStoreKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chaos suite as it runs in CI: a short run of each nemesis family, the workloads spread
 * across them, and the control run, which must be red. Each run is a real three-node cluster in
 * network namespaces (about 40 s each, the three messaging runs about 25 s, the follow run about
 * 25 s; some 5 minutes in all on two cores). One of the messaging runs puts the nodes on the disk
 * store; the others use the nodes' default ({@code StateStoreKind.DEFAULT}).
 *
 * <p>Needs root. Elsewhere the tests are skipped, unless {@value #REQUIRED_ENV} is set (CI sets
 * it), in which case missing namespaces fail the build instead of silently skipping the suite.
 *
 * <p>Seeds are random and printed with each result; {@code -Dchaos.seed=N} repeats a schedule.
 * Run directories go to {@code chaos-tests/target/chaos-runs/} ({@code -Dchaos.out=DIR}).
 */
class ChaosSuiteTest {
  static final String REQUIRED_ENV = "PACHYDERM_CHAOS_REQUIRED";
  private static final Duration RUN = Duration.ofSeconds(25);
  private static final Duration CONTROL_RUN = Duration.ofSeconds(10);
  /** The messaging workloads run shorter: together they add under a minute to the suite. */
  private static final Duration MESSAGING_RUN = Duration.ofSeconds(15);
  /**
   * The follow run: the shortest that is sure to see a kill (the first fault comes 2–4 s in) and
   * the restarted node's journal repaired; about 40 s with healing, catch-up and journal reads.
   */
  private static final Duration FOLLOW_RUN = Duration.ofSeconds(12);
  /** Shorter than the CLI's default so that a 25 s run sees three or four faults. */
  private static final NemesisSchedule.Timing CI_TIMING = new NemesisSchedule.Timing(Duration.ofSeconds(2),
      Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofSeconds(6));

  @BeforeAll
  static void namespacesAvailable() {
    Optional<String> why = NetnsHosts.unavailableReason();
    if (why.isPresent() && System.getenv(REQUIRED_ENV) != null) {
      fail("the chaos suite must run here (" + REQUIRED_ENV + " is set) but cannot: " + why.get());
    }
    assumeTrue(why.isEmpty(), () -> "chaos suite skipped: " + why.orElse(""));
  }

  @Test
  @Timeout(180)
  void effectsUnderKills() throws InterruptedException {
    assertValid(run("effects", "kill", RUN));
  }

  @Test
  @Timeout(180)
  void registerUnderPauses() throws InterruptedException {
    assertValid(run("register", "pause", RUN));
  }

  @Test
  @Timeout(180)
  void appendUnderPartitions() throws InterruptedException {
    assertValid(run("append", "partition", RUN));
  }

  @Test
  @Timeout(180)
  void registerUnderCombinedFaults() throws InterruptedException {
    assertValid(run("register", "combined", RUN));
  }

  /**
   * Entity-to-entity messages exactly once: money moves between accounts and is never made or
   * lost. This run is the suite's TLS run: mutual TLS on every connection, nodes and harness
   * clients with certificates from a CA made for the run.
   */
  @Test
  @Timeout(180)
  void bankUnderKillsWithMutualTls() throws InterruptedException {
    RunResult result = run("bank", "kill", MESSAGING_RUN, true);
    assertValid(result);
    assertThat(result.summary()).contains(ChaosRunner.TRANSPORT_SECURITY).contains(ChaosRunner.MUTUAL_TLS);
    assertThat(result.runDir().resolve(io.pachyderm.chaos.nodes.ChaosCluster.TLS_DIR).resolve("n1.crt")).exists();
    assertThat(stat(result, "bank", "transfersOk")).as("transfers acknowledged; summary:%n%s", result.summary())
        .isPositive();
    assertThat(stat(result, io.pachyderm.chaos.checker.DigestChecker.NAME, "indexesCompared"))
        .as("replica digests compared across nodes; summary:%n%s", result.summary()).isPositive();
  }

  /**
   * The same bank under every fault family with the nodes on the disk store (RocksDB, snapshots
   * as checkpoints, installs that ship checkpoint files): restarts open the store from the latest
   * checkpoint and replay the log; replicas must still agree and no money appear or vanish.
   */
  @Test
  @Timeout(180)
  void bankUnderCombinedFaultsOnTheDiskStore() throws InterruptedException {
    RunResult result = run("bank", "combined", MESSAGING_RUN, false, StateStoreKind.DISK);
    assertValid(result);
    assertThat(result.summary()).containsPattern("(?m)^\\s*" + ChaosRunner.STATE_STORE + "\\s+disk$");
    assertThat(stat(result, "bank", "transfersOk")).as("transfers acknowledged; summary:%n%s", result.summary())
        .isPositive();
    assertThat(stat(result, io.pachyderm.chaos.checker.DigestChecker.NAME, "indexesCompared"))
        .as("replica digests compared across nodes; summary:%n%s", result.summary()).isPositive();
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(result.runDir())) {
      assertThat(files.filter(f -> f.getFileName().toString().endsWith(".sst")
          || f.getFileName().toString().startsWith("MANIFEST-")).count())
          .as("RocksDB files under the nodes' data dirs in %s", result.runDir()).isPositive();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** At-least-once effects under every fault, with a third of the effects failing their first attempt. */
  @Test
  @Timeout(180)
  void reliableEffectsUnderCombinedFaults() throws InterruptedException {
    RunResult result = run("effects-alo", "combined", MESSAGING_RUN);
    assertValid(result);
    assertThat(stat(result, "effects-at-least-once", "expected")).as("effects owed; summary:%n%s", result.summary())
        .isPositive();
    assertThat(stat(result, "effects-at-least-once", "failedAttempts"))
        .as("planned failures retried; summary:%n%s", result.summary()).isPositive();
  }

  /**
   * Followers through kill -9: every stream a gap-free prefix of the final history, and after
   * the restarts every node's journal holds the same records (repair restored the tail, no
   * record twice).
   */
  @Test
  @Timeout(180)
  void followersAndJournalsUnderKills() throws InterruptedException {
    RunResult result = run("follow", "kill", FOLLOW_RUN);
    assertValid(result);
    assertThat(stat(result, ChaosRunner.RECOVERY_CHECKER, "faults")).as("kills; summary:%n%s", result.summary())
        .isPositive();
    assertThat(stat(result, "follow", "eventsFinal")).as("events; summary:%n%s", result.summary()).isPositive();
    assertThat(stat(result, "follow", "followerChanges")).as("changes followed; summary:%n%s", result.summary())
        .isPositive();
    assertThat(stat(result, "follow", "journalRecordsCompared")).as("journals read; summary:%n%s", result.summary())
        .isPositive();
  }

  /** A suite that has never seen a red run proves nothing: the planted loss must be reported. */
  @Test
  @Timeout(180)
  void controlRunWithCutLogsReportsLostWrites() throws InterruptedException {
    RunResult result = run("append", RunSettings.CONTROL, CONTROL_RUN);
    assertThat(result.valid()).as("control run must be INVALID; %s", result.runDir()).isFalse();
    assertThat(result.anomalies(Anomaly.LOST_WRITE)).as("lost writes reported; summary:%n%s", result.summary())
        .isNotEmpty();
    assertThat(result.anomalies(ChaosRunner.HARNESS_ERROR)).as("the control run itself completed; summary:%n%s",
        result.summary()).isEmpty();
  }

  private static RunResult run(String workload, String nemesis, Duration duration) throws InterruptedException {
    return run(workload, nemesis, duration, false);
  }

  private static RunResult run(String workload, String nemesis, Duration duration, boolean mutualTls)
      throws InterruptedException {
    return run(workload, nemesis, duration, mutualTls, StateStoreKind.DEFAULT);
  }

  private static RunResult run(String workload, String nemesis, Duration duration, boolean mutualTls,
      StateStoreKind stateStore) throws InterruptedException {
    long seed = Long.getLong("chaos.seed", System.nanoTime());
    Path out = Path.of(System.getProperty("chaos.out", "target/chaos-runs"));
    RunSettings defaults = RunSettings.of(workload, nemesis, duration, out, seed);
    RunSettings s = new RunSettings(workload, nemesis, duration, defaults.nodes(), out, seed, defaults.concurrency(),
        defaults.opsPerSecond(), defaults.opsMax(), defaults.requestTimeout(), CI_TIMING, Duration.ofSeconds(5), false);
    return new ChaosRunner(System.out).run(s.withMutualTls(mutualTls).withStateStore(stateStore));
  }

  private static long stat(RunResult result, String checker, String stat) {
    for (Verdict v : result.verdicts()) {
      if (v.checker().equals(checker) && v.stats().get(stat) instanceof Number n) {
        return n.longValue();
      }
    }
    throw new AssertionError("no stat " + stat + " of checker " + checker + " in " + result.verdicts());
  }

  private static void assertValid(RunResult result) {
    assertThat(result.valid()).as("chaos run %s found anomalies (replay with -Dchaos.seed from the summary):%n%s",
        result.runDir(), result.summary()).isTrue();
  }
}
