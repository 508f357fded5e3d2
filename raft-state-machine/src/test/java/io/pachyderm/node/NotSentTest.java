package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.OutcomeUnknownException;
import io.pachyderm.api.NotSentException;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.internal.LoopbackPorts;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A client whose peers are all unreachable says "not sent" (safe to retry), not "outcome
 * unknown"; a client whose peer accepted the connection and then said nothing still says
 * "outcome unknown", because the request may have arrived.
 */
class NotSentTest {
  @Test
  void aClientWhosePeersAllRefuseConnectionsReportsNotSentNamingThem() {
    int[] ports = {LoopbackPorts.free(), LoopbackPorts.free(), LoopbackPorts.free()};
    List<Peer> peers = List.of(new Peer("n1", "127.0.0.1:" + ports[0]), new Peer("n2", "127.0.0.1:" + ports[1]),
        new Peer("n3", "127.0.0.1:" + ports[2]));
    try (PachydermClient c = PachydermClient.builder(peers).entityTypes(TestCounter.TYPES)
        .requestTimeout(Duration.ofSeconds(3)).build()) {
      assertThatThrownBy(() -> c.call(TestCounter.TYPE.ref("x"), new TestCounter.Add(1)))
          .isInstanceOfSatisfying(NotSentException.class, e -> {
            assertThat(e.reasonsByPeer()).isNotEmpty();
            assertThat(e.reasonsByPeer().values()).allSatisfy(r -> assertThat(r).contains("connect"));
          })
          .hasMessageContaining("not sent")
          .hasMessageContaining("safe to retry")
          .hasMessageContaining("Connection refused");
    }
  }

  @Test
  void aPeerThatAcceptsTheConnectionAndStaysSilentLeavesTheOutcomeUnknown() throws Exception {
    try (ServerSocket silent = new ServerSocket()) {
      silent.bind(new InetSocketAddress("127.0.0.1", LoopbackPorts.free()));
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (accepted.size() < 100) {
            accepted.add(silent.accept()); // held open, never answered
          }
        } catch (java.io.IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      List<Peer> peers = List.of(new Peer("n1", "127.0.0.1:" + silent.getLocalPort()));
      try (PachydermClient c = PachydermClient.builder(peers).entityTypes(TestCounter.TYPES)
          .requestTimeout(Duration.ofSeconds(3)).build()) {
        assertThatThrownBy(() -> c.call(TestCounter.TYPE.ref("x"), new TestCounter.Add(1)))
            .isInstanceOf(OutcomeUnknownException.class);
      }
    }
  }
}
