package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.node.security.ThrowawayCa;
import io.pachyderm.client.AdminRefusedException;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.entity.EffectContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin actions under mutual TLS: a plain client certificate is refused every one of them (the
 * Ratis admin service and Pachyderm's own admin requests on the client service alike) and changes
 * nothing; an admin certificate may use them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsAdminTest {
  private static final Duration SHORT = Duration.ofSeconds(3);

  @TempDir
  static Path dir;

  private ThrowawayCa ca;
  private List<Peer> peers;
  private final List<PachydermNode> nodes = new ArrayList<>();
  private final List<PachydermClient> clients = new ArrayList<>();

  @BeforeAll
  void startCluster() {
    ca = ThrowawayCa.create(dir.resolve("cluster-ca"), "cluster-ca");
    peers = List.of(new Peer("n1", "127.0.0.1:" + TestCluster.freePort()),
        new Peer("n2", "127.0.0.1:" + TestCluster.freePort()), new Peer("n3", "127.0.0.1:" + TestCluster.freePort()));
    for (Peer p : peers) {
      nodes.add(PachydermNode.builder(p.id(), peers, dir.resolve(p.id()))
          .entityTypes(TestCounter.TYPES)
          .electionTimeoutMin(Duration.ofMillis(400))
          .effectHandler(TestCluster.COUNTING_HANDLER, (Object effect, EffectContext ctx) -> { })
          .tls(ca.node(p.id()))
          .build().start());
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (nodes.stream().noneMatch(PachydermNode::isReadyLeader)) {
      assertThat(System.nanoTime()).as("a leader within 60 s").isLessThan(deadline);
      TestCluster.sleep(20);
    }
  }

  @AfterAll
  void stopCluster() {
    clients.forEach(PachydermClient::close);
    nodes.forEach(PachydermNode::close);
  }

  @Test
  void aPlainClientCertificateIsRefusedEveryAdminActionAndChangesNothing() {
    PachydermClient alice = client(ca.client("alice"), SHORT);
    long refusedBefore = notAdminRefusals();

    assertThatThrownBy(() -> alice.admin().pauseEffects()).isInstanceOf(RuntimeException.class);
    assertThat(nodes).noneMatch(PachydermNode::effectsPaused);
    assertThat(notAdminRefusals()).as("the pause request refused by the node").isGreaterThan(refusedBefore);

    assertThatThrownBy(() -> alice.admin().compactJournal("n1"))
        .isInstanceOf(AdminRefusedException.class)
        .hasMessageContaining("admin requests")
        .hasMessageContaining("alice");
    assertThatThrownBy(() -> alice.admin().snapshot("n2"))
        .isInstanceOf(AdminRefusedException.class)
        .hasMessageContaining("only members of the group and admins");
    assertThatThrownBy(() -> alice.admin().stepDown())
        .isInstanceOf(AdminRefusedException.class)
        .hasMessageContaining("only members of the group and admins");

    // Its ordinary requests still go through.
    assertThat(alice.call(TestCounter.TYPE.ref("tls-admin"), new TestCounter.Add(1)).version()).isEqualTo(1);
  }

  @Test
  void anAdminCertificatePausesAndResumesEffectsAndReachesTheJournal() {
    PachydermClient ops = client(ca.admin("ops"), Duration.ofSeconds(30));
    assertThat(ops.admin().pauseEffects()).isTrue();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!nodes.stream().allMatch(PachydermNode::effectsPaused)) {
      assertThat(System.nanoTime()).as("every node applies the pause").isLessThan(deadline);
      TestCluster.sleep(20);
    }
    assertThat(ops.admin().resumeEffects()).isTrue();
    // The request reaches the node, whose journal keeps everything: the node's own refusal.
    assertThatThrownBy(() -> ops.admin().compactJournal("n1"))
        .isInstanceOf(AdminRefusedException.class)
        .hasMessageContaining("keeps every file forever");
    assertThat(ops.admin().snapshot("n3").index()).isPositive();
  }

  private long notAdminRefusals() {
    long sum = 0;
    for (PachydermNode n : nodes) {
      sum += n.refusals().notAdmin();
    }
    return sum;
  }

  private PachydermClient client(TlsFiles files, Duration timeout) {
    PachydermClient c = PachydermClient.builder(peers).entityTypes(TestCounter.TYPES).requestTimeout(timeout)
        .tls(files).build();
    clients.add(c);
    return c;
  }
}
