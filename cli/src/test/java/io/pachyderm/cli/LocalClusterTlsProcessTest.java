package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cluster start --tls}: three node processes with mutual TLS and a throwaway CA; the
 * client options it prints are served, a plaintext client is not, {@code cluster status} uses the
 * cluster's client certificate, and a later plaintext start removes the certificates again.
 */
class LocalClusterTlsProcessTest {
  @Test
  void startWithTlsServesTheCertificateItPrintsAndNothingElse(@TempDir Path dir) throws Exception {
    int basePort = FreePorts.consecutive(9);
    String data = dir.resolve("cluster").toString();
    CliRun start = CliRun.of("cluster", "start", "--tls", "--nodes", "3", "--base-port", Integer.toString(basePort),
        "--data", data);
    try {
      assertThat(start.exitCode()).as(start.toString()).isZero();
      String peers = Files.readString(Path.of(data, "peers"), StandardCharsets.UTF_8).strip();
      String tlsLine = start.outLines().stream().filter(l -> l.startsWith("client TLS options: ")).findFirst()
          .orElseThrow(() -> new AssertionError("no client TLS options in " + start));
      List<String> tls = Arrays.asList(tlsLine.substring("client TLS options: ".length()).split(" "));
      assertThat(tls).containsExactly("--tls-cert", Path.of(data, "tls", "client.crt").toString(),
          "--tls-key", Path.of(data, "tls", "client.key").toString(), "--tls-ca", Path.of(data, "tls", "ca.crt").toString());
      assertThat(Files.readString(Path.of(data, "n1.log"))).contains("(grpc, mutual TLS)");

      List<String> call = new ArrayList<>(List.of("call", "--peers", peers));
      call.addAll(tls);
      call.addAll(List.of("counter", "tls-proc", "Increment", "{\"by\":2}"));
      CliRun served = CliRun.of(call.toArray(new String[0]));
      assertThat(served.outLines()).as(served.toString()).containsExactly("version: 1", "state: {\"count\":2}");

      CliRun plaintext = CliRun.of("call", "--peers", peers, "--timeout-ms", "2000", "counter", "tls-proc",
          "Increment", "{\"by\":2}");
      assertThat(plaintext.exitCode()).as(plaintext.toString())
          .isIn(PachydermCli.EXIT_FAILURE, PachydermCli.EXIT_OUTCOME_UNKNOWN);

      CliRun status = CliRun.of("cluster", "status", "--data", data);
      assertThat(status.exitCode()).as(status.toString()).isZero();
      assertThat(status.outLines()).filteredOn(l -> l.startsWith("n") && l.split("\\s+")[1].equals("LEADER"))
          .hasSize(1);
    } finally {
      CliRun stop = CliRun.of("cluster", "stop", "--data", data);
      assertThat(stop.exitCode()).as(stop.toString()).isZero();
    }
    assertThat(Path.of(data, "tls", "client.crt")).exists();
    assertThat(CliRun.of("cluster", "start", "--tls", "--transport", "netty", "--data", data).err())
        .contains("--tls needs --transport grpc");
  }
}
