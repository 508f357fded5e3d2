package io.pachyderm.node;

import io.pachyderm.cluster.internal.RatisCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.node.security.ThrowawayCa;
import io.pachyderm.cluster.ClusterIdentity;
import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.cluster.tls.TlsMaterial;
import io.pachyderm.entity.EntityRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.GroupInfoRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupListRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftGroupIdProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.grpc.AdminProtocolServiceGrpc;
import org.apache.ratis.proto.grpc.RaftClientProtocolServiceGrpc;
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;
import org.apache.ratis.thirdparty.io.grpc.netty.GrpcSslContexts;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyChannelBuilder;
import org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-node cluster with mutual TLS on separate peer, client and admin ports (issue 11): clients
 * write, read status and follow a leader change through the client ports alone, an operator takes
 * a snapshot through the admin port, and each port refuses the other ports' services (raw gRPC
 * calls with certificates the authorizer would accept, so only the port can refuse them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SeparatePortsTest {
  @TempDir
  static Path dir;

  private ThrowawayCa ca;
  private TestCluster cluster;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeAll
  void startCluster() {
    ca = ThrowawayCa.create(dir.resolve("ports-ca"), "ports-ca");
    cluster = new TestCluster(dir.resolve("nodes"), 3, TestCounter.TYPES, true, (id, b) -> b.tls(ca.node(id)));
    cluster.awaitLeader();
  }

  @AfterAll
  void stopCluster() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    cluster.close();
  }

  @Test
  void everyNodeServesThreeDifferentPorts() {
    for (Peer p : cluster.peers()) {
      assertThat(p.separatePorts()).isTrue();
      assertThat(List.of(p.port(), p.clientPort(), p.adminPort())).doesNotHaveDuplicates();
    }
  }

  @Test
  void aClientWritesReadsStatusAndFollowsALeaderChangeThroughClientPorts() {
    PachydermClient client = client(cluster.peers(), ca.client("alice"));
    EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("ports-write");
    assertThat(client.call(ref, new TestCounter.Add(5)).version()).isEqualTo(1);

    // status reads each node's own report over its client port (no admin call).
    List<NodeView> status = client.status();
    assertThat(status).hasSize(3).allMatch(NodeView::reachable);
    assertThat(status).filteredOn(v -> v.role().equals("LEADER")).hasSize(1);
    String leaderId = status.stream().filter(v -> v.role().equals("LEADER")).findFirst().orElseThrow().nodeId();
    assertThat(status).allMatch(v -> v.leaderId().equals(leaderId) && v.term() > 0 && v.commitIndex() > 0);

    int leader = cluster.awaitLeader();
    cluster.stop(leader);
    try {
      int next = cluster.awaitLeader();
      assertThat(next).isNotEqualTo(leader);
      assertThat(client.call(ref, new TestCounter.Add(7)).version()).isEqualTo(2);
    } finally {
      cluster.start(leader);
    }
    assertThat(client.query(ref).state().count()).isEqualTo(12);
  }

  @Test
  void statusNeedsOnlyTheClientPorts() {
    // As from another host: every admin address leads nowhere (a loopback admin port there is not
    // this cluster's). status must still see every node, with its role and leader.
    List<Peer> adminUnreachable = cluster.peers().stream()
        .map(p -> new Peer(p.id(), p.address(), p.clientAddress(), "127.0.0.1:" + TestCluster.freePort()))
        .toList();
    PachydermClient client = client(adminUnreachable, ca.client("erin"));
    List<NodeView> status = client.status();
    assertThat(status).hasSize(3).allMatch(NodeView::reachable);
    assertThat(status).filteredOn(v -> v.role().equals("LEADER")).hasSize(1);
  }

  @Test
  void aClientThatKnowsOnlyAFollowerReachesTheLeaderAtItsClientAddress() {
    int follower = cluster.followerIndex();
    // The follower's not-leader reply names the leader as the group's configuration has it; only
    // its client address leads to a port that serves calls.
    PachydermClient client = client(List.of(cluster.peers().get(follower)), ca.client("carol"));
    EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("ports-redirect");
    assertThat(client.call(ref, new TestCounter.Add(3)).version()).isEqualTo(1);
  }

  @Test
  void anOperatorTakesASnapshotThroughTheAdminPort() throws Exception {
    TlsMaterial admin = ca.admin("ops").load();
    int leader = cluster.awaitLeader();
    PachydermClient writer = client(cluster.peers(), ca.client("dave"));
    writer.call(TestCounter.TYPE.ref("ports-snapshot"), new TestCounter.Add(1));
    String leaderId = cluster.peers().get(leader).id();
    long before = snapshotIndex(writer, leaderId);
    try (RaftClient raft = raftClient(admin)) {
      // Creation gap 1: a snapshot even though few entries came since the last one (0 would mean
      // Ratis' configured gap, 1024 entries, and no snapshot here).
      RaftClientReply reply = raft.getSnapshotManagementApi(RaftPeerId.valueOf(leaderId)).create(1, 30_000);
      assertThat(reply.isSuccess()).as("snapshot reply %s", reply).isTrue();
    }
    // The index shows in the node's status once the snapshot file is written.
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (snapshotIndex(writer, leaderId) <= before && System.nanoTime() < deadline) {
      TestCluster.sleep(100);
    }
    assertThat(snapshotIndex(writer, leaderId)).isGreaterThan(before);
  }

  @Test
  void thePeerPortRefusesClientAndAdminCalls() {
    Peer n1 = cluster.peers().get(0);
    long before = wrongPortCalls();
    // n2's certificate: a member, so the authorizer would let it through; only the port refuses.
    TlsMaterial member = ca.node("n2").load();
    ManagedChannel peerPort = channel(n1.address(), member);
    assertRefusedByPort(() -> clientCall(peerPort), "peer port", "client port " + n1.clientAddress());
    assertRefusedByPort(() -> AdminProtocolServiceGrpc.newBlockingStub(peerPort)
        .withDeadlineAfter(10, TimeUnit.SECONDS).groupList(groupList("n1")), "peer port", "admin port");
    assertThat(wrongPortCalls()).isEqualTo(before + 2);
  }

  @Test
  void theClientPortRefusesRaftAndAdminCalls() {
    Peer n1 = cluster.peers().get(0);
    long before = wrongPortCalls();
    ManagedChannel asMember = channel(n1.clientAddress(), ca.node("n2").load());
    assertRefusedByPort(() -> RaftServerProtocolServiceGrpc.newBlockingStub(asMember)
        .withDeadlineAfter(10, TimeUnit.SECONDS).requestVote(RequestVoteRequestProto.newBuilder()
            .setServerRequest(rpc("n2", "n1")).setCandidateTerm(1_000).build()), "client port", "peer port");
    ManagedChannel asAdmin = channel(n1.clientAddress(), ca.admin("ops").load());
    assertRefusedByPort(() -> AdminProtocolServiceGrpc.newBlockingStub(asAdmin)
        .withDeadlineAfter(10, TimeUnit.SECONDS).groupList(groupList("n1")), "client port", "admin port");
    assertThat(wrongPortCalls()).isEqualTo(before + 2);
  }

  @Test
  void theAdminPortRefusesClientAndRaftCallsAndRequestsForAnotherNode() {
    Peer n1 = cluster.peers().get(0);
    ManagedChannel asMember = channel(n1.adminAddress(), ca.node("n2").load());
    assertRefusedByPort(() -> clientCall(asMember), "admin port", "client port");
    assertRefusedByPort(() -> RaftServerProtocolServiceGrpc.newBlockingStub(asMember)
        .withDeadlineAfter(10, TimeUnit.SECONDS).requestVote(RequestVoteRequestProto.newBuilder()
            .setServerRequest(rpc("n2", "n1")).setCandidateTerm(1_000).build()), "admin port", "peer port");

    ManagedChannel asAdmin = channel(n1.adminAddress(), ca.admin("ops").load());
    // Addressed to n1: served.
    assertThat(AdminProtocolServiceGrpc.newBlockingStub(asAdmin).withDeadlineAfter(10, TimeUnit.SECONDS)
        .groupInfo(GroupInfoRequestProto.newBuilder().setRpcRequest(rpc("client", "n1"))
            .setGroupId(groupIdProto()).build()).getRpcReply().getSuccess()).isTrue();
    // Addressed to n2 but landing on n1 (a loopback admin port reached from the wrong host): refused.
    assertThatThrownBy(() -> AdminProtocolServiceGrpc.newBlockingStub(asAdmin).withDeadlineAfter(10, TimeUnit.SECONDS)
        .groupInfo(GroupInfoRequestProto.newBuilder().setRpcRequest(rpc("client", "n2"))
            .setGroupId(groupIdProto()).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).contains("addressed to node n2").contains("node n1's admin port");
        });
  }

  // ---- helpers ---------------------------------------------------------------------------

  private static void assertRefusedByPort(Runnable call, String port, String servedOn) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(e.getStatus().getDescription()).contains(port).contains("it is served on").contains(servedOn);
    });
  }

  /** One unordered client request on the stream; the refusal arrives as the stream's error. */
  private void clientCall(ManagedChannel channel) {
    CompletableFuture<RaftClientReplyProto> reply = new CompletableFuture<>();
    StreamObserver<RaftClientRequestProto> requests = RaftClientProtocolServiceGrpc.newStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS).unordered(new StreamObserver<>() {
          @Override
          public void onNext(RaftClientReplyProto r) {
            reply.complete(r);
          }

          @Override
          public void onError(Throwable t) {
            reply.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            reply.completeExceptionally(new AssertionError("stream completed without a reply"));
          }
        });
    requests.onNext(RaftClientRequestProto.newBuilder().setRpcRequest(rpc("client", "n1")).build());
    try {
      reply.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException s) {
        throw s;
      }
      throw new AssertionError(e);
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      requests.onCompleted();
    }
  }

  private ManagedChannel channel(String address, TlsMaterial identity) {
    try {
      ManagedChannel channel = NettyChannelBuilder.forTarget(address).sslContext(GrpcSslContexts.forClient()
          .trustManager(RatisCluster.grpcTlsConfig(identity).getTrustManager().getTrustManager())
          .keyManager(RatisCluster.grpcTlsConfig(identity).getKeyManager().getKeyManager()).build()).build();
      closeables.add(() -> channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
      return channel;
    } catch (javax.net.ssl.SSLException e) {
      throw new AssertionError(e);
    }
  }

  /** A request from {@code from} (a peer id, or "client" for a client id) to node {@code to}. */
  private RaftRpcRequestProto rpc(String from, String to) {
    return RaftRpcRequestProto.newBuilder()
        .setRequestorId(from.startsWith("n") ? RaftPeerId.valueOf(from).toByteString()
            : org.apache.ratis.protocol.ClientId.randomId().toByteString())
        .setReplyId(RaftPeerId.valueOf(to).toByteString())
        .setRaftGroupId(groupIdProto())
        .setCallId(1)
        .build();
  }

  private RaftGroupIdProto groupIdProto() {
    return RaftGroupIdProto.newBuilder().setId(RatisCluster.groupId(cluster.peers()).toByteString()).build();
  }

  private GroupListRequestProto groupList(String to) {
    return GroupListRequestProto.newBuilder().setRpcRequest(rpc("client", to)).build();
  }

  private static long snapshotIndex(PachydermClient client, String nodeId) {
    return client.status().stream().filter(v -> v.nodeId().equals(nodeId)).findFirst().orElseThrow().snapshotIndex();
  }

  private long wrongPortCalls() {
    long sum = 0;
    for (int i = 0; i < cluster.size(); i++) {
      if (cluster.isRunning(i)) {
        sum += cluster.node(i).wrongPortCalls();
      }
    }
    return sum;
  }

  private RaftClient raftClient(TlsMaterial tls) {
    RaftProperties properties = new RaftProperties();
    RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
    org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(properties,
        TimeDuration.valueOf(30, TimeUnit.SECONDS));
    Parameters parameters = new Parameters();
    GrpcConfigKeys.TLS.setConf(parameters, RatisCluster.grpcTlsConfig(tls));
    return RaftClient.newBuilder().setProperties(properties).setParameters(parameters)
        .setRaftGroup(RatisCluster.group((String) null, cluster.peers()))
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(10,
            TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
        .build();
  }

  private PachydermClient client(List<Peer> peers, TlsFiles tls) {
    PachydermClient client = PachydermClient.builder(peers).entityTypes(TestCounter.TYPES)
        .clusterId(io.pachyderm.cluster.ClusterIdentity.id(cluster.peers()))
        .requestTimeout(Duration.ofSeconds(60)).tls(tls).build();
    closeables.add(client);
    return client;
  }
}
