package io.pachyderm.node.internal;

import io.pachyderm.replica.Outbox;
import static io.pachyderm.node.internal.DrivenLeaderWork.A;
import static io.pachyderm.node.internal.DrivenLeaderWork.B;
import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.node.settings.EffectRetry;
import io.pachyderm.protocol.WorkStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The leader work with at-least-once effects paused (nothing attempted, deliveries go on, resume
 * dispatches what waited) and after a step-down (work in flight is dropped, the next activation
 * starts again from the outbox). The test takes the agent's turns and moves its clock.
 */
class LeaderWorkPauseTest {
  private static final EffectRetry RETRY = new EffectRetry(3, Duration.ofMillis(100), Duration.ofMillis(100),
      Duration.ofSeconds(5));
  /** Every handler call: the effect's key, marked when it ran before the test resumed effects. */
  private final List<String> handled = new ArrayList<>();
  private boolean resumed;
  private boolean failing;
  private final DrivenLeaderWork driven = new DrivenLeaderWork((source, effect, ctx) -> {
    handled.add(ctx.idempotencyKey() + (resumed ? "" : " while paused"));
    if (failing) {
      throw new IllegalStateException("failing on purpose");
    }
  }, RETRY);
  private final LeaderWork work = driven.work;

  @AfterEach
  void close() {
    driven.close();
    assertThat(driven.loopErrors).as("errors the work loop reported").isEmpty();
  }

  @Test
  void aPausedLeaderAttemptsNoEffectButDeliversAndResumeDispatchesWhatWaited() {
    driven.effect(B, "h", 4);
    work.effectsPaused(true);
    work.activate();
    driven.settle();
    Outbox.Id later = driven.effect(B, "h", 5);
    work.effectAdded(later);
    work.messageAdded(driven.message(A, B));
    driven.advanceMs(60_000);

    DrivenLeaderWork.Proposal delivery = driven.next();
    assertThat(delivery.batch().getDeliveriesCount()).as("deliveries are not paused").isEqualTo(1);
    delivery.answer(WorkStatus.DONE);
    driven.advanceMs(60_000);
    assertThat(handled).as("no attempt while paused").isEmpty();
    assertThat(driven.proposals).isEmpty();

    resumed = true;
    work.effectsPaused(false);
    driven.settle();
    assertThat(handled).containsExactly("e/t/b@4#1", "e/t/b@5#2");
    // One report proposal in flight at a time: the second report follows the first's answer.
    List<Boolean> succeeded = new ArrayList<>();
    for (int i = 0; i < 2 && succeeded.size() < 2; i++) {
      DrivenLeaderWork.Proposal reports = driven.next();
      reports.batch().getEffectReportsList().forEach(r -> succeeded.add(r.getSucceeded()));
      reports.done();
      driven.settle();
    }
    assertThat(succeeded).containsExactly(true, true);
  }

  @Test
  void aRetryWaitingOutItsBackoffWhenThePauseBeganIsAttemptedOnResumeNotBefore() {
    failing = true;
    resumed = true;
    Outbox.Id id = driven.effect(B, "h", 4);
    work.activate();
    driven.settle();
    assertThat(handled).hasSize(1);
    driven.attemptCounted(id);
    driven.next().answer(WorkStatus.DONE);
    driven.settle();

    work.effectsPaused(true);
    driven.advanceMs(60_000);
    assertThat(handled).as("the retry's backoff ended while paused: no attempt").hasSize(1);

    failing = false;
    work.effectsPaused(false);
    driven.settle();
    assertThat(handled).hasSize(2);
    assertThat(driven.next().batch().getEffectReports(0).getSucceeded()).isTrue();
  }

  @Test
  void aStepDownDropsWorkInFlightAndTheNextActivationStartsAgainFromTheOutbox() {
    failing = true;
    resumed = true;
    Outbox.Id effect = driven.effect(B, "h", 4);
    driven.message(A, B);
    driven.timer(A, "t", DrivenLeaderWork.WALL_START_MS + 1_000);
    work.activate();
    driven.settle();
    DrivenLeaderWork.Proposal delivery = driven.next();
    DrivenLeaderWork.Proposal report = driven.next();
    assertThat(report.batch().getEffectReports(0).hasFailed()).isTrue();

    work.deactivate();
    driven.settle();
    driven.attemptCounted(effect);
    report.answer(WorkStatus.DONE); // a late answer, while this node is not the leader
    work.messageAdded(driven.message(A, B)); // applied after the step-down: not this node's work
    driven.advanceMs(60_000);
    assertThat(driven.proposals).as("no delivery retried, no timer fired").isEmpty();
    assertThat(handled).as("no effect retried").hasSize(1);

    work.activate();
    driven.settle();
    assertThat(handled).as("the new leadership attempts the effect again").hasSize(2);
    List<Integer> proposed = new ArrayList<>();
    for (DrivenLeaderWork.Proposal p : driven.proposals) {
      proposed.add(p.batch().getDeliveriesCount() * 100 + p.batch().getTimerFiresCount() * 10
          + p.batch().getEffectReportsCount());
    }
    assertThat(proposed).as("both messages, the timer (past due) and the report, each once")
        .containsExactlyInAnyOrder(200, 10, 1);

    // A late answer of the first leadership, arriving in the second: its batch is not this
    // leadership's, so nothing is retried (the new delivery proposal is still in flight).
    int before = driven.proposals.size();
    delivery.answer(WorkStatus.RETRY);
    driven.advanceMs(60_000);
    assertThat(driven.proposals).as("no proposal from an earlier leadership's answer").hasSize(before);
  }
}
