package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.internal.LoopbackPorts;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose port is taken fails to start with an exception naming the address. Ratis itself
 * would end the JVM (its gRPC server calls ExitUtils.terminate when it cannot bind), so without
 * the check this test's JVM would not survive to report anything.
 */
class PortInUseTest {
  @TempDir
  Path dir;

  @Test
  void aTakenClientPortFailsTheStartNamingTheAddressAndTheJvmLives() throws Exception {
    int peer = LoopbackPorts.free();
    int client = LoopbackPorts.free();
    int admin = LoopbackPorts.free();
    List<Peer> peers = List.of(new Peer("n1", "127.0.0.1:" + peer, "127.0.0.1:" + client, "127.0.0.1:" + admin));
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", client));
      PachydermNode node = PachydermNode.builder("n1", peers, dir.resolve("n1")).entityTypes(TestCounter.TYPES).build();
      try {
        assertThatThrownBy(node::start).isInstanceOf(UncheckedIOException.class)
            .hasMessageContaining("node n1: cannot start: 127.0.0.1:" + client + " is in use");
      } finally {
        node.close();
      }
    }
    // Free again: the same settings start.
    try (PachydermNode node = PachydermNode.builder("n1", peers, dir.resolve("n1b")).entityTypes(TestCounter.TYPES)
        .build().start()) {
      assertThat(node.nodeId()).isEqualTo("n1");
    }
  }
}
