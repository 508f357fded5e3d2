package io.pachyderm.node;

import io.pachyderm.cluster.internal.RatisCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.HistoryEvent;
import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.cluster.tls.TlsMaterial;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.node.security.ThrowawayCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftGroupIdProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.TermIndexProto;
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;
import org.apache.ratis.thirdparty.io.grpc.netty.GrpcSslContexts;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyChannelBuilder;
import org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-node cluster with mutual TLS (issue 11): a client with a certificate from the cluster CA
 * is served; a client without a certificate or with one from another CA is refused and writes
 * nothing; forged Raft requests (appendEntries, requestVote) in the leader's name from anything but
 * the leader's certificate (a member's own included) and admin calls (setConfiguration, group
 * remove) from anything but a member's or an admin's certificate are refused and leave term, leader
 * and configuration as they were. The nodes are shared by the tests: each refusal must leave them
 * exactly as they were.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsClusterTest {
  private static final Duration SHORT = Duration.ofSeconds(3);

  @TempDir
  static Path dir;

  private ThrowawayCa ca;
  private ThrowawayCa otherCa;
  private List<Peer> peers;
  private RaftGroup group;
  private final List<PachydermNode> nodes = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeAll
  void startCluster() {
    ca = ThrowawayCa.create(dir.resolve("cluster-ca"), "cluster-ca");
    otherCa = ThrowawayCa.create(dir.resolve("other-ca"), "other-ca");
    peers = List.of(new Peer("n1", "127.0.0.1:" + TestCluster.freePort()),
        new Peer("n2", "127.0.0.1:" + TestCluster.freePort()), new Peer("n3", "127.0.0.1:" + TestCluster.freePort()));
    group = RatisCluster.group((String) null, peers);
    for (Peer p : peers) {
      nodes.add(PachydermNode.builder(p.id(), peers, dir.resolve(p.id()))
          .entityTypes(TestCounter.TYPES)
          .electionTimeoutMin(Duration.ofMillis(400))
          .effectHandler(TestCluster.COUNTING_HANDLER, (Object effect, EffectContext ctx) -> { })
          .tls(ca.node(p.id()))
          .build().start());
    }
    awaitLeader();
  }

  @AfterAll
  void stopCluster() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    for (PachydermNode n : nodes) {
      n.close();
    }
  }

  @Test
  void aClientWithACertificateFromTheClusterCaCallsQueriesAndReadsHistory() {
    PachydermClient client = client(ca.client("alice"), Duration.ofSeconds(30));
    EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("tls-served");
    assertThat(client.call(ref, new TestCounter.Add(5)).version()).isEqualTo(1);
    assertThat(client.call(ref, new TestCounter.Add(7)).version()).isEqualTo(2);
    assertThat(client.query(ref).state().count()).isEqualTo(12);
    assertThat(client.history(ref, 1)).extracting(HistoryEvent::version).containsExactly(1L, 2L);
    // status() reads each node's own report over the client port, which any verified certificate may use.
    assertThat(client.status()).hasSize(3).allMatch(NodeView::reachable);
  }

  @Test
  void clientsWithoutACertificateOrWithOneFromAnotherCaAreRefusedAndWriteNothing() {
    EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("tls-refused");
    PachydermClient plaintext = track(PachydermClient.builder(peers).entityTypes(TestCounter.TYPES)
        .requestTimeout(SHORT).build());
    assertThatThrownBy(() -> plaintext.call(ref, new TestCounter.Add(1))).isInstanceOf(RuntimeException.class)
        .hasMessageContaining("if the nodes serve mutual TLS");

    PachydermClient foreign = client(otherCa.client("mallory"), SHORT);
    assertThatThrownBy(() -> foreign.call(ref, new TestCounter.Add(1))).isInstanceOf(RuntimeException.class);

    // TLS that trusts the cluster CA but presents no certificate: the handshake is refused.
    try (RaftClient noCertificate = raftClient(new GrpcTlsConfig(null, trustManager(ca.client("bob")), false))) {
      assertThatThrownBy(() -> noCertificate.io().send(org.apache.ratis.protocol.Message.valueOf("x")))
          .isInstanceOf(Exception.class);
    } catch (Exception e) {
      throw new AssertionError(e);
    }

    PachydermClient good = client(ca.client("alice"), Duration.ofSeconds(30));
    assertThat(good.query(ref).version()).isZero();
  }

  @Test
  void forgedRequestVoteIsRefusedWithoutAPeerCertificateAndTheTermStays() throws Exception {
    int leader = awaitLeader();
    long term = term(leader);
    Peer target = peers.get((leader + 1) % 3);
    long refusedBefore = refusals(r -> r.notPeer());
    long impersonationsBefore = refusals(r -> r.impersonation());
    RequestVoteRequestProto vote = RequestVoteRequestProto.newBuilder()
        .setServerRequest(serverRequest(peers.get(leader).id(), target.id()))
        .setCandidateTerm(term + 50)
        .setCandidateLastEntry(TermIndexProto.newBuilder().setTerm(term + 50).setIndex(1_000_000))
        .build();

    for (Forger forger : forgers(peers.get((leader + 2) % 3).id())) {
      ManagedChannel channel = forger.channel(target);
      try {
        assertThatThrownBy(() -> RaftServerProtocolServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(5, TimeUnit.SECONDS).requestVote(vote))
            .as(forger.name())
            .isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).as(forger.name()).isIn(forger.expected()));
      } finally {
        channel.shutdownNow();
      }
    }
    assertThat(refusals(r -> r.notPeer())).isGreaterThanOrEqualTo(refusedBefore + 2);
    assertThat(refusals(r -> r.impersonation())).isGreaterThanOrEqualTo(impersonationsBefore + 1);
    assertThat(awaitLeader()).isEqualTo(leader);
    for (int i = 0; i < 3; i++) {
      assertThat(term(i)).as("term of " + peers.get(i).id()).isEqualTo(term);
    }
  }

  @Test
  void forgedAppendEntriesIsRefusedWithoutAPeerCertificateAndTheTermStays() throws Exception {
    int leader = awaitLeader();
    long term = term(leader);
    long impersonationsBefore = refusals(r -> r.impersonation());
    Peer target = peers.get((leader + 1) % 3);
    AppendEntriesRequestProto append = AppendEntriesRequestProto.newBuilder()
        .setServerRequest(serverRequest(peers.get(leader).id(), target.id()))
        .setLeaderTerm(term + 50)
        .setLeaderCommit(1_000_000)
        .build();

    for (Forger forger : forgers(peers.get((leader + 2) % 3).id())) {
      ManagedChannel channel = forger.channel(target);
      try {
        CompletableFuture<AppendEntriesReplyProto> reply = new CompletableFuture<>();
        StreamObserver<AppendEntriesRequestProto> requests = RaftServerProtocolServiceGrpc.newStub(channel)
            .withDeadlineAfter(5, TimeUnit.SECONDS).appendEntries(new StreamObserver<>() {
              @Override
              public void onNext(AppendEntriesReplyProto value) {
                reply.complete(value);
              }

              @Override
              public void onError(Throwable t) {
                reply.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                reply.completeExceptionally(new IllegalStateException("stream completed without a reply"));
              }
            });
        requests.onNext(append);
        assertThatThrownBy(() -> reply.get(10, TimeUnit.SECONDS)).as(forger.name())
            .hasCauseInstanceOf(StatusRuntimeException.class)
            .satisfies(e -> assertThat(((StatusRuntimeException) e.getCause()).getStatus().getCode())
                .as(forger.name()).isIn(forger.expected()));
      } finally {
        channel.shutdownNow();
      }
    }
    assertThat(refusals(r -> r.impersonation())).isGreaterThanOrEqualTo(impersonationsBefore + 1);
    assertThat(awaitLeader()).isEqualTo(leader);
    for (int i = 0; i < 3; i++) {
      assertThat(term(i)).as("term of " + peers.get(i).id()).isEqualTo(term);
    }
  }

  @Test
  void setConfigurationAndGroupRemoveAreRefusedToClientsAndAnonymousCallers() throws Exception {
    int leader = awaitLeader();
    List<RaftPeer> twoOfThree = List.of(group.getPeer(RaftPeerId.valueOf("n1")), group.getPeer(RaftPeerId.valueOf("n2")));
    long refusedBefore = refusals(r -> r.notAdmin());
    List<GrpcTlsConfig> callers = List.of(
        RatisCluster.grpcTlsConfig(ca.client("carol").load()),          // a client's certificate: refused by the authorizer
        RatisCluster.grpcTlsConfig(ca.issue("not-n2", "n2", List.of()).load()), // names n2 only in its CN: not a peer
        RatisCluster.grpcTlsConfig(otherCa.node("n2").load()));          // a peer certificate from another CA: handshake refused
    for (GrpcTlsConfig caller : callers) {
      try (RaftClient raft = raftClient(caller)) {
        assertThatThrownBy(() -> raft.admin().setConfiguration(twoOfThree)).isInstanceOf(Exception.class);
        assertThatThrownBy(() -> raft.getGroupManagementApi(RaftPeerId.valueOf("n2")).remove(group.getGroupId(), true, false))
            .isInstanceOf(Exception.class);
      }
    }
    try (RaftClient plaintext = raftClient(null)) {
      assertThatThrownBy(() -> plaintext.admin().setConfiguration(twoOfThree)).isInstanceOf(Exception.class);
      assertThatThrownBy(() -> plaintext.getGroupManagementApi(RaftPeerId.valueOf("n2"))
          .remove(group.getGroupId(), true, false)).isInstanceOf(Exception.class);
    }
    assertThat(refusals(r -> r.notAdmin())).isGreaterThanOrEqualTo(refusedBefore + 4);
    assertThat(io.pachyderm.node.internal.NodeInternals.raftServer(nodes.get(leader)).getDivision(group.getGroupId()).getRaftConf().getCurrentPeers())
        .hasSize(3);
    assertThat(io.pachyderm.node.internal.NodeInternals.raftServer(nodes.get(1)).getGroupIds()).contains(group.getGroupId());
    assertThat(Files.list(dir.resolve("n2").resolve("raft")).toList()).isNotEmpty();
  }

  /** The state machine's own check still holds over TLS: a verified client cannot propose internal work. */
  @Test
  void aClientWithAVerifiedCertificateStillCannotForgeADeliveryOrATimerFire() throws Exception {
    EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("tls-internal");
    io.pachyderm.protocol.Ref target = io.pachyderm.protocol.Protos.ref(
        new io.pachyderm.runtime.EntityKey("default", ref.type(), ref.id()));
    List<io.pachyderm.protocol.CommandBatch> forged = List.of(
        io.pachyderm.protocol.CommandBatch.newBuilder()
            .addDeliveries(io.pachyderm.protocol.Delivery.newBuilder().setSource(target).setSeq(1)).build(),
        io.pachyderm.protocol.CommandBatch.newBuilder()
            .addTimerFires(io.pachyderm.protocol.TimerFire.newBuilder().setOwner(target).setName("t").setSeq(1)).build());
    try (RaftClient raft = raftClient(RatisCluster.grpcTlsConfig(ca.client("mallory").load()))) {
      for (io.pachyderm.protocol.CommandBatch batch : forged) {
        assertThatThrownBy(() -> raft.io().send(org.apache.ratis.protocol.Message.valueOf(
            org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(batch.toByteArray()))))
            .hasMessageContaining("proposed by the leader itself, not by clients");
      }
    }
    PachydermClient good = client(ca.client("alice"), Duration.ofSeconds(30));
    assertThat(good.query(ref).version()).isZero();
  }

  @Test
  void anAdminCertificateMayUseTheAdminService() throws Exception {
    int leader = awaitLeader();
    try (RaftClient admin = raftClient(RatisCluster.grpcTlsConfig(ca.admin("ops").load()))) {
      var reply = admin.getSnapshotManagementApi(RaftPeerId.valueOf(peers.get(leader).id())).create(10_000);
      assertThat(reply.isSuccess()).as(String.valueOf(reply)).isTrue();
    }
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** One way to reach a node without a member's certificate, and the codes its refusal may have. */
  private record Forger(String name, Function<Peer, ManagedChannel> opener, List<Status.Code> expected) {
    ManagedChannel channel(Peer target) {
      return opener.apply(target);
    }
  }

  /**
   * Everyone but the leader: the forged requests claim to come from the leader. {@code member} is a
   * member other than the leader, whose own certificate must not let it speak for the leader.
   */
  private List<Forger> forgers(String member) {
    TlsMaterial client = ca.client("eve").load();
    TlsMaterial stranger = ca.node("n9").load();
    TlsMaterial memberCertificate = ca.node(member).load();
    // Handshake refusals surface as UNAVAILABLE; the authorizer's as PERMISSION_DENIED.
    return List.of(
        new Forger("plaintext", t -> NettyChannelBuilder.forTarget(t.address()).usePlaintext().build(),
            List.of(Status.Code.UNAVAILABLE, Status.Code.INTERNAL)),
        new Forger("TLS without a certificate", t -> tlsChannel(t, client, false), List.of(Status.Code.UNAVAILABLE)),
        new Forger("a client certificate", t -> tlsChannel(t, client, true), List.of(Status.Code.PERMISSION_DENIED)),
        new Forger("a certificate naming n9, not a member", t -> tlsChannel(t, stranger, true),
            List.of(Status.Code.PERMISSION_DENIED)),
        new Forger("n2's certificate from another CA", t -> tlsChannel(t, otherCa.node("n2").load(), true, client),
            List.of(Status.Code.UNAVAILABLE)),
        new Forger("member " + member + "'s own certificate, in the leader's name",
            t -> tlsChannel(t, memberCertificate, true), List.of(Status.Code.PERMISSION_DENIED)));
  }

  private static ManagedChannel tlsChannel(Peer target, TlsMaterial tls, boolean presentCertificate) {
    return tlsChannel(target, tls, presentCertificate, tls);
  }

  /** A channel that presents {@code identity}'s certificate (if asked) and trusts {@code trust}'s CAs. */
  private static ManagedChannel tlsChannel(Peer target, TlsMaterial identity, boolean presentCertificate,
                                           TlsMaterial trust) {
    try {
      SslContextBuilder ssl = GrpcSslContexts.forClient()
          .trustManager(RatisCluster.grpcTlsConfig(trust).getTrustManager().getTrustManager());
      if (presentCertificate) {
        ssl.keyManager(RatisCluster.grpcTlsConfig(identity).getKeyManager().getKeyManager());
      }
      return NettyChannelBuilder.forTarget(target.address()).sslContext(ssl.build()).build();
    } catch (javax.net.ssl.SSLException e) {
      throw new AssertionError(e);
    }
  }

  private RaftRpcRequestProto serverRequest(String from, String to) {
    return RaftRpcRequestProto.newBuilder()
        .setRequestorId(RaftPeerId.valueOf(from).toByteString())
        .setReplyId(RaftPeerId.valueOf(to).toByteString())
        .setRaftGroupId(RaftGroupIdProto.newBuilder().setId(group.getGroupId().toByteString()))
        .setCallId(1)
        .build();
  }

  private static javax.net.ssl.TrustManager trustManager(TlsFiles files) {
    return RatisCluster.grpcTlsConfig(files.load()).getTrustManager().getTrustManager();
  }

  /** A Ratis client without retries; {@code tls} null for plaintext. */
  private RaftClient raftClient(GrpcTlsConfig tls) {
    RaftProperties properties = new RaftProperties();
    RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
    org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(properties,
        org.apache.ratis.util.TimeDuration.valueOf(3, TimeUnit.SECONDS));
    Parameters parameters = new Parameters();
    if (tls != null) {
      GrpcConfigKeys.TLS.setConf(parameters, tls);
    }
    return RaftClient.newBuilder().setProperties(properties).setParameters(parameters).setRaftGroup(group)
        .setRetryPolicy(RetryPolicies.noRetry()).build();
  }

  private PachydermClient client(TlsFiles files, Duration timeout) {
    return track(PachydermClient.builder(peers).entityTypes(TestCounter.TYPES).requestTimeout(timeout)
        .tls(files).build());
  }

  private PachydermClient track(PachydermClient client) {
    closeables.add(client);
    return client;
  }

  private long refusals(Function<io.pachyderm.node.security.Refusals, Long> kind) {
    long sum = 0;
    for (PachydermNode n : nodes) {
      sum += kind.apply(n.refusals());
    }
    return sum;
  }

  private long term(int node) throws Exception {
    return io.pachyderm.node.internal.NodeInternals.raftServer(nodes.get(node)).getDivision(group.getGroupId()).getInfo().getCurrentTerm();
  }

  private int awaitLeader() {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < nodes.size(); i++) {
        if (nodes.get(i).isReadyLeader()) {
          return i;
        }
      }
      TestCluster.sleep(20);
    }
    throw new AssertionError("no leader within 60 s");
  }
}
