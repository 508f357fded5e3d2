package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pachyderm.cluster.Peer;
import io.pachyderm.node.PachydermNode;
import io.pachyderm.storage.journal.JournalOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pachyderm admin ...}: each subcommand's output and exit code against three example nodes
 * in this JVM. n1 keeps its journal for two five-minute cycles of a clock the test moves; n2 and n3
 * keep theirs forever (the default). A test that moves leadership waits for a leader before it ends.
 */
class AdminCommandTest {
  private static final Duration WAIT_MAX = Duration.ofSeconds(60);

  @TempDir
  static Path dataDir;

  private static final List<PachydermNode> nodes = new ArrayList<>();
  private static final AtomicLong n1ClockMs = new AtomicLong(1_700_000_000_000L);
  private static String peers;

  @BeforeAll
  static void startCluster() throws InterruptedException {
    peers = "n1=127.0.0.1:" + FreePorts.one() + ",n2=127.0.0.1:" + FreePorts.one() + ",n3=127.0.0.1:" + FreePorts.one();
    List<Peer> cluster = Peer.parseList(peers);
    for (Peer p : cluster) {
      PachydermNode.Builder b = NodeCommand.classPathNode(p.id(), cluster, dataDir.resolve(p.id()))
          .electionTimeoutMin(Duration.ofSeconds(1));
      if (p.id().equals("n1")) {
        b.journal(JournalOptions.builder().rollCycle(JournalOptions.RollCycle.FIVE_MINUTELY).retainedCyclesMax(2)
            .clockMs(n1ClockMs::get).build());
      }
      nodes.add(b.build().start());
    }
    awaitLeader();
  }

  @AfterAll
  static void stopCluster() {
    for (PachydermNode n : nodes) {
      n.close();
    }
  }

  @Test
  void snapshotPrintsEachNodesSnapshotIndex() {
    CliRun all = CliRun.of("admin", "snapshot", "--peers", peers);
    assertThat(all.exitCode()).as(all.toString()).isZero();
    assertThat(all.outLines()).hasSize(3);
    assertThat(all.outLines().get(0)).matches("n1: snapshot at log index [1-9][0-9]*");
    assertThat(all.outLines().get(1)).startsWith("n2: snapshot at log index ");
    assertThat(all.outLines().get(2)).startsWith("n3: snapshot at log index ");

    CliRun one = CliRun.of("admin", "snapshot", "--peers", peers, "--node", "n2");
    assertThat(one.exitCode()).as(one.toString()).isZero();
    assertThat(one.outLines()).singleElement().asString().startsWith("n2: snapshot at log index ");

    CliRun unknown = CliRun.of("admin", "snapshot", "--peers", peers, "--node", "n9");
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(unknown.err()).contains("unknown node 'n9'; the members are n1, n2, n3");
  }

  @Test
  void transferLeaderMovesLeadershipAndStepDownHandsItOn() throws InterruptedException {
    String leader = awaitLeader();
    String target = leader.equals("n3") ? "n1" : "n3";
    CliRun transfer = CliRun.of("admin", "transfer-leader", "--peers", peers, target);
    assertThat(transfer.exitCode()).as(transfer.toString()).isZero();
    assertThat(transfer.outLines()).singleElement().asString()
        .startsWith("leader: " + target + " (term ").contains("; was " + leader + ", term ");
    assertThat(node(target).isLeader()).isTrue();

    CliRun again = CliRun.of("admin", "transfer-leader", "--peers", peers, target);
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).contains("it already led, nothing changed");

    CliRun unknown = CliRun.of("admin", "transfer-leader", "--peers", peers, "n7");
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(unknown.err()).contains("unknown node 'n7'; the members are n1, n2, n3");

    CliRun stepDown = CliRun.of("admin", "step-down", "--peers", peers);
    assertThat(stepDown.exitCode()).as(stepDown.toString()).isZero();
    assertThat(stepDown.outLines()).singleElement().asString()
        .matches(target + " stepped down \\(term [0-9]+\\); leader: n[123] \\(term [0-9]+\\)");
    awaitLeader();
  }

  @Test
  void stepDownWithoutAReachableLeaderIsRefused() {
    String nobody = "n1=127.0.0.1:" + FreePorts.one();
    CliRun run = CliRun.of("admin", "step-down", "--peers", nobody, "--timeout-ms", "3000");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_REJECTED);
    assertThat(run.errLines()).singleElement().asString()
        .startsWith("pachyderm admin step-down: refused: step-down refused: no node reports itself leader");
  }

  @Test
  void pauseAndResumeEffectsShowInStatus() throws IOException {
    CliRun pause = CliRun.of("admin", "pause-effects", "--peers", peers);
    assertThat(pause.exitCode()).as(pause.toString()).isZero();
    assertThat(pause.outLines()).containsExactly("at-least-once effects paused");
    CliRun again = CliRun.of("admin", "pause-effects", "--peers", peers);
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.outLines()).containsExactly("at-least-once effects were already paused; nothing changed");
    assertThat(effectsColumn()).containsOnly("paused").hasSize(1);
    for (JsonNode n : statusJson()) {
      assertThat(n.get("effects_paused").asBoolean()).as(n.toString()).isTrue();
    }

    CliRun resume = CliRun.of("admin", "resume-effects", "--peers", peers);
    assertThat(resume.exitCode()).as(resume.toString()).isZero();
    assertThat(resume.outLines()).containsExactly("at-least-once effects resumed");
    CliRun resumeAgain = CliRun.of("admin", "resume-effects", "--peers", peers);
    assertThat(resumeAgain.outLines()).containsExactly("at-least-once effects were not paused; nothing changed");
    assertThat(effectsColumn()).containsOnly("on");
  }

  @Test
  void compactJournalDeletesOldFilesWhereRetentionAllowsAndIsRefusedWhereItKeepsEverything() {
    long cycleMs = Duration.ofMinutes(5).toMillis();
    assertThat(CliRun.of("call", "--peers", peers, "counter", "compact-a", "Increment", "{\"by\":1}").exitCode())
        .isZero();
    awaitApplied();
    n1ClockMs.addAndGet(cycleMs);
    assertThat(CliRun.of("call", "--peers", peers, "counter", "compact-b", "Increment", "{\"by\":1}").exitCode())
        .isZero();
    awaitApplied();
    n1ClockMs.addAndGet(cycleMs);

    CliRun n1 = CliRun.of("admin", "compact-journal", "--peers", peers, "--node", "n1");
    assertThat(n1.exitCode()).as(n1.toString()).isZero();
    assertThat(n1.outLines()).singleElement().asString()
        .matches("n1: deleted 1 journal file \\([0-9]+ bytes: [0-9-]+V?\\.cq4\\); kept 1 \\(retention: the "
            + "newest 2 five_minutely files\\), [0-9]+ events");

    CliRun all = CliRun.of("admin", "compact-journal", "--peers", peers);
    assertThat(all.exitCode()).as(all.toString()).isEqualTo(PachydermCli.EXIT_REJECTED);
    assertThat(all.outLines()).singleElement().asString().startsWith("n1: deleted 0 journal files; kept 1");
    assertThat(all.errLines()).hasSize(2).allSatisfy(line -> assertThat(line)
        .startsWith("pachyderm admin compact-journal: refused: journal compaction on node n")
        .contains("keeps every file forever").contains("--journal-retain N"));
  }

  @Test
  void helpDocumentsTheExitCodesAndAMissingSubcommandIsBadInput() {
    CliRun help = CliRun.of("admin", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("snapshot", "transfer-leader", "step-down", "pause-effects", "resume-effects",
        "compact-journal", "Exit codes", "refused, nothing changed", "outcome unknown: no answer in time",
        "bad input (an unknown node id");
    CliRun subHelp = CliRun.of("admin", "compact-journal", "--help");
    assertThat(subHelp.out()).contains("--peers", "--tls-cert", "--node", "2 refused (nothing changed)");

    CliRun missing = CliRun.of("admin");
    assertThat(missing.exitCode()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(missing.err()).contains("missing subcommand");
  }

  private static List<String> effectsColumn() {
    CliRun status = CliRun.of("status", "--peers", peers);
    assertThat(status.exitCode()).as(status.toString()).isZero();
    List<String> header = List.of(status.outLines().get(0).trim().split("\\s+"));
    int column = header.indexOf("EFFECTS");
    assertThat(column).as(status.toString()).isPositive();
    List<String> values = new ArrayList<>();
    for (String row : status.outLines().subList(1, status.outLines().size())) {
      values.add(row.trim().split("\\s+")[column]);
    }
    return values.stream().distinct().toList();
  }

  private static JsonNode statusJson() throws IOException {
    CliRun status = CliRun.of("status", "--json", "--peers", peers);
    assertThat(status.exitCode()).as(status.toString()).isZero();
    return JsonMapper.builder().build().readTree(status.out());
  }

  private static PachydermNode node(String id) {
    return nodes.stream().filter(n -> n.nodeId().equals(id)).findFirst().orElseThrow();
  }

  /** Every node at the same applied index: what the leader committed is in each journal. */
  private static void awaitApplied() {
    await("every node at the same applied index",
        () -> nodes.stream().map(PachydermNode::appliedIndex).distinct().count() == 1);
  }

  private static String awaitLeader() {
    String[] leader = new String[1];
    await("a ready leader", () -> {
      for (PachydermNode n : nodes) {
        if (n.isReadyLeader()) {
          leader[0] = n.nodeId();
          return true;
        }
      }
      return false;
    });
    return leader[0];
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadlineNs = System.nanoTime() + WAIT_MAX.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadlineNs) {
        throw new AssertionError("never saw " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
