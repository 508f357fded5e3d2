package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.cluster.Peer;
import io.pachyderm.node.PachydermNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's client commands against three nodes in this JVM, wired as the {@code node}
 * command wires them (example types, logging admin-mailer), on free loopback ports.
 * Every test uses its own entity ids, so the order of tests does not matter.
 */
class InProcessClusterTest {
  /** Bounds the waits for an election and an effect; a failure names what did not happen, never a time. */
  private static final Duration WAIT_MAX = Duration.ofSeconds(60);

  @TempDir
  static Path dataDir;

  private static final List<PachydermNode> nodes = new ArrayList<>();
  private static String peers;

  @BeforeAll
  static void startCluster() throws InterruptedException {
    peers = "n1=127.0.0.1:" + FreePorts.one() + ",n2=127.0.0.1:" + FreePorts.one() + ",n3=127.0.0.1:" + FreePorts.one();
    List<Peer> cluster = Peer.parseList(peers);
    for (Peer p : cluster) {
      nodes.add(NodeCommand.classPathNode(p.id(), cluster, dataDir.resolve(p.id()))
          // Generous: two cores shared with other test JVMs must not cause elections mid-test.
          .electionTimeoutMin(Duration.ofSeconds(1))
          .build()
          .start());
    }
    awaitCondition("a ready leader", () -> nodes.stream().anyMatch(PachydermNode::isReadyLeader));
  }

  @AfterAll
  static void stopCluster() {
    for (PachydermNode n : nodes) {
      n.close();
    }
  }

  @Test
  void callPrintsTheNewVersionAndState() {
    CliRun first = CliRun.of("call", "--peers", peers, "counter", "call-1", "Increment", "{\"by\":2}");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(first.outLines()).containsExactly("version: 1", "state: {\"count\":2}");
    assertThat(first.err()).isEmpty();

    CliRun second = CliRun.of("call", "--peers", peers, "counter", "call-1", "Increment", "{\"by\":3}");
    assertThat(second.outLines()).as(second.toString()).containsExactly("version: 2", "state: {\"count\":5}");
  }

  @Test
  void callWithoutJsonSendsAnEmptyObject() {
    CliRun.of("call", "--peers", peers, "counter", "reset-1", "Increment", "{\"by\":7}");
    CliRun reset = CliRun.of("call", "--peers", peers, "counter", "reset-1", "Reset");
    assertThat(reset.outLines()).as(reset.toString()).containsExactly("version: 2", "state: {\"count\":0}");
  }

  @Test
  void sendPrintsOnlyTheVersion() {
    CliRun run = CliRun.of("send", "--peers", peers, "profile", "ada", "Update",
        "{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.org\"}");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.outLines()).containsExactly("version: 1");
  }

  @Test
  void historyPrintsEveryEventWithItsMetadataAndFollowPrintsNewOnes() {
    for (int by = 1; by <= 3; by++) {
      CliRun.of("call", "--peers", peers, "counter", "hist-1", "Increment", "{\"by\":" + by + "}");
    }
    CliRun history = CliRun.of("history", "--peers", peers, "counter", "hist-1");
    assertThat(history.exitCode()).as(history.toString()).isZero();
    assertThat(history.outLines()).as(history.toString()).hasSize(3);
    assertThat(history.outLines().get(1)).startsWith("v2  ").contains("{\"by\":2}").contains("log ")
        .contains(" term ").contains("<- request ");

    CliRun json = CliRun.of("history", "--peers", peers, "--from", "3", "--json", "counter", "hist-1");
    assertThat(json.outLines()).as(json.toString()).hasSize(1);
    assertThat(json.outLines().get(0)).contains("\"version\":3").contains("\"event\":{\"by\":3}");

    CliRun followed = CliRun.of("follow", "--peers", peers, "--from", "2", "--count", "2", "counter", "hist-1");
    assertThat(followed.exitCode()).as(followed.toString()).isZero();
    assertThat(followed.outLines()).as(followed.toString()).hasSize(2);
    assertThat(followed.outLines().get(0)).startsWith("v2  ");

    CliRun current = CliRun.of("follow", "--peers", peers, "--for-ms", "300", "counter", "hist-1");
    assertThat(current.outLines()).as(current.toString()).containsExactly("current: v3 {\"count\":6}");

    CliRun bad = CliRun.of("history", "--peers", peers, "--from", "0", "counter", "hist-1");
    assertThat(bad.exitCode()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(bad.err()).contains("--from must be >= 1");
  }

  @Test
  void queryPrintsTheStateAfterCalls() {
    CliRun.of("call", "--peers", peers, "counter", "query-1", "Increment", "{\"by\":4}");
    CliRun run = CliRun.of("query", "--peers", peers, "counter", "query-1");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.outLines()).containsExactly("version: 1", "state: {\"count\":4}");
  }

  @Test
  void queryAndHistoryOnANamedNodeReadThatNode() throws InterruptedException {
    CliRun.of("call", "--peers", peers, "counter", "on-node-1", "Increment", "{\"by\":4}");
    for (String id : List.of("n1", "n2", "n3")) {
      awaitCondition(id + " applied the call", () -> CliRun.of("query", "--node", id, "--peers", peers, "counter",
          "on-node-1").outLines().contains("version: 1"));
      CliRun run = CliRun.of("query", "--node", id, "--peers", peers, "counter", "on-node-1");
      assertThat(run.outLines()).as(run.toString()).containsExactly("version: 1", "state: {\"count\":4}");
      CliRun history = CliRun.of("history", "--node", id, "--peers", peers, "counter", "on-node-1");
      assertThat(history.outLines()).as(history.toString()).hasSize(1);
      assertThat(history.outLines().get(0)).startsWith("v1  ");
    }
    CliRun unknown = CliRun.of("query", "--node", "n9", "--peers", peers, "counter", "on-node-1");
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(unknown.err()).contains("no node 'n9' among this client's peers [n1, n2, n3]");
    CliRun both = CliRun.of("query", "--node", "n1", "--stale", "--peers", peers, "counter", "on-node-1");
    assertThat(both.exitCode()).as(both.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(both.err()).contains("--stale and --node exclude each other");
  }

  @Test
  void queryOfAnEntityWithoutEventsSaysSo() {
    CliRun run = CliRun.of("query", "--peers", peers, "counter", "never-touched");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.outLines()).containsExactly("no events yet (version 0)");
  }

  @Test
  void aNamedQueryPrintsOnlyItsResult() {
    CliRun.of("call", "--peers", peers, "account", "q-alice", "Transfer",
        "{\"transferId\":\"t1\",\"toAccountId\":\"q-bob\",\"amountCents\":2500}");
    CliRun balance = CliRun.of("query", "--peers", peers, "account", "q-alice", "--query", "balance");
    assertThat(balance.exitCode()).as(balance.toString()).isZero();
    assertThat(balance.outLines()).containsExactly("version: 1", "result: 7500");

    CliRun canPay = CliRun.of("query", "--peers", peers, "--stale", "account", "q-alice", "--query", "can-pay",
        "--args", "{\"cents\":8000}");
    assertThat(canPay.outLines()).as(canPay.toString()).containsExactly("version: 1", "result: false");
    CliRun untouched = CliRun.of("query", "--peers", peers, "account", "q-nobody", "--query", "balance");
    assertThat(untouched.outLines()).as(untouched.toString()).containsExactly("version: 0", "result: 10000");
    CliRun untouchedCanPay = CliRun.of("query", "--peers", peers, "account", "q-nobody", "--query", "can-pay",
        "--args", "{\"cents\":2500}");
    assertThat(untouchedCanPay.outLines()).as(untouchedCanPay.toString()).containsExactly("version: 0", "result: true");
  }

  @Test
  void anUnknownQueryIsRejectedNamingTheRegisteredOnes() {
    CliRun run = CliRun.of("query", "--peers", peers, "account", "q-carol", "--query", "balanse");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_REJECTED);
    assertThat(run.errLines()).as(run.toString()).hasSize(1);
    assertThat(run.err()).contains("INVALID_REQUEST", "entity type 'account' has no query 'balanse'",
        "[balance, can-pay]");

    CliRun noArgs = CliRun.of("query", "--peers", peers, "account", "q-carol", "--query", "can-pay");
    assertThat(noArgs.exitCode()).as(noArgs.toString()).isEqualTo(PachydermCli.EXIT_REJECTED);
    assertThat(noArgs.err()).contains("takes args of class Amount; none were given");
  }

  @Test
  void argsWithoutAQueryOrInvalidArgsAreBadInput() {
    CliRun noQuery = CliRun.of("query", "--peers", peers, "account", "q-dave", "--args", "{}");
    assertThat(noQuery.exitCode()).as(noQuery.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(noQuery.err()).contains("--args needs --query NAME");
    CliRun badJson = CliRun.of("query", "--peers", peers, "account", "q-dave", "--query", "can-pay", "--args", "{");
    assertThat(badJson.exitCode()).as(badJson.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(badJson.err()).contains("--args of query can-pay is not valid JSON");
  }

  @Test
  void staleQueryAnswers() {
    CliRun run = CliRun.of("query", "--stale", "--peers", peers, "counter", "never-touched-either");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.outLines()).containsExactly("no events yet (version 0)");
  }

  @Test
  void ecosystemsAreSeparate() {
    CliRun call = CliRun.of("call", "--peers", peers, "--ecosystem", "tenant-a", "counter", "eco-1", "Increment",
        "{\"by\":1}");
    assertThat(call.exitCode()).as(call.toString()).isZero();
    assertThat(CliRun.of("query", "--peers", peers, "counter", "eco-1").outLines())
        .containsExactly("no events yet (version 0)");
    assertThat(CliRun.of("query", "--peers", peers, "--ecosystem", "tenant-a", "counter", "eco-1").outLines())
        .containsExactly("version: 1", "state: {\"count\":1}");
  }

  @Test
  void rejectionPrintsKindAndMessageToStderrAndExits2() {
    CliRun run = CliRun.of("call", "--peers", peers, "counter", "reject-1", "Increment", "{\"by\":-5}");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_REJECTED);
    assertThat(run.out()).isEmpty();
    assertThat(run.errLines()).containsExactly(
        "pachyderm call: rejected (REJECTED_BY_ENTITY): increment must be positive, was -5");
  }

  @Test
  void unknownEntityTypeIsRejected() {
    CliRun run = CliRun.of("send", "--peers", peers, "nosuchtype", "x", "Increment", "{\"by\":1}");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_REJECTED);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.err()).contains("rejected (UNKNOWN_ENTITY_TYPE)", "nosuchtype", "account", "counter", "profile");
  }

  @Test
  void unknownEntityTypeInAQueryNamesTheType() {
    // The node's answer is final: rejected at once, not retried until the timeout (which would be exit 3).
    CliRun run = CliRun.of("query", "--peers", peers, "nosuchtype", "x");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_REJECTED);
    assertThat(run.errLines()).as(run.toString()).hasSize(1);
    assertThat(run.err()).contains("UNKNOWN_ENTITY_TYPE", "nosuchtype");
  }

  @Test
  void unknownCommandTypeIsRejectedAsUndecodable() {
    CliRun run = CliRun.of("call", "--peers", peers, "counter", "undecodable-1", "Incremnt", "{\"by\":1}");
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_REJECTED);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.err()).contains("rejected (UNDECODABLE_PAYLOAD)", "Incremnt");
  }

  @Test
  void counterReachingTheThresholdDispatchesTheMailerOnce() throws InterruptedException {
    long before = dispatched();
    CliRun run = CliRun.of("call", "--peers", peers, "counter", "mailer-1", "Increment", "{\"by\":10}");
    assertThat(run.outLines()).as(run.toString()).containsExactly("version: 1", "state: {\"count\":10}");
    awaitCondition("the admin-mailer effect", () -> dispatched() > before);
    CliRun.of("call", "--peers", peers, "counter", "mailer-1", "Increment", "{\"by\":1}");
    assertThat(dispatched()).isEqualTo(before + 1);
  }

  @Test
  void statusShowsEveryNodeAndExactlyOneLeader() {
    CliRun run = CliRun.of("status", "--peers", peers);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    List<String> lines = run.outLines();
    assertThat(lines.get(0)).startsWith("NODE").contains("ROLE", "LEADER", "TERM", "COMMIT", "APPLIED",
        "SNAPSHOT", "ENTITIES", "ERROR");
    assertThat(lines).hasSize(4);
    assertThat(lines.subList(1, 4)).extracting(l -> l.split("\\s+")[0]).containsExactly("n1", "n2", "n3");
    assertThat(lines.subList(1, 4)).filteredOn(l -> l.split("\\s+")[1].equals("LEADER")).hasSize(1);
  }

  @Test
  void statusJsonHasAnObjectPerNodeForScripts() throws Exception {
    CliRun run = CliRun.of("status", "--json", "--peers", peers);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    com.fasterxml.jackson.databind.JsonNode nodesJson =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.out());
    assertThat(nodesJson.isArray()).as(run.out()).isTrue();
    assertThat(nodesJson).hasSize(3);
    List<String> ids = new ArrayList<>();
    int leaders = 0;
    for (com.fasterxml.jackson.databind.JsonNode n : nodesJson) {
      ids.add(n.get("node").asText());
      assertThat(n.get("reachable").asBoolean()).isTrue();
      assertThat(n.get("applied_index").isIntegralNumber()).isTrue();
      assertThat(n.get("digest").asText()).matches("[0-9a-f]{16}");
      if (n.get("role").asText().equals("LEADER")) {
        leaders++;
        assertThat(n.get("leader_ready").asBoolean()).isTrue();
      }
    }
    assertThat(ids).containsExactly("n1", "n2", "n3");
    assertThat(leaders).isEqualTo(1);
  }

  private static long dispatched() {
    long sum = 0;
    for (PachydermNode n : nodes) {
      sum += n.effectsDispatched();
    }
    return sum;
  }

  private static void awaitCondition(String what, BooleanSupplier condition) throws InterruptedException {
    long deadlineNs = System.nanoTime() + WAIT_MAX.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadlineNs) {
        throw new AssertionError("never saw " + what);
      }
      Thread.sleep(50);
    }
  }
}
