package io.pachyderm.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.protocol.AdminAction;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.RequestId;
import io.pachyderm.protocol.WorkStatus;
import io.pachyderm.runtime.EntityKey;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What one applied entry reports, and the broken invariants that must stop a replica. */
class ReplicaTest {
  private static final EntityKey ALARM = new EntityKey("default", "alarm", "l1");
  private final Decider decider = new Decider("n1", SimEntities.TYPES, name -> true, 1 << 20, 8 << 20);
  private long sequence;

  @Test
  void anEntryReportsItsJournalRecordsOutboxChangesAndEffectsAsData() {
    Replica replica = replica();
    apply(replica, 1, command(replica, ALARM, new SimEntities.Arm("t", 500)), true);
    Applied ring = apply(replica, 2, command(replica, ALARM, new SimEntities.Ring("t")), true);

    assertThat(ring.reply().getOutcomes(0).getApplied().getVersion()).isEqualTo(2);
    assertThat(ring.journalRecords()).singleElement().satisfies(r -> {
      assertThat(r.getVersion()).isEqualTo(2);
      assertThat(r.getLogIndex()).isEqualTo(2);
      assertThat(r.getEntrySeq()).isZero();
      assertThat(r.getEntryEvents()).isEqualTo(1);
    });
    assertThat(ring.effectsAdded()).as("the at-least-once effect, for the leader's loop").hasSize(1);
    assertThat(ring.effectsToDispatch()).as("the at-most-once effect, run where it was appended").hasSize(1);
    assertThat(ring.versionsCommitted()).containsEntry(ALARM, 2L);
    assertThat(replica.outbox().timerCount()).isEqualTo(1);
  }

  @Test
  void aReplicaThatDidNotAppendTheEntryDispatchesNothingButHoldsTheSameState() {
    Replica leader = replica();
    Replica follower = replica();
    LogEntry arm = command(leader, ALARM, new SimEntities.Arm("t", 500));
    apply(leader, 1, arm, true);
    apply(follower, 1, arm, false);
    LogEntry ring = command(leader, ALARM, new SimEntities.Ring("t"));
    Applied onLeader = apply(leader, 2, ring, true);
    Applied onFollower = apply(follower, 2, ring, false);

    assertThat(onFollower.effectsToDispatch()).isEmpty();
    assertThat(onFollower.reply()).isEqualTo(onLeader.reply());
    assertThat(onFollower.journalRecords()).isEqualTo(onLeader.journalRecords());
    assertThat(follower.digest()).isEqualTo(leader.digest());
  }

  @Test
  void aRecordDecidedOnAnOlderVersionIsAConflictAndDropsTheLeadersSpeculation() {
    Replica replica = replica();
    LogEntry first = command(replica, ALARM, new SimEntities.Arm("t", 500));
    LogEntry stale = command(replica, ALARM, new SimEntities.Arm("u", 500)); // also decided on version 0
    apply(replica, 1, first, true);
    Applied conflict = apply(replica, 2, stale, true);

    assertThat(conflict.reply().getOutcomes(0).getConflict().getActualVersion()).isEqualTo(1);
    assertThat(conflict.speculationDropped()).containsExactly(ALARM);
    assertThat(conflict.journalRecords()).isEmpty();
    assertThat(replica.conflicts()).isEqualTo(1);
  }

  @Test
  void anAdminActionReportsTheSettingOnlyWhenItChanges() {
    Replica replica = replica();
    LogEntry pause = LogEntry.newBuilder().setAdminAction(AdminAction.newBuilder().setPauseEffects(true)).build();
    Applied changed = replica.apply(1, 1, pause, false);
    Applied again = replica.apply(1, 2, pause, false);

    assertThat(changed.effectsPausedSet()).contains(true);
    assertThat(changed.reply().getWork(0)).isEqualTo(WorkStatus.DONE);
    assertThat(again.effectsPausedSet()).isEmpty();
    assertThat(again.reply().getWork(0)).isEqualTo(WorkStatus.GONE);
  }

  @Test
  void brokenInvariantsThrowNamingTheNodeAndTheEntry() {
    Replica replica = replica();
    LogEntry emptyAdmin = LogEntry.newBuilder().setAdminAction(AdminAction.getDefaultInstance()).build();
    assertThatThrownBy(() -> replica.apply(3, 7, emptyAdmin, false)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("n1").hasMessageContaining("i:7").hasMessageContaining("without an action");

    Record ghost = Record.newBuilder().setRequestId(RequestId.newBuilder().setSequence(1))
        .setRef(Protos.ref(new EntityKey("default", "ghost", "g"))).setExpectedVersion(0)
        .addEvents(Protos.payload(SimEntities.COUNTER.codec().encode(new SimEntities.Added(1, 0)))).build();
    assertThatThrownBy(() -> replica.apply(3, 8, LogEntry.newBuilder().addRecords(ghost).build(), false))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("n1").hasMessageContaining("i:8")
        .hasMessageContaining("'ghost'");
  }

  @Test
  void aSnapshotRestoresToTheSameDigestAndBytes() throws Exception {
    Replica replica = replica();
    apply(replica, 1, command(replica, ALARM, new SimEntities.Arm("t", 500)), true);
    apply(replica, 2, command(replica, new EntityKey("default", "account", "a"), new SimEntities.Deposit(5)), true);
    MemorySnapshot snapshot = MemorySnapshot.of(replica, 2);
    Replica restored = replica();

    assertThat(restored.restore(snapshot.source())).isEqualTo(replica.digest());
    assertThat(restored.digest()).isEqualTo(replica.digest());
    assertThat(MemorySnapshot.of(restored, 2).bytes()).isEqualTo(snapshot.bytes());
  }

  @Test
  void aReplicaWithoutDigestAppliesTheSameButHasNoDigestOrSnapshot() {
    Replica full = replica();
    Replica bare = Replica.withoutDigest("n1", SimEntities.TYPES, new HeapStateStore(), 1_000,
        ReplicatedTableLimits.DEFAULT);
    LogEntry arm = command(full, ALARM, new SimEntities.Arm("t", 500));
    apply(full, 1, arm, true);
    apply(bare, 1, arm, true);
    LogEntry ring = command(full, ALARM, new SimEntities.Ring("t"));
    Applied onFull = apply(full, 2, ring, true);
    Applied onBare = apply(bare, 2, ring, true);

    assertThat(onBare.reply()).isEqualTo(onFull.reply());
    assertThat(onBare.effectsToDispatch()).isEqualTo(onFull.effectsToDispatch());
    assertThat(onBare.effectsAdded()).isEqualTo(onFull.effectsAdded());
    assertThat(onBare.journalRecords()).as("a replica without a digest keeps no journal either").isEmpty();
    assertThat(bare.get(ALARM).state()).isEqualTo(full.get(ALARM).state());
    assertThat(bare.outbox().snapshotItems()).isEqualTo(full.outbox().snapshotItems());
    assertThat(bare.outbox().digest()).isZero();
    assertThatThrownBy(bare::digest).isInstanceOf(IllegalStateException.class).hasMessageContaining("withoutDigest");
    assertThatThrownBy(() -> MemorySnapshot.of(bare, 2)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no snapshot");
  }

  private static Replica replica() {
    return new Replica("n1", SimEntities.TYPES, new HeapStateStore(), 1_000, ReplicatedTableLimits.DEFAULT);
  }

  private static Applied apply(Replica replica, long index, LogEntry entry, boolean appendedHere) {
    return replica.apply(1, index, entry, appendedHere);
  }

  /** The entry a leader builds for one command, decided on {@code applied}'s state (no speculation). */
  private LogEntry command(Replica applied, EntityKey key, Object command) {
    var type = SimEntities.TYPES.find(key.type());
    CommandBatch batch = CommandBatch.newBuilder().addCommands(Command.newBuilder()
        .setRequestId(RequestId.newBuilder().setClientHi(1).setClientLo(2).setSequence(++sequence))
        .setRef(Protos.ref(key)).setPayload(Protos.payload(type.codec().encode(command))).setReplyWanted(true))
        .build();
    return decider.entry(WorkItem.of(batch, applied.outbox()), new AppliedState(applied), 1_000);
  }

  /** A leader that decides on the applied state only. */
  private static final class AppliedState implements Decider.WorkingState {
    private final Replica replica;
    private final Map<EntityKey, Versioned> speculated = new HashMap<>();

    AppliedState(Replica replica) {
      this.replica = replica;
    }

    @Override
    public Versioned get(EntityKey key) {
      return replica.get(key);
    }

    @Override
    public void speculate(EntityKey key, Versioned state) {
      speculated.put(key, state);
    }

    @Override
    public void forget(EntityKey key) {
      speculated.remove(key);
    }

    @Override
    public boolean remembered(io.pachyderm.protocol.Protos.RequestKey request) {
      return replica.remembered(request);
    }
  }
}
