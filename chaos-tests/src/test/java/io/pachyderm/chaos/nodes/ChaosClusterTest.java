package io.pachyderm.chaos.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pachyderm.api.EntityState;
import io.pachyderm.api.PachydermException;
import io.pachyderm.api.ReadMode;
import io.pachyderm.chaos.net.NetnsHosts;
import io.pachyderm.chaos.workload.CounterEntity;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.node.security.Identities;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes in namespaces: a leader is elected, serves, and is replaced after kill -9;
 * a node that dies on its own is reported even after it was restarted. With mutual TLS the nodes
 * serve the harness's clients and refuse a client without a certificate.
 */
class ChaosClusterTest {
  @BeforeAll
  static void namespacesAvailable() {
    Optional<String> why = NetnsHosts.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "chaos cluster test skipped: " + why.orElse(""));
  }

  @Test
  @Timeout(120)
  void leaderServesAndIsReplacedAfterKill(@TempDir Path dir) throws Exception {
    try (NetnsHosts hosts = NetnsHosts.create(3);
         ChaosCluster cluster = ChaosCluster.start(hosts, dir, List.of())) {
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      try (PachydermClient client = cluster.client(Duration.ofSeconds(10))) {
        client.send(CounterEntity.TYPE.ref("c"), new CounterEntity.Add(2));
        cluster.node(leader).kill();
        String next = cluster.awaitLeader(Duration.ofSeconds(30));
        assertThat(next).isNotEqualTo(leader);
        client.send(CounterEntity.TYPE.ref("c"), new CounterEntity.Add(3));
        cluster.node(leader).start();
        assertThat(cluster.awaitCaughtUp(Duration.ofSeconds(30))).isEmpty();
        try (PachydermClient only = cluster.nodeClient(leader, Duration.ofSeconds(5))) {
          EntityState<CounterEntity.State> s = only.queryAsync(CounterEntity.TYPE.ref("c"), ReadMode.STALE).get();
          assertThat(s.state().count()).isEqualTo(5);
        }
      }
      cluster.requireNoneDied();

      // A node that dies without the harness killing it stays reported after a restart.
      NodeProcess victim = cluster.nodes().get(0);
      ProcessHandle crashed = ProcessHandle.of(victim.pid()).orElseThrow();
      crashed.destroyForcibly();
      crashed.onExit().get();
      victim.start();
      assertThat(victim.unexpectedExits()).hasSize(1);
      assertThatThrownBy(cluster::requireNoneDied).hasMessageContaining(victim.id()).hasMessageContaining("on its own");
    }
  }

  @Test
  @Timeout(120)
  void withMutualTlsTheNodesServeTheHarnessesCertificateAndRefuseAPlaintextClient(@TempDir Path dir)
      throws Exception {
    try (NetnsHosts hosts = NetnsHosts.create(3);
         ChaosCluster cluster = ChaosCluster.start(hosts, dir, List.of(), NodeCode.DEFAULT, true)) {
      assertThat(cluster.mutualTls()).isTrue();
      for (Peer p : cluster.peers()) {
        X509Certificate own = new TlsFiles(dir.resolve(ChaosCluster.TLS_DIR).resolve(p.id() + ".crt"),
            dir.resolve(ChaosCluster.TLS_DIR).resolve(p.id() + ".key"),
            cluster.clientTls().orElseThrow().trustBundle()).load().certificateChain().get(0);
        assertThat(Identities.peerIds(own)).containsExactly(p.id());
        assertThat(Identities.namesHost(own, p.host())).as("%s names its namespace address", p).isTrue();
      }
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      try (PachydermClient client = cluster.client(Duration.ofSeconds(10));
           PachydermClient plaintext = PachydermClient.builder(cluster.peers()).entityTypes(cluster.entityTypes())
               .requestTimeout(Duration.ofSeconds(3)).build()) {
        assertThat(client.call(CounterEntity.TYPE.ref("c"), new CounterEntity.Add(2)).state().count()).isEqualTo(2);
        assertThatThrownBy(() -> plaintext.send(CounterEntity.TYPE.ref("c"), new CounterEntity.Add(40)))
            .isInstanceOf(PachydermException.class);
        try (PachydermClient only = cluster.nodeClient(leader, Duration.ofSeconds(5))) {
          assertThat(only.queryAsync(CounterEntity.TYPE.ref("c"), ReadMode.STALE).get().state().count())
              .as("the plaintext client wrote nothing").isEqualTo(2);
        }
      }
      cluster.requireNoneDied();
    }
  }
}
