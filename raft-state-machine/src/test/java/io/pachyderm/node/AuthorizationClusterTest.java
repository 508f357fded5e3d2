package io.pachyderm.node;

import io.pachyderm.cluster.internal.RatisCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.node.security.ThrowawayCa;
import io.pachyderm.api.AccessDeniedException;
import io.pachyderm.api.Entities;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.node.security.Refusals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-node mutual-TLS cluster with an authorization policy (issue 11): each client certificate
 * may do what the policy grants its identity ({@code URI:pachyderm:client:<name>}) and nothing else;
 * a refused request fails at once with {@link AccessDeniedException}, is counted, and leaves state
 * and history as they were. The requests used would all succeed without the policy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationClusterTest {
  /** Long, so that a refusal retried until the timeout would show as OutcomeUnknownException. */
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String POLICY = """
      # identities  operations            ecosystems
      reader        query                 a
      writer        call,query,history    a,b
      *             status                *
      """;

  @TempDir
  static Path dir;

  private ThrowawayCa ca;
  private List<Peer> peers;
  private RaftGroup group;
  private final List<PachydermNode> nodes = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private PachydermClient writer;
  private PachydermClient reader;

  @BeforeAll
  void startCluster() throws Exception {
    ca = ThrowawayCa.create(dir.resolve("cluster-ca"), "cluster-ca");
    peers = List.of(new Peer("n1", "127.0.0.1:" + TestCluster.freePort()),
        new Peer("n2", "127.0.0.1:" + TestCluster.freePort()), new Peer("n3", "127.0.0.1:" + TestCluster.freePort()));
    group = RatisCluster.group((String) null, peers);
    Path policy = dir.resolve("policy.txt");
    Files.writeString(policy, POLICY);
    for (Peer p : peers) {
      nodes.add(PachydermNode.builder(p.id(), peers, dir.resolve(p.id()))
          .entityTypes(TestCounter.TYPES)
          .electionTimeoutMin(Duration.ofMillis(400))
          .effectHandler(TestCluster.COUNTING_HANDLER, (Object effect, EffectContext ctx) -> { })
          .tls(ca.node(p.id()))
          .authorizationPolicy(policy)
          .build().start());
    }
    writer = client(ca.namedClient("writer"));
    reader = client(ca.namedClient("reader"));
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
  void anIdentityAllowedOnlyToQueryInACannotCallThereAndTheEntityStaysAsItWas() {
    EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("authz-call");
    Entities writerA = writer.ecosystem("a");
    Entities readerA = reader.ecosystem("a");
    assertThat(writerA.call(ref, new TestCounter.Add(5)).version()).isEqualTo(1);
    assertThat(readerA.query(ref).state().count()).isEqualTo(5);
    long before = refusals(Refusals::notAuthorized);

    assertThatThrownBy(() -> readerA.call(ref, new TestCounter.Add(100)))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("PERMISSION_DENIED")
        .hasMessageContaining("client reader may not call in ecosystem 'a'");
    assertThatThrownBy(() -> readerA.send(ref, new TestCounter.Add(100)))
        .isInstanceOf(AccessDeniedException.class);

    assertThat(refusals(Refusals::notAuthorized)).isGreaterThanOrEqualTo(before + 2);
    assertThat(writerA.query(ref).version()).isEqualTo(1);
    assertThat(writerA.query(ref).state().count()).isEqualTo(5);
    assertThat(writerA.history(ref, 1)).extracting(HistoryEvent::version).containsExactly(1L);
  }

  @Test
  void anIdentityMayNotQueryOrReadHistoryWhereThePolicyDoesNotSaySo() {
    EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("authz-read");
    assertThat(writer.ecosystem("b").call(ref, new TestCounter.Add(3)).version()).isEqualTo(1);
    assertThat(writer.ecosystem("a").call(ref, new TestCounter.Add(4)).version()).isEqualTo(1);
    long before = refusals(Refusals::notAuthorized);

    assertThatThrownBy(() -> reader.ecosystem("b").query(ref))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("client reader may not query in ecosystem 'b'");
    assertThatThrownBy(() -> reader.ecosystem("a").history(ref, 1))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("client reader may not history in ecosystem 'a'");
    assertThatThrownBy(() -> reader.deadLetters().list(10))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("may not dead-letters in every ecosystem");
    assertThat(refusals(Refusals::notAuthorized)).isGreaterThanOrEqualTo(before + 3);

    // Another identity may.
    assertThat(writer.ecosystem("b").query(ref).state().count()).isEqualTo(3);
    assertThat(writer.ecosystem("a").history(ref, 1)).extracting(HistoryEvent::version).containsExactly(1L);
    // status (groupInfo and the status read) is granted to every named identity.
    assertThat(reader.status()).hasSize(3).allMatch(NodeView::reachable);
  }

  @Test
  void aCertificateWithoutAClientIdentityIsRefusedEverything() {
    EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("authz-anonymous");
    PachydermClient anonymous = client(ca.client("writer")); // CN=writer, but no URI SAN: not "writer"
    long before = refusals(Refusals::notAuthorized);
    assertThatThrownBy(() -> anonymous.ecosystem("a").call(ref, new TestCounter.Add(1)))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("names no client identity");
    assertThatThrownBy(() -> anonymous.ecosystem("a").query(ref)).isInstanceOf(AccessDeniedException.class);
    assertThat(refusals(Refusals::notAuthorized)).isGreaterThanOrEqualTo(before + 2);
    assertThat(writer.ecosystem("a").query(ref).version()).isZero();
  }

  /** The internal request kinds stay impossible to forge, now refused before Ratis sees them. */
  @Test
  void aClientAllowedToCallStillCannotForgeADeliveryOrATimerFire() throws Exception {
    EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("authz-internal");
    io.pachyderm.protocol.Ref target = io.pachyderm.protocol.Protos.ref(
        new io.pachyderm.runtime.EntityKey("a", ref.type(), ref.id()));
    List<io.pachyderm.protocol.CommandBatch> forged = List.of(
        io.pachyderm.protocol.CommandBatch.newBuilder()
            .addDeliveries(io.pachyderm.protocol.Delivery.newBuilder().setSource(target).setSeq(1)).build(),
        io.pachyderm.protocol.CommandBatch.newBuilder()
            .addTimerFires(io.pachyderm.protocol.TimerFire.newBuilder().setOwner(target).setName("t").setSeq(1)).build());
    try (RaftClient raft = raftClient(ca.namedClient("writer"))) {
      for (io.pachyderm.protocol.CommandBatch batch : forged) {
        assertThatThrownBy(() -> raft.io().send(org.apache.ratis.protocol.Message.valueOf(
            org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(batch.toByteArray()))))
            .hasMessageContaining("proposed by the leader itself, not by clients");
      }
      // Not something a Pachyderm client sends: refused under a policy.
      assertThatThrownBy(() -> raft.io().watch(1, org.apache.ratis.proto.RaftProtos.ReplicationLevel.MAJORITY))
          .hasMessageContaining("PERMISSION_DENIED");
    }
    assertThat(writer.ecosystem("a").query(ref).version()).isZero();
  }

  @Test
  void aPolicyThatDoesNotParseOrHasNoTlsIsRefusedAtBuild() throws Exception {
    Path bad = dir.resolve("bad-policy.txt");
    Files.writeString(bad, "reader query a\nwriter write a\n");
    Peer p = new Peer("x1", "127.0.0.1:" + TestCluster.freePort());
    assertThatThrownBy(() -> PachydermNode.builder("x1", List.of(p), dir.resolve("x1"))
        .entityTypes(TestCounter.TYPES).tls(ca.node("x1")).authorizationPolicy(bad).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(bad.toString())
        .hasMessageContaining("line 2")
        .hasMessageContaining("unknown operation 'write'");
    Path good = dir.resolve("policy.txt");
    assertThatThrownBy(() -> PachydermNode.builder("x1", List.of(p), dir.resolve("x1"))
        .entityTypes(TestCounter.TYPES).authorizationPolicy(good).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs mutual TLS");
  }

  // ---- helpers ---------------------------------------------------------------------------

  private PachydermClient client(TlsFiles files) {
    PachydermClient client = PachydermClient.builder(peers).entityTypes(TestCounter.TYPES).requestTimeout(TIMEOUT)
        .tls(files).build();
    closeables.add(client);
    return client;
  }

  /** A Ratis client without retries. */
  private RaftClient raftClient(TlsFiles files) {
    RaftProperties properties = new RaftProperties();
    RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
    org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(properties,
        org.apache.ratis.util.TimeDuration.valueOf(3, TimeUnit.SECONDS));
    Parameters parameters = new Parameters();
    GrpcConfigKeys.TLS.setConf(parameters, RatisCluster.grpcTlsConfig(files.load()));
    return RaftClient.newBuilder().setProperties(properties).setParameters(parameters).setRaftGroup(group)
        .setRetryPolicy(RetryPolicies.noRetry()).build();
  }

  private long refusals(ToLongFunction<Refusals> kind) {
    long sum = 0;
    for (PachydermNode n : nodes) {
      sum += kind.applyAsLong(n.refusals());
    }
    return sum;
  }
}
