package io.pachyderm.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Protos.RequestKey;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.RejectionKind;
import io.pachyderm.protocol.RequestId;
import io.pachyderm.protocol.TimerFire;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The leader's decision step: a function of the item, the working state and the clock reading passed in. */
class DeciderTest {
  private static final EntityKey COUNTER = new EntityKey("default", "counter", "c");
  private final Decider decider = new Decider("n1", SimEntities.TYPES, name -> true, 1024, 8 << 20);
  private final Working state = new Working();
  private long sequence;

  @Test
  void theSameItemOnTheSameStateAtTheSameTimeGivesTheSameRecord() {
    Command add = add(COUNTER, 3);
    Record first = decider.decide(new WorkItem.ClientCommand(COUNTER, add), new Working(), 5_000).record();
    Record second = decider.decide(new WorkItem.ClientCommand(COUNTER, add), new Working(), 5_000).record();

    assertThat(second.toByteArray()).isEqualTo(first.toByteArray());
    assertThat(first.getTimestampMs()).as("the clock reading passed in").isEqualTo(5_000);
    assertThat(first.getReplyFromState()).as("the state is the reply: computed at apply").isTrue();
  }

  @Test
  void itemsOfOneEntityInOneEntryBuildOnEachOther() {
    LogEntry entry = decider.entry(items(add(COUNTER, 1), add(COUNTER, 2)), state, 1_000);

    assertThat(entry.getRecordsList()).extracting(Record::getExpectedVersion).containsExactly(0L, 1L);
    assertThat(state.speculated.get(COUNTER).version()).isEqualTo(2);
  }

  @Test
  void aRememberedRequestIsOnlyLookedUp() {
    Command add = add(COUNTER, 1);
    state.remembered.add(RequestKey.of(add.getRequestId()));
    Record r = decider.decide(new WorkItem.ClientCommand(COUNTER, add), state, 1_000).record();

    assertThat(r.getLookupOnly()).isTrue();
    assertThat(r.getEventsCount()).isZero();
  }

  @Test
  void anUnknownTypeIsRejectedNotThrown() {
    EntityKey ghost = new EntityKey("default", "ghost", "g");
    Record r = decider.decide(new WorkItem.ClientCommand(ghost, add(ghost, 1)), state, 1_000).record();

    assertThat(r.getRejection().getKind()).isEqualTo(RejectionKind.UNKNOWN_ENTITY_TYPE);
    assertThat(r.getRejection().getMessage()).contains("'ghost'", "n1");
  }

  @Test
  void aRecordOverItsLimitIsTooLargeAndItemsPastTheEntryLimitAreDeferred() {
    Decider small = new Decider("n1", SimEntities.TYPES, name -> true, 1024, 150);
    LogEntry entry = small.entry(items(add(COUNTER, 1), add(COUNTER, 2), add(COUNTER, 3)), state, 1_000);

    assertThat(entry.getRecords(0).getEventsCount()).isEqualTo(1);
    assertThat(entry.getRecordsList().subList(1, 3)).allSatisfy(r -> assertThat(r.getDeferred()).isTrue());
    assertThat(state.speculated).as("a deferred item's speculation is dropped").doesNotContainKey(COUNTER);

    Decider tiny = new Decider("n1", SimEntities.TYPES, name -> true, 40, 8 << 20);
    Record r = tiny.decide(new WorkItem.ClientCommand(COUNTER, add(COUNTER, 1)), new Working(), 1_000).record();
    assertThat(r.getRejection().getKind()).isEqualTo(RejectionKind.TOO_LARGE);
  }

  @Test
  void aTimerRunsOnlyOnceItIsDueByTheClockPassedIn() {
    EntityKey alarm = new EntityKey("default", "alarm", "l");
    PendingTimer timer = PendingTimer.newBuilder().setOwner(Protos.ref(alarm)).setName("t").setSeq(4)
        .setTarget(Protos.ref(alarm)).setDueMs(2_000)
        .setPayload(Protos.payload(SimEntities.ALARM.codec().encode(new SimEntities.Ring("t")))).build();
    WorkItem fire = new WorkItem.TimerFiring(alarm, TimerFire.newBuilder().setOwner(Protos.ref(alarm)).setName("t")
        .setSeq(4).build(), timer);

    assertThat(decider.decide(fire, new Working(), 1_999).record().getLookupOnly()).isTrue();
    Record due = decider.decide(fire, new Working(), 2_000).record();
    assertThat(due.getLookupOnly()).isFalse();
    assertThat(due.getEventsCount()).isEqualTo(1);
    assertThat(due.getTimerFire().getSeq()).isEqualTo(4);
  }

  @Test
  void workItemsLookUpWhatTheOutboxHoldsNow() {
    Outbox outbox = new Outbox();
    EntityKey alarm = new EntityKey("default", "alarm", "l");
    outbox.putTimer(new TimerKey(alarm, "t"), PendingTimer.newBuilder().setOwner(Protos.ref(alarm)).setName("t")
        .setSeq(2).setTarget(Protos.ref(COUNTER)).build());
    CommandBatch batch = CommandBatch.newBuilder()
        .addTimerFires(TimerFire.newBuilder().setOwner(Protos.ref(alarm)).setName("t").setSeq(2))
        .addTimerFires(TimerFire.newBuilder().setOwner(Protos.ref(alarm)).setName("t").setSeq(1)).build();
    List<WorkItem> work = WorkItem.of(batch, outbox);

    assertThat(work.get(0).key()).as("the timer's target runs").isEqualTo(COUNTER);
    assertThat(((WorkItem.TimerFiring) work.get(1)).timer()).as("another seq: no longer pending").isNull();
    assertThat(work.get(1).key()).isEqualTo(alarm);
  }

  private List<WorkItem> items(Command... commands) {
    CommandBatch.Builder batch = CommandBatch.newBuilder();
    for (Command c : commands) {
      batch.addCommands(c);
    }
    return WorkItem.of(batch.build(), new Outbox());
  }

  private Command add(EntityKey key, long by) {
    return Command.newBuilder().setRequestId(RequestId.newBuilder().setClientHi(9).setSequence(++sequence))
        .setRef(Protos.ref(key)).setPayload(Protos.payload(SimEntities.COUNTER.codec().encode(new SimEntities.Add(by))))
        .setReplyWanted(true).build();
  }

  private static final class Working implements Decider.WorkingState {
    final TreeMap<EntityKey, Versioned> speculated = new TreeMap<>();
    final Set<RequestKey> remembered = new HashSet<>();

    @Override
    public Versioned get(EntityKey key) {
      return speculated.get(key);
    }

    @Override
    public void speculate(EntityKey key, Versioned value) {
      speculated.put(key, value);
    }

    @Override
    public void forget(EntityKey key) {
      speculated.remove(key);
    }

    @Override
    public boolean remembered(RequestKey request) {
      return remembered.contains(request);
    }
  }
}
