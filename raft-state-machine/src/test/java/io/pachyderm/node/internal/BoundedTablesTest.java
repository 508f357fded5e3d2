package io.pachyderm.node.internal;

import io.pachyderm.node.settings.NodeLimits;
import io.pachyderm.replica.ReplicatedTableLimits;
import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.entity.EntityTypes;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.OutMessage;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.RejectionKind;
import io.pachyderm.protocol.RequestId;
import io.pachyderm.runtime.EntityKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import io.pachyderm.node.TestBlob;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The replicated tables' bounds as replicas apply entries (no leader, no Ratis server): replies
 * computed from the folded state, the de-duplication table's reply window, the entity quota and
 * the outbox bound. Each replica must reach the same outcome and digest at the same index.
 */
class BoundedTablesTest {
  private final ClientId clientId = ClientId.randomId();
  private final List<EntityStateMachine> machines = new ArrayList<>();
  private final Map<EntityKey, Long> versions = new java.util.HashMap<>();
  private long index;

  @AfterEach
  void close() throws Exception {
    for (EntityStateMachine m : machines) {
      m.close();
    }
  }

  @Test
  void theDefaultReplyIsEncodedByEachReplicaFromItsFoldedStateNotReadFromTheEntry() throws Exception {
    EntityStateMachine a = machine(ReplicatedTableLimits.DEFAULT);
    EntityStateMachine b = machine(ReplicatedTableLimits.DEFAULT);
    Record record = replace(key("default", "doc"), 1, "hello", true).build();
    assertThat(record.hasReply()).isFalse();
    LogEntryProto entry = entry(record);
    Outcome onA = apply(a, entry).getOutcomes(0);
    Outcome onB = apply(b, entry).getOutcomes(0);
    assertThat(onA.getApplied().getVersion()).isEqualTo(1);
    assertThat(onA.getApplied().getReplyIsState()).isTrue();
    assertThat(TestBlob.TYPE.codec().decode(Protos.encoded(onA.getApplied().getReply())))
        .isEqualTo(new TestBlob.State("hello"));
    assertThat(onB).isEqualTo(onA);
    assertThat(a.digestAt()).isEqualTo(b.digestAt());
  }

  @Test
  void aLateRetryOfACallWhoseReplyLeftTheWindowIsToldTheVersionItWasAppliedAtNotGivenAReply() throws Exception {
    // Three replies kept: requests 1..5 are applied, so 1 and 2 keep only their versions.
    ReplicatedTableLimits limits = ReplicatedTableLimits.DEFAULT.withDedup(1 << 20, 3, 1 << 20);
    EntityStateMachine a = machine(limits);
    EntityStateMachine b = machine(limits);
    EntityKey doc = key("default", "doc");
    for (int i = 1; i <= 5; i++) {
      LogEntryProto e = entry(replace(doc, i, "v" + i, true).build());
      apply(a, e);
      apply(b, e);
      assertThat(a.digestAt()).isEqualTo(b.digestAt());
    }
    LogEntryProto lateRetryOfFirst = entry(lookup(doc, 1));
    Outcome late = apply(a, lateRetryOfFirst).getOutcomes(0);
    assertThat(apply(b, lateRetryOfFirst).getOutcomes(0)).isEqualTo(late);
    assertThat(late.getApplied().getVersion()).isEqualTo(1);
    assertThat(late.getApplied().getReplyForgotten()).isTrue();
    assertThat(late.getApplied().hasReply()).isFalse();

    Outcome recent = apply(a, entry(lookup(doc, 5))).getOutcomes(0);
    assertThat(recent.getApplied().getReplyForgotten()).isFalse();
    assertThat(TestBlob.TYPE.codec().decode(Protos.encoded(recent.getApplied().getReply())))
        .isEqualTo(new TestBlob.State("v5"));
  }

  @Test
  void repliesAreForgottenByBytesAndTheWholeTableIsEvictedByBytesTheSameOnEveryReplica() throws Exception {
    // 10 KB replies, 25 KB of them kept: only the newest two keep their reply.
    ReplicatedTableLimits limits = ReplicatedTableLimits.DEFAULT.withDedup(64 << 10, 1_000, 25 << 10);
    EntityStateMachine a = machine(limits);
    EntityStateMachine b = machine(limits);
    EntityKey doc = key("default", "doc");
    String big = "x".repeat(10_000);
    for (int i = 1; i <= 6; i++) {
      LogEntryProto e = entry(replace(doc, i, big + i, true).build());
      apply(a, e);
      apply(b, e);
      assertThat(a.digestAt()).isEqualTo(b.digestAt());
    }
    assertThat(apply(a, entry(lookup(doc, 4))).getOutcomes(0).getApplied().getReplyForgotten()).isTrue();
    assertThat(apply(a, entry(lookup(doc, 5))).getOutcomes(0).getApplied().hasReply()).isTrue();
    assertThat(apply(a, entry(lookup(doc, 6))).getOutcomes(0).getApplied().hasReply()).isTrue();
  }

  @Test
  void aCommandThatWouldCreateAnEntityOverItsEcosystemsQuotaIsRejectedNamingTheEcosystemAndTheQuota()
      throws Exception {
    ReplicatedTableLimits limits = ReplicatedTableLimits.DEFAULT.withEntitiesPerEcosystemMax(2);
    EntityStateMachine a = machine(limits);
    EntityStateMachine b = machine(limits);
    List<Outcome> outcomes = new ArrayList<>();
    for (String id : List.of("one", "two", "three")) {
      LogEntryProto e = entry(replace(key("shop", id), 1, id, false).build());
      outcomes.add(apply(a, e).getOutcomes(0));
      assertThat(apply(b, e).getOutcomes(0)).isEqualTo(outcomes.get(outcomes.size() - 1));
    }
    assertThat(outcomes.get(0).hasApplied()).isTrue();
    assertThat(outcomes.get(1).hasApplied()).isTrue();
    Outcome third = outcomes.get(2);
    assertThat(third.getRejected().getKind()).isEqualTo(RejectionKind.LIMIT_EXCEEDED);
    assertThat(third.getRejected().getMessage()).contains("ecosystem 'shop'", "entitiesPerEcosystemMax = 2",
        "blob/three");
    // An existing entity still takes commands, and another ecosystem has its own quota.
    assertThat(apply(a, entry(replace(key("shop", "one"), 2, "again", false).build())).getOutcomes(0).hasApplied())
        .isTrue();
    assertThat(apply(a, entry(replace(key("other", "three"), 1, "x", false).build())).getOutcomes(0).hasApplied())
        .isTrue();
    // The refusal is remembered: a retry gets the same answer, not a second try.
    assertThat(apply(a, entry(lookup(key("shop", "three"), 1))).getOutcomes(0)).isEqualTo(third);
  }

  @Test
  void aCommandThatWouldAddToAFullOutboxIsRejectedNamingTheLimitAndOneThatAddsNothingIsNot() throws Exception {
    ReplicatedTableLimits limits = ReplicatedTableLimits.DEFAULT.withOutboxItemsMax(2);
    EntityStateMachine a = machine(limits);
    EntityStateMachine b = machine(limits);
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      Record r = replace(key("default", "sender"), i, "s" + i, false)
          .addMessages(OutMessage.newBuilder().setTo(Protos.ref(key("default", "inbox")))
              .setPayload(Protos.payload(TestBlob.TYPE.codec().encode(new TestBlob.Replace("m" + i)))))
          .build();
      LogEntryProto e = entry(r);
      outcomes.add(apply(a, e).getOutcomes(0));
      assertThat(apply(b, e).getOutcomes(0)).isEqualTo(outcomes.get(outcomes.size() - 1));
      assertThat(a.digestAt()).isEqualTo(b.digestAt());
    }
    assertThat(outcomes.get(0).hasApplied()).isTrue();
    assertThat(outcomes.get(1).hasApplied()).isTrue();
    assertThat(outcomes.get(2).getRejected().getKind()).isEqualTo(RejectionKind.LIMIT_EXCEEDED);
    assertThat(outcomes.get(2).getRejected().getMessage()).contains("outboxItemsMax = 2", "holds 2");
    // The rejected command changed nothing: the sender is still at version 2.
    versions.put(key("default", "sender"), 2L);
    assertThat(apply(a, entry(replace(key("default", "sender"), 4, "s4", false).build())).getOutcomes(0)
        .getApplied().getVersion()).isEqualTo(3);
  }

  private EntityStateMachine machine(ReplicatedTableLimits tables) {
    EntityStateMachine m = TestMachines.plain("n" + machines.size(), EntityTypes.of(TestBlob.TYPE),
        new NodeLimits(200_000, 1 << 20, 8 << 20, 1024, 10_000, tables.dedupBytesMax(),
            tables.dedupRepliesMax(), tables.dedupReplyBytesMax(), tables.outboxItemsMax(),
            tables.entitiesPerEcosystemMax()));
    machines.add(m);
    return m;
  }

  private static EntityKey key(String ecosystem, String id) {
    return new EntityKey(ecosystem, "blob", id);
  }

  /**
   * A record as the leader writes it for {@code Replace(content)}, sequence {@code sequence} of
   * one client, expecting the entity's version as applied so far by these tests.
   */
  private Record.Builder replace(EntityKey key, long sequence, String content, boolean replyWanted) {
    long expected = versions.getOrDefault(key, 0L);
    versions.put(key, expected + 1);
    Record.Builder r = Record.newBuilder()
        .setRequestId(requestId(key, sequence))
        .setRef(Protos.ref(key))
        .setExpectedVersion(expected)
        .addEvents(Protos.payload(TestBlob.TYPE.codec().encode(new TestBlob.Replaced(content))))
        .setTimestampMs(1);
    if (replyWanted) {
      r.setReplyFromState(true);
    }
    return r;
  }

  /** What the leader writes for a request it found in its de-duplication table. */
  private static Record lookup(EntityKey key, long sequence) {
    return Record.newBuilder().setRequestId(requestId(key, sequence)).setRef(Protos.ref(key)).setLookupOnly(true)
        .build();
  }

  private static RequestId requestId(EntityKey key, long sequence) {
    return RequestId.newBuilder().setClientHi(key.ecosystem().hashCode()).setClientLo(key.id().hashCode())
        .setSequence(sequence).build();
  }

  private LogEntryProto entry(Record record) {
    index++;
    return LogEntryProto.newBuilder().setTerm(1).setIndex(index)
        .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
            .setLogData(UnsafeByteOperations.unsafeWrap(LogEntry.newBuilder().addRecords(record).build().toByteArray()))
            .setClientId(clientId.toByteString()).setCallId(index))
        .build();
  }

  private static BatchReply apply(EntityStateMachine m, LogEntryProto entry) throws Exception {
    TransactionContext trx = TransactionContext.newBuilder().setStateMachine(m).setServerRole(RaftPeerRole.FOLLOWER)
        .setLogEntry(entry).build();
    return BatchReply.parseFrom(m.applyTransaction(trx).get().getContent().asReadOnlyByteBuffer());
  }
}
