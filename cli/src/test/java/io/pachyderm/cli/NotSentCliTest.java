package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.cluster.internal.LoopbackPorts;
import org.junit.jupiter.api.Test;

class NotSentCliTest {
  @Test
  void aCallToPeersNobodyListensOnExitsNotSentNamingThePeers() {
    String peers = "n1=127.0.0.1:" + LoopbackPorts.free() + ",n2=127.0.0.1:" + LoopbackPorts.free()
        + ",n3=127.0.0.1:" + LoopbackPorts.free();

    CliRun run = CliRun.of("call", "--peers", peers, "--timeout-ms", "3000", "counter", "c1", "Increment",
        "{\"by\":1}");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_NOT_SENT);
    assertThat(run.err()).contains("call: not sent: ").contains("Connection refused").contains("safe to retry");
  }
}
