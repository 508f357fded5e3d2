package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cluster start}, {@code call}, {@code cluster status} and {@code cluster stop} with real
 * node processes (JVMs started with this test JVM's classpath and flags, as the launcher does).
 */
class LocalClusterProcessTest {
  @Test
  void startCallStatusStop(@TempDir Path dir) throws IOException, InterruptedException {
    int basePort = FreePorts.consecutive(9);
    int metricsBasePort = FreePorts.consecutive(3);
    String data = dir.resolve("cluster").toString();
    CliRun start = CliRun.of("cluster", "start", "--nodes", "3", "--base-port", Integer.toString(basePort),
        "--metrics-base-port", Integer.toString(metricsBasePort), "--data", data);
    List<Long> pids = new ArrayList<>();
    try {
      assertThat(start.exitCode()).as(start.toString()).isZero();
      pids.addAll(pids(Path.of(data)));
      assertThat(pids).hasSize(3);
      String lastLine = start.outLines().get(start.outLines().size() - 1);
      String peers = Files.readString(Path.of(data, "peers"), StandardCharsets.UTF_8).strip();
      assertThat(lastLine).isEqualTo("--peers " + peers);
      // Separate ports by default: peer ports, then client ports, then admin ports.
      assertThat(peers).isEqualTo("n1=127.0.0.1:" + basePort + ";client=127.0.0.1:" + (basePort + 3)
          + ";admin=127.0.0.1:" + (basePort + 6) + ",n2=127.0.0.1:" + (basePort + 1) + ";client=127.0.0.1:"
          + (basePort + 4) + ";admin=127.0.0.1:" + (basePort + 7) + ",n3=127.0.0.1:" + (basePort + 2)
          + ";client=127.0.0.1:" + (basePort + 5) + ";admin=127.0.0.1:" + (basePort + 8));
      assertThat(start.out()).contains("peer 127.0.0.1:" + basePort + "  client 127.0.0.1:" + (basePort + 3)
          + "  admin 127.0.0.1:" + (basePort + 6));

      CliRun call = CliRun.of("call", "--peers", peers, "counter", "proc-1", "Increment", "{\"by\":2}");
      assertThat(call.outLines()).as(call.toString()).containsExactly("version: 1", "state: {\"count\":2}");

      // Each node serves its metrics endpoint on the port start printed.
      for (int i = 0; i < 3; i++) {
        String url = "http://127.0.0.1:" + (metricsBasePort + i) + "/metrics";
        assertThat(start.outLines()).anySatisfy(l -> assertThat(l).endsWith("metrics " + url));
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("pachyderm_commands_total").contains("node=\"n" + (i + 1) + "\"");
      }

      CliRun status = CliRun.of("cluster", "status", "--data", data);
      assertThat(status.exitCode()).as(status.toString()).isZero();
      assertThat(status.outLines()).filteredOn(l -> l.startsWith("n") && l.split("\\s+")[1].equals("LEADER"))
          .hasSize(1);
      assertThat(status.outLines()).filteredOn(l -> l.endsWith("running")).hasSize(3);

      CliRun again = CliRun.of("cluster", "start", "--base-port", Integer.toString(basePort), "--data", data);
      assertThat(again.exitCode()).as(again.toString()).isEqualTo(PachydermCli.EXIT_FAILURE);
      assertThat(again.err()).contains("already running");
    } finally {
      CliRun stop = CliRun.of("cluster", "stop", "--data", data);
      assertThat(stop.exitCode()).as(stop.toString()).isZero();
    }
    assertThat(pids(Path.of(data))).isEmpty();
    for (long pid : pids) {
      Optional<ProcessHandle> p = ProcessHandle.of(pid);
      assertThat(p.isPresent() && p.get().isAlive()).as("node process " + pid + " alive after stop").isFalse();
    }
    assertThat(Path.of(data, "n1.log")).exists();
  }

  private static List<Long> pids(Path dir) throws IOException {
    List<Long> pids = new ArrayList<>();
    try (var files = Files.newDirectoryStream(dir, "*.pid")) {
      for (Path f : files) {
        pids.add(Long.parseLong(Files.readString(f, StandardCharsets.UTF_8).strip()));
      }
    }
    return pids;
  }
}
