package io.pachyderm.node;

import io.pachyderm.cluster.internal.RatisCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.cluster.ClusterIdentity;
import io.pachyderm.cluster.ClusterMismatchException;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.internal.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every cluster has its own id (its Raft group id), derived from its initial peer list unless
 * named, kept in each node's data directory; a client or a node with another cluster's id is
 * refused. Before, every cluster had the group id of the name "pachyderm".
 */
class ClusterIdTest {
  @TempDir
  Path dir;

  private static Peer peer(String id) {
    return new Peer(id, "127.0.0.1:" + LoopbackPorts.free());
  }

  private static PachydermNode.Builder node(String id, List<Peer> peers, Path data) {
    return PachydermNode.builder(id, peers, data).entityTypes(TestCounter.TYPES)
        .electionTimeoutMin(Duration.ofMillis(400));
  }

  private static PachydermClient client(List<Peer> peers, UUID clusterId) {
    PachydermClient.Builder b = PachydermClient.builder(peers).entityTypes(TestCounter.TYPES)
        .requestTimeout(Duration.ofSeconds(30));
    return (clusterId == null ? b : b.clusterId(clusterId)).build();
  }

  @Test
  void freshNodesGivenTheSameListAgreeAndClustersOnOtherAddressesDiffer() {
    Peer n1 = peer("n1");
    Peer n2 = peer("n2");
    Peer n3 = peer("n3");

    assertThat(RatisCluster.groupId(List.of(n1, n2, n3))).isEqualTo(RatisCluster.groupId(List.of(n3, n1, n2)));
    assertThat(RatisCluster.groupId(List.of(n1, n2, n3))).isNotEqualTo(RatisCluster.groupId(List.of(n1, n2)))
        .isNotEqualTo(RatisCluster.groupId("pachyderm"));
  }

  @Test
  void aClientOfClusterAPointedAtClusterBIsRefusedNamingBothIds() {
    List<Peer> a = List.of(peer("n1"));
    List<Peer> b = List.of(peer("n1"));
    try (PachydermNode nodeA = node("n1", a, dir.resolve("a")).build().start();
         PachydermNode nodeB = node("n1", b, dir.resolve("b")).build().start();
         PachydermClient ofA = client(a, null);
         PachydermClient ofB = client(b, null);
         PachydermClient ofAAtB = client(b, nodeA.clusterId())) {
      assertThat(nodeA.clusterId()).isNotEqualTo(nodeB.clusterId());
      assertThat(ofA.call(TestCounter.TYPE.ref("c"), new TestCounter.Add(1)).state().count()).isEqualTo(1);
      assertThat(ofB.call(TestCounter.TYPE.ref("c"), new TestCounter.Add(5)).state().count()).isEqualTo(5);

      assertThatThrownBy(() -> ofAAtB.call(TestCounter.TYPE.ref("c"), new TestCounter.Add(100)))
          .isInstanceOf(ClusterMismatchException.class)
          .hasMessageContaining("serves cluster " + nodeB.clusterId())
          .hasMessageContaining("not this client's cluster " + nodeA.clusterId());
      assertThat(ofB.call(TestCounter.TYPE.ref("c"), new TestCounter.Add(1)).state().count()).isEqualTo(6);
    }
  }

  @Test
  void aNodeOfClusterAGivenClusterBsPeerListKeepsItsIdAndBRefusesItsRequests() throws Exception {
    Path dataA = dir.resolve("a-n2");
    List<Peer> a = List.of(peer("n2"));
    UUID idA;
    try (PachydermNode nodeA = node("n2", a, dataA).build().start()) {
      idA = nodeA.clusterId();
    }
    Peer bn1 = peer("n1");
    Peer bn2 = peer("n2");
    List<Peer> b = List.of(bn1, bn2);
    // B's n1 runs; A's node takes the place of B's n2 with B's peer list (a stale or wrong config).
    try (PachydermNode nodeB = node("n1", b, dir.resolve("b-n1")).build().start();
         PachydermNode strayA = node("n2", b, dataA).build().start()) {
      assertThat(strayA.clusterId()).as("the data directory's id wins over the one derived from the list")
          .isEqualTo(idA);
      assertThat(nodeB.clusterId()).isEqualTo(io.pachyderm.cluster.ClusterIdentity.id(b)).isNotEqualTo(idA);
      assertThat(Files.readString(dataA.resolve("cluster-id")).trim()).isEqualTo(idA.toString());

      // The stray node's votes and appends carry group A; B's node checks a request's group before
      // anything else, for peers as for clients, and refuses it.
      try (PachydermClient asA = client(List.of(bn1), idA)) {
        assertThatThrownBy(() -> asA.call(TestCounter.TYPE.ref("c"), new TestCounter.Add(1)))
            .isInstanceOf(ClusterMismatchException.class)
            .hasMessageContaining("node n1 serves cluster " + nodeB.clusterId());
      }
      assertThat(io.pachyderm.node.internal.NodeInternals.raftServer(nodeB).getGroupIds()).containsExactly(RaftGroupId.valueOf(nodeB.clusterId()));
      assertThat(io.pachyderm.node.internal.NodeInternals.raftServer(strayA).getGroupIds()).containsExactly(RaftGroupId.valueOf(idA));
    }
  }

  @Test
  void anExplicitClusterNameThatDisagreesWithTheDataDirectoryIsRefusedNamingBothIds() {
    Path data = dir.resolve("n1");
    List<Peer> peers = List.of(peer("n1"));
    UUID stored;
    try (PachydermNode n = node("n1", peers, data).build().start()) {
      stored = n.clusterId();
    }

    assertThatThrownBy(() -> node("n1", peers, data).clusterName("payments").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("belongs to cluster " + stored)
        .hasMessageContaining("configured for cluster " + io.pachyderm.cluster.ClusterIdentity.id("payments"));
  }

  @Test
  void aDataDirectoryFromBeforeTheFileKeepsItsRaftGroup() throws Exception {
    Path data = dir.resolve("old");
    UUID legacy = io.pachyderm.cluster.ClusterIdentity.id("pachyderm");
    Files.createDirectories(data.resolve("raft").resolve(legacy.toString()));

    try (PachydermNode n = node("n1", List.of(peer("n1")), data).build()) {
      assertThat(n.clusterId()).isEqualTo(legacy);
    }
    assertThat(Files.readString(data.resolve("cluster-id")).trim()).isEqualTo(legacy.toString());
  }
}
