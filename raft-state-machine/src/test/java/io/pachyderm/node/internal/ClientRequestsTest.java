package io.pachyderm.node.internal;

import io.pachyderm.node.security.AuthorizationPolicy;
import io.pachyderm.node.security.Operation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.DeadLetterAction;
import io.pachyderm.protocol.DeadLetterQuery;
import io.pachyderm.protocol.Delivery;
import io.pachyderm.protocol.EffectId;
import io.pachyderm.protocol.EntityQuery;
import io.pachyderm.protocol.HistoryQuery;
import io.pachyderm.protocol.ReadRequest;
import io.pachyderm.protocol.Ref;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.ratis.proto.RaftProtos.ClientMessageEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadRequestTypeProto;
import org.apache.ratis.proto.RaftProtos.StaleReadRequestTypeProto;
import org.apache.ratis.proto.RaftProtos.WatchRequestTypeProto;
import org.apache.ratis.proto.RaftProtos.WriteRequestTypeProto;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.junit.jupiter.api.Test;

/**
 * How the node classifies a client-service request (operation, ecosystem) and decides it under a
 * policy and a token, without a network: {@link ClientRequests} and {@link CallAuthorizer#checkRequest}.
 */
class ClientRequestsTest {
  private static final String TOKEN = "0123456789abcdef-dev-token";
  private static final byte[] TOKEN_DIGEST = CallAuthorizer.sha256(TOKEN.getBytes(StandardCharsets.UTF_8));
  private static final AuthorizationPolicy POLICY = AuthorizationPolicy.parse("p", """
      reader   query,history   a
      writer   call,query      a,b
      ops      admin           *
      """);

  @Test
  void eachClientRequestKindHasItsOperationAndEcosystem() {
    assertThat(needs(write(CommandBatch.newBuilder().addCommands(command("a")).addCommands(command("b"))
        .addCommands(command("a")).build())))
        .containsExactly(need(Operation.CALL, "a"), need(Operation.CALL, "b"));
    assertThat(needs(write(CommandBatch.newBuilder().addDeadLetterActions(DeadLetterAction.newBuilder()
        .setId(EffectId.newBuilder().setSource(ref("c")).setSeq(1)).setDiscard(true)).build())))
        .containsExactly(need(Operation.DEAD_LETTERS, "c"));
    assertThat(needs(read(ReadRequest.newBuilder().setEntity(ref("a")).build(), false)))
        .containsExactly(need(Operation.QUERY, "a"));
    assertThat(needs(read(ReadRequest.newBuilder().setQuery(EntityQuery.newBuilder().setRef(ref("b")).setName("q"))
        .build(), true))).containsExactly(need(Operation.QUERY, "b"));
    assertThat(needs(read(ReadRequest.newBuilder().setHistory(HistoryQuery.newBuilder().setRef(ref("a"))).build(),
        true))).containsExactly(need(Operation.HISTORY, "a"));
    assertThat(needs(read(ReadRequest.newBuilder().setStatus(true).build(), true)))
        .containsExactly(need(Operation.STATUS, AuthorizationPolicy.ANY));
    assertThat(needs(read(ReadRequest.newBuilder().setDeadLetters(DeadLetterQuery.getDefaultInstance()).build(),
        false))).containsExactly(need(Operation.DEAD_LETTERS, AuthorizationPolicy.ANY));
  }

  @Test
  void internalWorkUndecodableBytesAndOtherRatisRequestTypesAreNotClientRequests() {
    assertThat(ClientRequests.classify(write(CommandBatch.newBuilder().addDeliveries(Delivery.newBuilder()
        .setSource(ref("a")).setSeq(1)).build()))).isInstanceOf(ClientRequests.Classified.Internal.class);
    assertThat(ClientRequests.classify(request(WriteRequestTypeProto.getDefaultInstance(), new byte[] {(byte) 0xff})))
        .isInstanceOf(ClientRequests.Classified.Unclassified.class);
    assertThat(ClientRequests.classify(write(CommandBatch.getDefaultInstance())))
        .isInstanceOf(ClientRequests.Classified.Unclassified.class);
    assertThat(ClientRequests.classify(RaftClientRequestProto.newBuilder()
        .setWatch(WatchRequestTypeProto.getDefaultInstance()).build()))
        .isInstanceOf(ClientRequests.Classified.Unclassified.class);
    // A field this node does not know (a request kind added later) is not passed as a known kind.
    byte[] unknownField = {(byte) 0xa2, 0x06, 0x00}; // field 100, length 0
    byte[] batch = CommandBatch.newBuilder().addCommands(command("a")).build().toByteArray();
    byte[] withUnknown = java.util.Arrays.copyOf(batch, batch.length + unknownField.length);
    System.arraycopy(unknownField, 0, withUnknown, batch.length, unknownField.length);
    assertThat(ClientRequests.classify(request(WriteRequestTypeProto.getDefaultInstance(), withUnknown)))
        .isInstanceOf(ClientRequests.Classified.Unclassified.class);
  }

  @Test
  void theTokenIsTakenOutOfTheRequestPassedOn() throws Exception {
    CommandBatch batch = CommandBatch.newBuilder().addCommands(command("a")).build();
    ClientRequests.Classified c = ClientRequests.classify(write(batch.toBuilder()
        .setAuthToken(ByteString.copyFromUtf8(TOKEN)).build()));
    assertThat(new String(c.token(), StandardCharsets.UTF_8)).isEqualTo(TOKEN);
    CommandBatch forwarded = CommandBatch.parseFrom(c.forwarded().getMessage().getContent().toByteArray());
    assertThat(forwarded).isEqualTo(batch);
    assertThat(forwarded.getAuthToken().isEmpty()).isTrue();
    ReadRequest read = ReadRequest.newBuilder().setEntity(ref("a")).build();
    ClientRequests.Classified r = ClientRequests.classify(read(read.toBuilder()
        .setAuthToken(ByteString.copyFromUtf8(TOKEN)).build(), true));
    assertThat(ReadRequest.parseFrom(r.forwarded().getMessage().getContent().toByteArray())).isEqualTo(read);
  }

  @Test
  void thePolicyDecidesEachRequestByIdentityOperationAndEcosystem() {
    RaftClientRequestProto callA = write(CommandBatch.newBuilder().addCommands(command("a")).build());
    RaftClientRequestProto callAB = write(CommandBatch.newBuilder().addCommands(command("a"))
        .addCommands(command("b")).build());
    RaftClientRequestProto queryB = read(ReadRequest.newBuilder().setEntity(ref("b")).build(), true);
    assertThat(decide(callA, List.of("writer"))).isNull();
    assertThat(decide(callAB, List.of("writer"))).isNull();
    assertThat(decide(queryB, List.of("writer"))).isNull();
    CallAuthorizer.Refusal refusal = decide(callA, List.of("reader"));
    assertThat(refusal.code()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(refusal.description()).contains("client reader may not call in ecosystem 'a'");
    assertThat(decide(queryB, List.of("reader")).description()).contains("may not query in ecosystem 'b'");
    assertThat(decide(callAB, List.of("nobody"))).isNotNull();
    assertThat(decide(callA, List.of())).isNotNull();
    // A batch is allowed only when every command in it is.
    assertThat(CallAuthorizer.checkRequest(ClientRequests.classify(write(CommandBatch.newBuilder()
        .addCommands(command("a")).addCommands(command("c")).build())), "client writer", List.of("writer"), POLICY,
        null, false).description()).contains("may not call in ecosystem 'c'");
  }

  @Test
  void underAPolicyInternalAndUnknownRequestsAreRefusedWithoutOneTheStateMachineDecides() {
    RaftClientRequestProto delivery = write(CommandBatch.newBuilder().addDeliveries(Delivery.newBuilder()
        .setSource(ref("a")).setSeq(1)).build());
    RaftClientRequestProto watch = RaftClientRequestProto.newBuilder()
        .setWatch(WatchRequestTypeProto.getDefaultInstance()).build();
    assertThat(decide(delivery, List.of("writer")).description()).contains("proposed by the leader itself");
    assertThat(decide(watch, List.of("writer")).code()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(CallAuthorizer.checkRequest(ClientRequests.classify(delivery), "x", List.of(), null, null, false)).isNull();
  }

  @Test
  void adminRequestsNeedAdminUnderAPolicyAndAnAdminOrMemberCertificateWithoutOne() {
    RaftClientRequestProto pause = write(CommandBatch.newBuilder().setAdminAction(
        io.pachyderm.protocol.AdminAction.newBuilder().setPauseEffects(true)).build());
    RaftClientRequestProto compact = read(ReadRequest.newBuilder().setCompactJournal(
        io.pachyderm.protocol.JournalCompaction.getDefaultInstance()).build(), true);
    for (RaftClientRequestProto request : List.of(pause, compact)) {
      assertThat(needs(request)).containsExactly(need(Operation.ADMIN, AuthorizationPolicy.ANY));
      assertThat(decide(request, List.of("ops"))).isNull();
      assertThat(decide(request, List.of("writer")).description()).contains("may not admin in every ecosystem");
      ClientRequests.Classified classified = ClientRequests.classify(request);
      assertThat(CallAuthorizer.checkRequest(classified, "client c", List.of("c"), null, null, false).description())
          .contains("admin requests (pause or resume effects, journal compaction) are for members");
      assertThat(CallAuthorizer.checkRequest(classified, "admin ops", List.of("ops"), null, null, true)).isNull();
    }
  }

  @Test
  void theTokenMustBeThereAndRight() {
    CommandBatch batch = CommandBatch.newBuilder().addCommands(command("a")).build();
    CallAuthorizer.Refusal missing = tokenDecision(batch);
    assertThat(missing.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(missing.description()).contains("carries no token");
    CallAuthorizer.Refusal wrong = tokenDecision(batch.toBuilder()
        .setAuthToken(ByteString.copyFromUtf8(TOKEN + "x")).build());
    assertThat(wrong.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(wrong.description()).contains("wrong token");
    assertThat(tokenDecision(batch.toBuilder().setAuthToken(ByteString.copyFromUtf8(TOKEN)).build())).isNull();
  }

  private static CallAuthorizer.Refusal tokenDecision(CommandBatch batch) {
    return CallAuthorizer.checkRequest(ClientRequests.classify(write(batch)), "a client without a certificate",
        List.of(), null, TOKEN_DIGEST, true);
  }

  private static CallAuthorizer.Refusal decide(RaftClientRequestProto request, List<String> names) {
    return CallAuthorizer.checkRequest(ClientRequests.classify(request), "client " + String.join(",", names), names,
        POLICY, null, false);
  }

  private static List<ClientRequests.Need> needs(RaftClientRequestProto request) {
    ClientRequests.Classified c = ClientRequests.classify(request);
    assertThat(c).isInstanceOf(ClientRequests.Classified.Known.class);
    return ((ClientRequests.Classified.Known) c).needs();
  }

  private static ClientRequests.Need need(Operation operation, String ecosystem) {
    return new ClientRequests.Need(operation, ecosystem);
  }

  private static Ref ref(String ecosystem) {
    return Ref.newBuilder().setEcosystem(ecosystem).setType("counter").setId("c1").build();
  }

  private static Command command(String ecosystem) {
    return Command.newBuilder().setRef(ref(ecosystem)).build();
  }

  private static RaftClientRequestProto write(CommandBatch batch) {
    return request(WriteRequestTypeProto.getDefaultInstance(), batch.toByteArray());
  }

  private static RaftClientRequestProto read(ReadRequest read, boolean stale) {
    RaftClientRequestProto.Builder b = RaftClientRequestProto.newBuilder()
        .setMessage(ClientMessageEntryProto.newBuilder()
            .setContent(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(read.toByteArray())));
    return stale ? b.setStaleRead(StaleReadRequestTypeProto.getDefaultInstance()).build()
        : b.setRead(ReadRequestTypeProto.getDefaultInstance()).build();
  }

  private static RaftClientRequestProto request(WriteRequestTypeProto write, byte[] content) {
    return RaftClientRequestProto.newBuilder().setWrite(write)
        .setMessage(ClientMessageEntryProto.newBuilder()
            .setContent(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(content)))
        .build();
  }
}
