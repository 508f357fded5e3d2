package io.pachyderm.node.internal;

import io.pachyderm.replica.Outbox;
import static io.pachyderm.node.internal.DrivenLeaderWork.A;
import static io.pachyderm.node.internal.DrivenLeaderWork.B;
import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.node.settings.EffectRetry;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.Delivery;
import io.pachyderm.protocol.WorkStatus;
import io.pachyderm.runtime.TimerKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The leader work against a fake Raft server, the test taking its turns: what it proposes, and what
 * it does with the answers.
 */
class LeaderWorkTest {
  private final List<String> handled = new ArrayList<>();
  private final DrivenLeaderWork driven = new DrivenLeaderWork((source, effect, ctx) -> handled.add(ctx.idempotencyKey()),
      new EffectRetry(3, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(5)));
  private final LeaderWork work = driven.work;

  @AfterEach
  void close() {
    driven.close();
  }

  private static List<Long> seqs(CommandBatch b) {
    return b.getDeliveriesList().stream().map(Delivery::getSeq).toList();
  }

  @Test
  void aNewLeaderProposesEveryPendingMessageAndRetriesOnlyWhatAskedForItInOrder() {
    driven.message(A, B);
    driven.message(A, B);
    driven.message(A, B);
    work.activate();
    driven.settle();

    DrivenLeaderWork.Proposal first = driven.next();
    assertThat(seqs(first.batch())).containsExactly(1L, 2L, 3L);
    first.answer(WorkStatus.DONE, WorkStatus.RETRY, WorkStatus.RETRY);
    driven.settle();

    DrivenLeaderWork.Proposal second = driven.next();
    assertThat(seqs(second.batch())).as("the retried ones, still in order").containsExactly(2L, 3L);
    second.answer(WorkStatus.DONE, WorkStatus.GONE);
    driven.advanceMs(60_000);
    assertThat(driven.proposals).as("nothing left to propose").isEmpty();
  }

  @Test
  void aBatchOfWhichEveryItemMustBeRetriedIsProposedAgainAfterThePause() {
    driven.message(A, B);
    work.activate();
    driven.settle();
    driven.next().answer(WorkStatus.RETRY);
    driven.settle();

    driven.advanceMs(DeliveryPump.RETRY_PAUSE_MS - 1);
    assertThat(driven.proposals).as("not before the pause").isEmpty();
    driven.advanceMs(1);
    assertThat(seqs(driven.next().batch())).containsExactly(1L);
  }

  @Test
  void anUnexpectedErrorOnTheLoopIsReportedNotSwallowed() {
    driven.message(A, B);
    work.activate();
    driven.settle();
    // A reply with fewer statuses than items is a broken invariant: the loop used to lose the
    // exception in the future and stop delivering, silently.
    driven.next().answer();
    driven.settle();

    assertThat(driven.loopErrors).as("reported to the fail-stop").hasSize(1);
    assertThat(driven.loopErrors.get(0)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("internal batch of 1 items got 0 statuses");
  }

  @Test
  void afterLosingLeadershipLateAnswersProposeNothing() {
    driven.message(A, B);
    work.activate();
    driven.settle();
    DrivenLeaderWork.Proposal first = driven.next();

    work.deactivate();
    first.answer(WorkStatus.RETRY);
    work.messageAdded(driven.message(A, B));
    driven.settle();
    driven.advanceMs(60_000);

    assertThat(driven.proposals).isEmpty();
    assertThat(driven.loopErrors).isEmpty();
  }

  @Test
  void aMessageAppliedWhileAProposalIsInFlightIsProposedNext() {
    driven.message(A, B);
    work.activate();
    driven.settle();
    DrivenLeaderWork.Proposal first = driven.next();
    work.messageAdded(driven.message(A, B));
    driven.settle();
    assertThat(driven.proposals).as("one delivery proposal in flight at a time").isEmpty();
    first.answer(WorkStatus.DONE);
    driven.settle();

    assertThat(seqs(driven.next().batch())).containsExactly(2L);
  }

  @Test
  void dueTimersAreFiredAndAHandledEffectIsAcknowledgedUnderItsStableKey() {
    driven.timer(A, "t", 0);
    work.activate();
    driven.settle();

    DrivenLeaderWork.Proposal fire = driven.next();
    assertThat(fire.batch().getTimerFiresList()).hasSize(1);
    assertThat(fire.batch().getTimerFires(0).getName()).isEqualTo("t");
    fire.answer(WorkStatus.DONE);
    driven.outbox.removeTimer(new TimerKey(A, "t"));
    driven.settle();

    Outbox.Id effect = new Outbox.Id(B, driven.outbox.nextSeq(B));
    driven.outbox.putEffect(effect, io.pachyderm.protocol.PendingEffect.newBuilder().setId(effect.toProto())
        .setHandler("h").setPayload(DrivenLeaderWork.P).setVersion(4).setAttempts(2).build());
    work.effectAdded(effect);
    driven.settle();
    DrivenLeaderWork.Proposal report = driven.next();
    assertThat(handled).containsExactly("e/t/b@4#1");
    assertThat(report.batch().getEffectReports(0).getSucceeded()).isTrue();
  }

  @Test
  void handOversPastTheInboxLimitAreDroppedAndFoundAgainByARescan() {
    DrivenLeaderWork small = new DrivenLeaderWork((source, effect, ctx) -> { },
        EffectRetry.DEFAULT, 1000, 4, 1, null);
    try {
      small.message(A, B);
      small.work.activate();
      for (int i = 0; i < 50; i++) {
        small.work.messageAdded(small.message(A, B));
      }
      assertThat(small.work.handOversDropped()).as("at most 4 hand-overs wait; the rest are dropped").isEqualTo(46);

      small.settle();
      java.util.Set<Long> proposed = new java.util.TreeSet<>();
      // Bounded: 51 messages, each proposal carries at least one.
      for (int i = 0; i < 51 && proposed.size() < 51; i++) {
        DrivenLeaderWork.Proposal p = small.next();
        proposed.addAll(seqs(p.batch()));
        p.done();
        small.settle();
      }
      assertThat(proposed).hasSize(51);
    } finally {
      small.close();
    }
  }

  @Test
  void aProposalRefusedByAFullProposerQueueIsProposedAgainAfterThePause() {
    java.util.concurrent.atomic.AtomicInteger submits = new java.util.concurrent.atomic.AtomicInteger();
    List<CommandBatch> proposed = new ArrayList<>();
    DrivenLeaderWork refusing = new DrivenLeaderWork((source, effect, ctx) -> { }, EffectRetry.DEFAULT, 1000,
        100_000, 1, batch -> {
          proposed.add(batch);
          return submits.getAndIncrement() == 0
              ? java.util.concurrent.CompletableFuture.failedFuture(
                  new io.pachyderm.api.OverloadedException("internal proposal", "proposalsQueuedMax", 10_000))
              : new java.util.concurrent.CompletableFuture<>();
        });
    try {
      refusing.message(A, B);
      refusing.work.activate();
      refusing.settle();
      assertThat(submits.get()).isEqualTo(1);

      refusing.advanceMs(DeliveryPump.FAILURE_PAUSE_MS - 1);
      assertThat(submits.get()).as("not before the pause").isEqualTo(1);
      refusing.advanceMs(1);
      assertThat(submits.get()).isEqualTo(2);
      assertThat(proposed.get(1).getDeliveriesList()).extracting(Delivery::getSeq).containsExactly(1L);
    } finally {
      refusing.close();
    }
  }
}
