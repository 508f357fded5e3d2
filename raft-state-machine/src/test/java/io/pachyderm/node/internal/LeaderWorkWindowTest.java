package io.pachyderm.node.internal;

import static io.pachyderm.node.internal.DrivenLeaderWork.B;
import static io.pachyderm.node.internal.DrivenLeaderWork.P;
import static io.pachyderm.node.internal.DrivenLeaderWork.WALL_START_MS;
import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.TestBlob;
import io.pachyderm.node.settings.EffectRetry;
import io.pachyderm.protocol.Delivery;
import io.pachyderm.protocol.EffectReport;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.TimerFire;
import io.pachyderm.protocol.WorkStatus;
import io.pachyderm.replica.HeapStateStore;
import io.pachyderm.replica.Outbox;
import io.pachyderm.replica.Replica;
import io.pachyderm.replica.ReplicatedTableLimits;
import io.pachyderm.replica.StateStore;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import io.pachyderm.statestore.RocksStateStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader whose outbox holds twenty times a pump's window of timers, messages or effects (issue
 * 14): each pump holds at most its window, reads the rest from the outbox a page at a time, and
 * still fires, delivers or attempts every one (timers in due order, messages in outbox order),
 * items applied while it pages included. On a HEAP outbox and on a DISK replica's (RocksDB) one,
 * whose pages see only what is committed.
 */
class LeaderWorkWindowTest {
  private static final int WINDOW = 1_000;
  private static final int ITEMS = 20 * WINDOW;
  private static final EntityTypes TYPES = EntityTypes.of(TestBlob.TYPE);

  @TempDir
  Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  private StateStore store;
  private long index;

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  /** A leader work on a HEAP or DISK replica's outbox, fires unlimited, every window {@link #WINDOW}. */
  private DrivenLeaderWork driven(String kind, List<String> handled) throws Exception {
    store = kind.equals("disk") ? RocksStateStore.open(dir.resolve("state"), TYPES, 0) : new HeapStateStore();
    if (store instanceof AutoCloseable c) {
      open.add(c);
    }
    Replica replica = new Replica("n1", TYPES, store, 1, ReplicatedTableLimits.DEFAULT);
    DrivenLeaderWork driven = new DrivenLeaderWork(replica.outbox(),
        (source, effect, ctx) -> handled.add(ctx.idempotencyKey()), EffectRetry.DEFAULT, 1_000_000, 100_000, 1, null);
    open.add(driven);
    driven.work.pumpWindowItemsMax(WINDOW);
    return driven;
  }

  /** Ends the entry the test wrote into the outbox: a DISK outbox's pages read only what is committed. */
  private void commit(Outbox outbox) {
    outbox.beforeCommit();
    store.commit(++index);
  }

  private static void assertWithinTheWindow(DrivenLeaderWork driven) {
    int[] peaks = driven.work.pumpHeldItemsPeaks();
    String[] pumps = {"delivery", "timer", "effect"};
    for (int i = 0; i < peaks.length; i++) {
      assertThat(peaks[i]).as("most items the %s pump held", pumps[i]).isLessThanOrEqualTo(WINDOW);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"heap", "disk"})
  void twentyWindowsOfTimersFireEveryOneInDueOrderWithAWindowHeld(String kind) throws Exception {
    DrivenLeaderWork driven = driven(kind, new ArrayList<>());
    Outbox outbox = driven.outbox;
    // Due times in another order than the keys (owner "o<i>"): the pump must read by due time.
    for (int i = 0; i < ITEMS; i++) {
      scheduleTimer(outbox, i, WALL_START_MS - 1 - (i * 7_919L) % ITEMS);
      if (i % 1_000 == 999) {
        commit(outbox);
      }
    }
    commit(outbox);
    driven.work.activate();
    driven.settle();

    List<Outbox.DuePoint> fired = new ArrayList<>();
    int scheduledLate = 0;
    // Bounded: every proposal fires at least one of the ITEMS + late timers.
    for (int p = 0; p < 2 * ITEMS && !driven.proposals.isEmpty(); p++) {
      DrivenLeaderWork.Proposal proposal = driven.next();
      for (TimerFire f : proposal.batch().getTimerFiresList()) {
        TimerKey key = new TimerKey(Protos.key(f.getOwner()), f.getName());
        PendingTimer t = outbox.timer(key);
        assertThat(t).as("a pending timer is fired: %s", key).isNotNull();
        assertThat(t.getSeq()).isEqualTo(f.getSeq());
        fired.add(new Outbox.DuePoint(t.getDueMs(), key));
        outbox.removeTimer(key);
      }
      // While the pump pages: timers applied meanwhile, one inside the part read, one far after it.
      if (p % 10 == 5 && scheduledLate < 40) {
        for (long dueMs : new long[] {fired.get(fired.size() - 1).dueMs(), WALL_START_MS - 1}) {
          TimerKey key = scheduleTimer(outbox, ITEMS + scheduledLate++, dueMs);
          commit(outbox);
          driven.work.timerScheduled(key, outbox.timer(key).getSeq(), dueMs);
        }
      }
      commit(outbox);
      proposal.done();
      driven.settle();
      assertWithinTheWindow(driven);
    }
    assertThat(fired).as("every timer, scheduled late ones included").hasSize(ITEMS + scheduledLate);
    assertThat(outbox.timerCount()).isZero();
    // Due order, but for the late ones scheduled inside the part already read (fired at once, after).
    List<Outbox.DuePoint> onTime = new ArrayList<>();
    for (Outbox.DuePoint point : fired) {
      if (!point.key().owner().id().startsWith("late")) {
        onTime.add(point);
      }
    }
    assertThat(onTime).as("the timers pending at takeover fire in due order").isSorted();
    assertThat(driven.work.pumpHeldItemsPeaks()[1]).as("the timer pump read whole windows").isGreaterThan(WINDOW / 2);
  }

  private TimerKey scheduleTimer(Outbox outbox, int i, long dueMs) {
    EntityKey owner = new EntityKey("e", "t", (i < ITEMS ? "o" : "late") + i);
    TimerKey key = new TimerKey(owner, "t");
    outbox.putTimer(key, PendingTimer.newBuilder().setOwner(Protos.ref(owner)).setName("t")
        .setSeq(outbox.nextSeq(owner)).setTarget(Protos.ref(owner)).setPayload(P).setDueMs(dueMs).build());
    return key;
  }

  @ParameterizedTest
  @ValueSource(strings = {"heap", "disk"})
  void twentyWindowsOfMessagesAreDeliveredInOutboxOrderWithAWindowHeld(String kind) throws Exception {
    DrivenLeaderWork driven = driven(kind, new ArrayList<>());
    Outbox outbox = driven.outbox;
    for (int i = 0; i < ITEMS; i++) {
      addMessage(outbox, new EntityKey("e", "t", "s" + (i % 97)));
      if (i % 1_000 == 999) {
        commit(outbox);
      }
    }
    commit(outbox);
    driven.work.activate();
    driven.settle();

    List<Outbox.Id> delivered = new ArrayList<>();
    Set<Outbox.Id> late = new HashSet<>();
    // Bounded: every proposal delivers or retries at least one; retries are a few.
    for (int p = 0; p < 2 * ITEMS && !driven.proposals.isEmpty(); p++) {
      DrivenLeaderWork.Proposal proposal = driven.next();
      List<WorkStatus> statuses = new ArrayList<>();
      List<Delivery> items = proposal.batch().getDeliveriesList();
      for (int i = 0; i < items.size(); i++) {
        Outbox.Id id = new Outbox.Id(Protos.key(items.get(i).getSource()), items.get(i).getSeq());
        PendingMessage m = outbox.message(id);
        assertThat(m).as("a pending message is proposed: %s", id).isNotNull();
        if (p == 3 && i >= items.size() - 2) {
          statuses.add(WorkStatus.RETRY); // the receiver was busy: these two go out again first
          continue;
        }
        delivered.add(id);
        outbox.removeMessage(id, m);
        statuses.add(WorkStatus.DONE);
      }
      // While the pump pages: messages from senders the scan has passed ("a...") and not reached ("z...").
      if (p % 10 == 5 && late.size() < 40) {
        for (String sender : new String[] {"a", "z"}) {
          Outbox.Id id = addMessage(outbox, new EntityKey("e", "t", sender + late.size()));
          late.add(id);
          commit(outbox);
          driven.work.messageAdded(id);
        }
      }
      commit(outbox);
      proposal.answer(statuses.toArray(WorkStatus[]::new));
      driven.settle();
      driven.advanceMs(DeliveryPump.RETRY_PAUSE_MS);
      assertWithinTheWindow(driven);
    }
    assertThat(delivered).as("every message once, late ones included").hasSize(ITEMS + late.size())
        .doesNotHaveDuplicates();
    assertThat(outbox.messageCount()).isZero();
    List<Outbox.Id> pendingAtTakeover = delivered.stream().filter(id -> !late.contains(id)).toList();
    assertThat(pendingAtTakeover).as("the messages pending at takeover go out in outbox order").isSorted();
  }

  private static Outbox.Id addMessage(Outbox outbox, EntityKey source) {
    long seq = outbox.nextSeq(source);
    outbox.addMessage(PendingMessage.newBuilder().setSource(Protos.ref(source)).setSeq(seq).setTarget(Protos.ref(B))
        .setPayload(P).build());
    return new Outbox.Id(source, seq);
  }

  @ParameterizedTest
  @ValueSource(strings = {"heap", "disk"})
  void twentyWindowsOfEffectsAreEachAttemptedOnceWithAWindowBusy(String kind) throws Exception {
    List<String> handled = new ArrayList<>();
    DrivenLeaderWork driven = driven(kind, handled);
    Outbox outbox = driven.outbox;
    for (int i = 0; i < ITEMS; i++) {
      addEffect(outbox, new EntityKey("e", "t", "s" + (i % 89)));
      if (i % 1_000 == 999) {
        commit(outbox);
      }
    }
    commit(outbox);
    driven.work.activate();
    driven.settle();

    int reported = 0;
    int late = 0;
    // Bounded: every proposal reports at least one of the effects.
    for (int p = 0; p < 2 * ITEMS && !driven.proposals.isEmpty(); p++) {
      DrivenLeaderWork.Proposal proposal = driven.next();
      for (EffectReport r : proposal.batch().getEffectReportsList()) {
        assertThat(r.getSucceeded()).isTrue();
        outbox.removeEffect(Outbox.Id.of(r.getId()));
        reported++;
      }
      if (p % 10 == 5 && late < 40) {
        for (String source : new String[] {"a", "z"}) {
          Outbox.Id id = addEffect(outbox, new EntityKey("e", "t", source + late++));
          commit(outbox);
          driven.work.effectAdded(id);
        }
      }
      commit(outbox);
      proposal.done();
      driven.settle();
      assertWithinTheWindow(driven);
    }
    assertThat(reported).as("every effect reported, late ones included").isEqualTo(ITEMS + late);
    assertThat(handled).as("each attempted once").hasSize(ITEMS + late).doesNotHaveDuplicates();
    assertThat(outbox.effectCount()).isZero();
    assertThat(driven.work.pumpHeldItemsPeaks()[2]).as("the effect pump kept a window busy").isGreaterThan(WINDOW / 2);
  }

  private static Outbox.Id addEffect(Outbox outbox, EntityKey source) {
    Outbox.Id id = new Outbox.Id(source, outbox.nextSeq(source));
    outbox.putEffect(id, PendingEffect.newBuilder().setId(id.toProto()).setHandler("h").setPayload(P).setVersion(1)
        .build());
    return id;
  }
}
