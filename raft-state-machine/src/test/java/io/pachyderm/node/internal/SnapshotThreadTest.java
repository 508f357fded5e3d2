package io.pachyderm.node.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.settings.NodeLimits;
import io.pachyderm.protocol.LogEntry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.statemachine.TransactionContext;
import org.junit.jupiter.api.Test;

/**
 * Snapshots are taken on the apply thread only (no lock keeps the state still): a call from any
 * other thread once entries are applied is refused, naming both threads, before anything is read.
 */
class SnapshotThreadTest {
  @Test
  void aSnapshotAskedForOffTheApplyThreadIsRefusedNamingBothThreads() throws Exception {
    EntityStateMachine m = TestMachines.plain("n0", EntityTypes.of(ReplicaDigestTest.Tally.type(0)),
        new NodeLimits(1_000, 1 << 20, 8 << 20, 1024, 10_000));
    LogEntryProto entry = LogEntryProto.newBuilder().setTerm(1).setIndex(1)
        .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
            .setLogData(UnsafeByteOperations.unsafeWrap(LogEntry.newBuilder().build().toByteArray()))
            .setClientId(ClientId.randomId().toByteString()).setCallId(1))
        .build();
    m.applyTransaction(TransactionContext.newBuilder().setStateMachine(m).setServerRole(RaftPeerRole.FOLLOWER)
        .setLogEntry(entry).build()).get();

    CompletableFuture<Throwable> refused = new CompletableFuture<>();
    Thread other = new Thread(() -> {
      try {
        m.takeSnapshot();
        refused.complete(null);
      } catch (Throwable t) {
        refused.complete(t);
      }
    }, "not-the-apply-thread");
    other.start();

    Throwable t = refused.get(60, TimeUnit.SECONDS);
    assertThat(t).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("on the apply thread (" + Thread.currentThread().getName() + ")")
        .hasMessageContaining("not on not-the-apply-thread");
  }
}
