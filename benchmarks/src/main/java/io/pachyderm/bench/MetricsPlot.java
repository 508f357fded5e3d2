package io.pachyderm.bench;

import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.examples.bank.Account;
import io.pachyderm.examples.counter.Counter;
import io.pachyderm.node.PachydermNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A real run behind README's metrics plot: three nodes in this JVM, each serving its metrics
 * endpoint over HTTP; a bounded load (counter increments, some crossing the threshold with an
 * effect, some rejected; bank transfers, whose credits travel as outbox messages); the leader
 * stopped at a third of the run and restarted at half; {@code /metrics} of every running node
 * scraped once a second, and the series the Grafana dashboard ({@code config/grafana/pachyderm.json})
 * shows drawn to a PNG by {@link MetricsChart}. The client's own counts are printed next to the
 * scraped ones: the accepted commands summed over nodes must be at least the client's successes.
 */
@Command(name = "metrics-plot", mixinStandardHelpOptions = true,
    description = "Runs a bounded load against an in-process 3-node cluster, scrapes /metrics every second and "
        + "draws the dashboard's series to a PNG.")
final class MetricsPlot implements Callable<Integer> {
  @Option(names = "--seconds", defaultValue = "60", description = "Length of the load. Default: ${DEFAULT-VALUE}.")
  int seconds;

  @Option(names = "--inflight", defaultValue = "64",
      description = "Commands in flight at once (the load's concurrency). Default: ${DEFAULT-VALUE}.")
  int inflight;

  @Option(names = "--out", defaultValue = "docs/metrics.png", description = "The PNG. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--dump", description = "Also write each node's last scrape here (nX.txt).")
  Path dump;

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public static void main(String[] args) {
    System.exit(new CommandLine(new MetricsPlot()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (seconds < 10 || inflight < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--seconds must be >= 10 and --inflight >= 1");
    }
    Path root = Files.createTempDirectory("pachyderm-metrics-plot");
    int[] ports = FreePorts.distinct(3);
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      peers.add(new Peer("n" + (i + 1), "127.0.0.1:" + ports[i]));
    }
    PachydermNode[] nodes = new PachydermNode[3];
    for (int i = 0; i < 3; i++) {
      nodes[i] = node(peers, i, root).build().start();
    }
    InProcessCluster.awaitReadyLeader(List.of(nodes));
    List<Sample> samples = new ArrayList<>();
    ClientCounts counts = new ClientCounts();
    AtomicBoolean stop = new AtomicBoolean();
    try (PachydermClient client = PachydermClient.builder(peers).entityTypes(InProcessCluster.TYPES)
        .requestTimeout(Duration.ofSeconds(30)).build()) {
      Thread load = new Thread(() -> load(client, counts, stop), "metrics-plot-load");
      load.start();
      long startNs = System.nanoTime();
      int stopped = -1;
      for (int second = 0; second <= seconds; second++) {
        long dueNs = startNs + second * 1_000_000_000L;
        long waitNs = dueNs - System.nanoTime();
        if (waitNs > 0) {
          Thread.sleep(waitNs / 1_000_000, (int) (waitNs % 1_000_000));
        }
        if (second == seconds / 3) {
          // Its counts up to the moment it stops: a last scrape first.
          samples.add(scrape(nodes, (System.nanoTime() - startNs) / 1e9));
          stopped = leaderOf(nodes);
          System.out.printf("t=%ds: stopping the leader %s%n", second, peers.get(stopped).id());
          nodes[stopped].close();
          nodes[stopped] = null;
        }
        if (second == seconds / 2 && stopped >= 0) {
          System.out.printf("t=%ds: restarting %s%n", second, peers.get(stopped).id());
          nodes[stopped] = node(peers, stopped, root).build().start();
        }
        samples.add(scrape(nodes, (System.nanoTime() - startNs) / 1e9));
      }
      stop.set(true);
      load.join();
      // After the last reply: every command the client saw succeed is in this scrape.
      samples.add(scrape(nodes, (System.nanoTime() - startNs) / 1e9));
    } finally {
      for (PachydermNode n : nodes) {
        if (n != null) {
          if (dump != null) {
            Files.createDirectories(dump);
            Files.writeString(dump.resolve(n.nodeId() + ".txt"), get(n), StandardCharsets.UTF_8);
          }
          n.close();
        }
      }
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    MetricsChart.write(out, samples, seconds / 3, seconds / 2);
    System.out.printf("client: %d commands succeeded, %d rejected, %d failed otherwise%n", counts.ok.get(),
        counts.rejected.get(), counts.failed.get());
    // A command the stopped leader applied after its last scrape is counted by nobody.
    System.out.printf("scraped, summed over nodes over the run: %.0f accepted, %.0f rejected, %.0f conflicts, %.0f leader"
        + " changes seen, %.0f effect attempts%n",
        MetricsChart.total(samples, "pachyderm_commands_total", m -> "accepted".equals(m.labels().get("result"))),
        MetricsChart.total(samples, "pachyderm_commands_total", m -> "rejected".equals(m.labels().get("result"))),
        MetricsChart.total(samples, "pachyderm_commands_total", m -> "conflict".equals(m.labels().get("result"))),
        MetricsChart.total(samples, "pachyderm_leader_changes_total", m -> true),
        MetricsChart.total(samples, "pachyderm_effect_attempts_total", m -> true));
    System.out.println("wrote " + out.toAbsolutePath());
    return 0;
  }

  private static PachydermNode.Builder node(List<Peer> peers, int i, Path root) {
    return PachydermNode.builder(peers.get(i).id(), peers, root.resolve(peers.get(i).id()))
        .entityTypes(InProcessCluster.TYPES)
        .effectHandler(Counter.ADMIN_MAILER, (Counter.ThresholdReached t, EffectContext ctx) -> { })
        .onFatalError(io.pachyderm.node.settings.FatalErrorPolicy.STOP_NODE) // several nodes in this JVM
        .metricsPort(0);
  }

  private static int leaderOf(PachydermNode[] nodes) {
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] != null && nodes[i].isLeader()) {
        return i;
      }
    }
    return 0;
  }

  /** The client's view: each command's outcome as the client saw it. */
  private static final class ClientCounts {
    final AtomicLong ok = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
  }

  /**
   * {@code inflight} commands at once until stopped: counter increments, four per counter (the
   * fourth crosses the threshold: an effect), one in 50 an increment of 0 (rejected), one in 5 a bank
   * transfer of one cent around a ring of 200 accounts (its credit an outbox message).
   */
  private void load(PachydermClient client, ClientCounts counts, AtomicBoolean stop) {
    Semaphore slots = new Semaphore(inflight);
    long i = 0;
    while (!stop.get()) {
      try {
        slots.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      long n = i++;
      java.util.concurrent.CompletableFuture<?> f;
      if (n % 5 == 4) {
        int from = (int) (n % 200);
        f = client.callAsync(Account.TYPE.ref("acct-" + from),
            new Account.Transfer("t" + n, "acct-" + ((from + 1) % 200), 1));
      } else {
        // Four increments of 3 per counter: the fourth crosses the threshold of 10 (an effect).
        f = client.callAsync(Counter.TYPE.ref("c" + (n / 4)), new Counter.Increment(n % 50 == 0 ? 0 : 3));
      }
      f.whenComplete((r, e) -> {
        slots.release();
        if (e == null) {
          counts.ok.incrementAndGet();
        } else if (e.getCause() instanceof io.pachyderm.api.CommandRejectedException
            || e instanceof io.pachyderm.api.CommandRejectedException) {
          counts.rejected.incrementAndGet();
        } else {
          counts.failed.incrementAndGet();
        }
      });
    }
    slots.acquireUninterruptibly(inflight);
  }

  /** One scrape of every running node: metric samples per node id. */
  record Sample(double timeS, Map<String, List<Metric>> byNode) {
    double sum(String name, String labelKey, String labelValue) {
      double total = 0;
      for (List<Metric> metrics : byNode.values()) {
        for (Metric m : metrics) {
          if (m.name().equals(name) && (labelKey == null || labelValue.equals(m.labels().get(labelKey)))) {
            total += m.value();
          }
        }
      }
      return total;
    }
  }

  record Metric(String name, Map<String, String> labels, double value) {}

  private static Sample scrape(PachydermNode[] nodes, double timeS) {
    Map<String, List<Metric>> byNode = new LinkedHashMap<>();
    for (PachydermNode n : nodes) {
      if (n == null) {
        continue;
      }
      try {
        byNode.put(n.nodeId(), parse(get(n)));
      } catch (IOException | InterruptedException e) {
        // A node being stopped or restarted: no point from it this second.
      }
    }
    return new Sample(timeS, byNode);
  }

  private static String get(PachydermNode n) throws IOException, InterruptedException {
    var address = n.metricsAddress().orElseThrow();
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address.getHostString() + ":"
        + address.getPort() + "/metrics")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET /metrics answered " + r.statusCode());
    }
    return r.body();
  }

  /** Prometheus' text format, the parts the chart reads (no escapes in our label values). */
  static List<Metric> parse(String text) {
    List<Metric> metrics = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      Map<String, String> labels = new LinkedHashMap<>();
      String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
      if (brace >= 0 && brace < space) {
        for (String pair : line.substring(brace + 1, line.lastIndexOf('}')).split("\",")) {
          int eq = pair.indexOf('=');
          if (eq > 0) {
            labels.put(pair.substring(0, eq), pair.substring(eq + 2).replaceAll("\"$", ""));
          }
        }
      }
      metrics.add(new Metric(name, labels, Double.parseDouble(line.substring(space + 1))));
    }
    return metrics;
  }
}
