package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.node.status.OutboxStats;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics and health endpoint of nodes in an in-process cluster, scraped over HTTP the way
 * Prometheus and a Kubernetes probe do. No assertion on time: every wait polls a condition.
 */
class ObservabilityClusterTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  Path dir;

  /**
   * Each command is counted once, by the node that appended its entry as leader, so the
   * accepted counters summed over the nodes are at least the client's successes (a retry after a
   * leader change may be counted by both leaders), whichever node led.
   */
  @Test
  void metricsMoveWithTheClientsCallsAndMatchTheNodesOwnCounts() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestCounter.TYPES, b -> b.metricsPort(0))) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      client.call(TestCounter.TYPE.ref("warm-up"), new TestCounter.Add(1));
      List<Scrape> before = scrapeAll(cluster);

      int calls = 40;
      List<CompletableFuture<?>> futures = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        // Add(10) on a fresh counter crosses the threshold: one effect each.
        futures.add(client.callAsync(TestCounter.TYPE.ref("m" + i), new TestCounter.Add(10)));
      }
      CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).join();
      assertThatThrownBy(() -> client.call(TestCounter.TYPE.ref("boom"), new TestCounter.Explode()))
          .isInstanceOf(CommandRejectedException.class)
          .satisfies(e -> assertThat(((CommandRejectedException) e).kind()).isEqualTo(RejectionKind.HANDLER_FAILED));
      awaitDispatches(cluster, calls);
      cluster.assertReplicasAgree();
      List<Scrape> after = scrapeAll(cluster);

      Predicate<Scrape.Sample> accepted = s -> s.name().equals("pachyderm_commands_total")
          && "accepted".equals(s.label("result"));
      Predicate<Scrape.Sample> handlerFailed = s -> s.name().equals("pachyderm_commands_total")
          && "rejected".equals(s.label("result")) && "handler_failed".equals(s.label("kind"));
      Predicate<Scrape.Sample> latencyCount = s -> s.name().equals("pachyderm_call_latency_seconds_count")
          && "test-counter".equals(s.label("type"));
      Predicate<Scrape.Sample> attempts = s -> s.name().equals("pachyderm_effect_attempts_total")
          && TestCluster.COUNTING_HANDLER.equals(s.label("handler"));
      assertThat(sum(after, accepted) - sum(before, accepted)).isGreaterThanOrEqualTo(calls);
      assertThat(sum(after, handlerFailed) - sum(before, handlerFailed)).isGreaterThanOrEqualTo(1);
      assertThat(sum(after, latencyCount) - sum(before, latencyCount)).isGreaterThanOrEqualTo(calls + 1);
      assertThat(sum(after, attempts) - sum(before, attempts)).isGreaterThanOrEqualTo(calls);
      // The batch histogram saw at least one entry per node that led, and every node its leader.
      assertThat(sum(after, s -> s.name().equals("pachyderm_batch_records_count"))).isPositive();
      assertThat(sum(after, s -> s.name().equals("pachyderm_leader_changes_total"))).isGreaterThanOrEqualTo(3);
      assertThat(sum(after, s -> s.name().equals("pachyderm_journal_appended_bytes_total"))).isPositive();

      // Every series the Grafana dashboard's queries name is one the nodes serve.
      java.util.Set<String> served = new java.util.TreeSet<>();
      after.forEach(s -> s.samples().forEach(sample -> served.add(sample.name())));
      String dashboard = Files.readString(Path.of("..", "config", "grafana", "pachyderm.json"));
      Matcher exprs = Pattern.compile("\"expr\": \"([^\"\\\\]|\\\\.)*\"").matcher(dashboard);
      int queried = 0;
      while (exprs.find()) {
        Matcher names = Pattern.compile("\\b(?:pachyderm|ratis)_[A-Za-z0-9_]+").matcher(exprs.group());
        while (names.find()) {
          queried++;
          assertThat(served).as("series the dashboard queries").contains(names.group());
        }
      }
      assertThat(queried).isGreaterThan(10);

      for (int i = 0; i < cluster.size(); i++) {
        PachydermNode node = cluster.node(i);
        Scrape scrape = scrape(node);
        OutboxStats stats = node.outboxStats();
        assertThat(scrape.value("pachyderm_outbox_pending", "kind", "messages")).isEqualTo(stats.pendingMessages());
        assertThat(scrape.value("pachyderm_outbox_pending", "kind", "effects")).isEqualTo(stats.pendingEffects());
        assertThat(scrape.value("pachyderm_outbox_pending", "kind", "dead_letters")).isEqualTo(stats.deadLetters());
        assertThat(scrape.value("pachyderm_outbox_pending", "kind", "timers")).isEqualTo(stats.timers());
        assertThat(scrape.value("pachyderm_applied_index", "node", node.nodeId()))
            .isGreaterThanOrEqualTo(node.appliedIndex() - 1_000).isPositive();
        assertThat(scrape.value("pachyderm_refusals_total", "reason", "not_peer")).isZero();
        // Ratis' own metrics, bridged from its Dropwizard registries, tagged with this node.
        assertThat(scrape.samples()).anySatisfy(s -> {
          assertThat(s.name()).startsWith("ratis_");
          assertThat(s.label("node")).isEqualTo(node.nodeId());
        });
        assertThat(scrape.samples()).noneSatisfy(s -> assertThat(s.label("node")).isNotEqualTo(node.nodeId()));
      }
    }
  }

  @Test
  void theEndpointServesThreePathsAndRefusesTheRest() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestCounter.TYPES, b -> b.metricsPort(0))) {
      PachydermNode node = cluster.node(cluster.awaitLeader());
      assertThat(get(node, "/nope").statusCode()).isEqualTo(404);
      assertThat(get(node, "/metrics/extra").statusCode()).isEqualTo(404);
      assertThat(get(node, "/").statusCode()).isEqualTo(404);
      HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(uri(node, "/metrics"))
          .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
      HttpResponse<String> metrics = get(node, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
      assertThat(get(node, "/health/live").statusCode()).isEqualTo(200);

      InetSocketAddress address = node.metricsAddress().orElseThrow();
      cluster.stop(cluster.awaitLeader());
      // Closed with the node: nothing listens on its port any more.
      assertThatThrownBy(() -> HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address.getHostString() + ":"
          + address.getPort() + "/health/live")).build(), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(ConnectException.class);
    }
  }

  /**
   * Readiness flips with the leader: stop a follower, then the leader, and the last node can
   * elect nobody (503, naming why, while still live); restart the follower and the two elect a
   * leader (200 on both). Stopping two of three makes the 503 certain: with one stopped, a new
   * leader can be elected before any probe looks.
   */
  @Test
  void readinessIsLostWithTheLeaderAndComesBackWithANewOne() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestCounter.TYPES, b -> b.metricsPort(0))) {
      cluster.awaitLeader();
      cluster.client().call(TestCounter.TYPE.ref("r"), new TestCounter.Add(1));
      for (int i = 0; i < 3; i++) {
        awaitStatus(cluster.node(i), "/health/ready", 200);
        assertThat(get(cluster.node(i), "/health/live").statusCode()).isEqualTo(200);
      }
      int leader = cluster.awaitLeader();
      int follower = cluster.followerIndex();
      int last = 3 - leader - follower;
      cluster.stop(follower);
      cluster.stop(leader);

      HttpResponse<String> notReady = awaitStatus(cluster.node(last), "/health/ready", 503);
      assertThat(notReady.body()).contains("\"ready\":false").containsPattern("\"reason\":\"(no leader|leader)");
      assertThat(notReady.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(get(cluster.node(last), "/health/live").statusCode()).isEqualTo(200);
      assertThat(cluster.node(last).health().ready()).isFalse();

      cluster.start(follower);
      awaitStatus(cluster.node(last), "/health/ready", 200);
      HttpResponse<String> ready = awaitStatus(cluster.node(follower), "/health/ready", 200);
      assertThat(ready.body()).contains("\"ready\":true").contains("\"reason\":\"\"");
    }
  }

  @Test
  void aMetricsPortNeedsARegistryItCanScrape() {
    PachydermNode.Builder builder = PachydermNode.builder("n1", List.of(new io.pachyderm.cluster.Peer("n1",
            "127.0.0.1:" + TestCluster.freePort())), dir.resolve("n1"))
        .meterRegistry(new SimpleMeterRegistry()).metricsPort(0);
    assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PrometheusMeterRegistry").hasMessageContaining("SimpleMeterRegistry");
    assertThatThrownBy(() -> builder.metricsPort(70_000)).hasMessageContaining("metrics port");
    assertThatThrownBy(() -> builder.readyApplyLagEntriesMax(-1)).hasMessageContaining("readyApplyLagEntriesMax");
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static void awaitDispatches(TestCluster cluster, long atLeast) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (cluster.dispatchCount.get() < atLeast) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + cluster.dispatchCount.get() + " of " + atLeast + " effects dispatched");
      }
      TestCluster.sleep(20);
    }
  }

  private static HttpResponse<String> awaitStatus(PachydermNode node, String path, int status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    HttpResponse<String> last = null;
    while (System.nanoTime() < deadline) {
      last = get(node, path);
      if (last.statusCode() == status) {
        return last;
      }
      TestCluster.sleep(10);
    }
    throw new AssertionError(node.nodeId() + path + " never answered " + status + "; last: "
        + (last == null ? "none" : last.statusCode() + " " + last.body()));
  }

  private static List<Scrape> scrapeAll(TestCluster cluster) throws Exception {
    List<Scrape> all = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      all.add(scrape(cluster.node(i)));
    }
    return all;
  }

  private static double sum(List<Scrape> scrapes, Predicate<Scrape.Sample> which) {
    double total = 0;
    for (Scrape s : scrapes) {
      total += s.sum(which);
    }
    return total;
  }

  private static Scrape scrape(PachydermNode node) throws IOException, InterruptedException {
    HttpResponse<String> r = get(node, "/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    return Scrape.parse(r.body());
  }

  private static URI uri(PachydermNode node, String path) {
    InetSocketAddress a = node.metricsAddress().orElseThrow();
    return URI.create("http://" + a.getHostString() + ":" + a.getPort() + path);
  }

  static HttpResponse<String> get(PachydermNode node, String path) throws IOException, InterruptedException {
    try {
      return HTTP.send(HttpRequest.newBuilder(uri(node, path)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (CompletionException e) {
      throw new IOException(e);
    }
  }
}
