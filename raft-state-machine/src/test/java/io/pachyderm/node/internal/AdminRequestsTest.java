package io.pachyderm.node.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.protocol.AdminAction;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.DeadLetterAction;
import io.pachyderm.protocol.DeadLetterQuery;
import io.pachyderm.protocol.JournalCompaction;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.ReadRequest;
import io.pachyderm.protocol.Ref;
import org.apache.ratis.proto.RaftProtos.ClientMessageEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadRequestTypeProto;
import org.apache.ratis.proto.RaftProtos.StaleReadRequestTypeProto;
import org.apache.ratis.proto.RaftProtos.WriteRequestTypeProto;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/** Which client-service requests are Pachyderm admin requests (refused to plain clients under mutual TLS). */
class AdminRequestsTest {
  @Test
  void anAdminActionInAWriteIsAnAdminRequestWhereverItSits() {
    assertThat(AdminRequests.isAdminRequest(write(CommandBatch.newBuilder()
        .setAdminAction(AdminAction.newBuilder().setPauseEffects(true)).build().toByteArray()))).isTrue();
    assertThat(AdminRequests.isAdminRequest(write(CommandBatch.newBuilder()
        .setAdminAction(AdminAction.newBuilder().setResumeEffects(true)).build().toByteArray()))).isTrue();
    // After many commands (the check skips them unparsed) it is still found: the state machine would
    // refuse the mixed batch, but the caller must not get that far.
    CommandBatch.Builder mixed = CommandBatch.newBuilder();
    for (int i = 0; i < 500; i++) {
      mixed.addCommands(command("c" + i));
    }
    mixed.setAdminAction(AdminAction.newBuilder().setPauseEffects(true));
    assertThat(AdminRequests.isAdminRequest(write(mixed.build().toByteArray()))).isTrue();
  }

  @Test
  void aJournalCompactionIsAnAdminRequestAsAStaleOrLeaderRead() {
    byte[] compaction = ReadRequest.newBuilder().setCompactJournal(JournalCompaction.getDefaultInstance()).build()
        .toByteArray();
    assertThat(AdminRequests.isAdminRequest(staleRead(compaction))).isTrue();
    assertThat(AdminRequests.isAdminRequest(read(compaction))).isTrue();
  }

  @Test
  void everythingElseIsNot() {
    assertThat(AdminRequests.isAdminRequest(write(CommandBatch.newBuilder().addCommands(command("a")).build()
        .toByteArray()))).isFalse();
    assertThat(AdminRequests.isAdminRequest(write(CommandBatch.newBuilder()
        .addDeadLetterActions(DeadLetterAction.newBuilder().setDiscard(true)).build().toByteArray()))).isFalse();
    assertThat(AdminRequests.isAdminRequest(read(ReadRequest.newBuilder().setStatus(true).build().toByteArray())))
        .isFalse();
    assertThat(AdminRequests.isAdminRequest(staleRead(ReadRequest.newBuilder()
        .setDeadLetters(DeadLetterQuery.newBuilder().setLimit(5)).build().toByteArray()))).isFalse();
    assertThat(AdminRequests.isAdminRequest(write(new byte[] {(byte) 0xFF, 0x01, 0x02}))).as("undecodable").isFalse();
    assertThat(AdminRequests.isAdminRequest(write(new byte[0]))).isFalse();
    assertThat(AdminRequests.isAdminRequest("not a request")).isFalse();
  }

  private static Command command(String id) {
    return Command.newBuilder().setRef(Ref.newBuilder().setEcosystem("default").setType("counter").setId(id))
        .setPayload(Payload.newBuilder().setType("Add").setSchemaVersion(1)
            .setData(com.google.protobuf.ByteString.copyFromUtf8("{\"by\":1}"))).build();
  }

  private static RaftClientRequestProto write(byte[] content) {
    return request(content).setWrite(WriteRequestTypeProto.getDefaultInstance()).build();
  }

  private static RaftClientRequestProto read(byte[] content) {
    return request(content).setRead(ReadRequestTypeProto.getDefaultInstance()).build();
  }

  private static RaftClientRequestProto staleRead(byte[] content) {
    return request(content).setStaleRead(StaleReadRequestTypeProto.getDefaultInstance()).build();
  }

  private static RaftClientRequestProto.Builder request(byte[] content) {
    return RaftClientRequestProto.newBuilder()
        .setMessage(ClientMessageEntryProto.newBuilder().setContent(ByteString.copyFrom(content)));
  }
}
