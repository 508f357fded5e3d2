package io.pachyderm.node.internal;

import io.pachyderm.replica.Outbox;
import static io.pachyderm.node.internal.DrivenLeaderWork.A;
import static io.pachyderm.node.internal.DrivenLeaderWork.B;
import static io.pachyderm.node.internal.DrivenLeaderWork.WALL_START_MS;
import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.node.settings.EffectRetry;
import io.pachyderm.protocol.EffectFailure;
import io.pachyderm.protocol.TimerFire;
import io.pachyderm.protocol.WorkStatus;
import io.pachyderm.runtime.TimerKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The leader work's time, driven by the test's clock: timers fire when the clock passes their due
 * time and not a millisecond before, the fire rate limit refills on the monotonic clock, and failed
 * effects are retried on the configured backoff plus the injected random source's jitter.
 */
class LeaderWorkTimeTest {
  private static final long SEED = 42;
  private static final EffectRetry RETRY = new EffectRetry(4, Duration.ofMillis(100), Duration.ofMillis(300),
      Duration.ofSeconds(5));

  private final List<String> attempts = new ArrayList<>();
  private DrivenLeaderWork driven = new DrivenLeaderWork((source, effect, ctx) -> {
    attempts.add(ctx.idempotencyKey());
    throw new IllegalStateException("the mail server said no");
  }, RETRY, 1000, 100_000, SEED, null);

  @AfterEach
  void close() {
    driven.close();
  }

  private List<String> fired() {
    List<String> names = new ArrayList<>();
    for (DrivenLeaderWork.Proposal p : driven.proposals) {
      for (TimerFire f : p.batch().getTimerFiresList()) {
        names.add(f.getName());
      }
    }
    return names;
  }

  @Test
  void aTimerFiresExactlyWhenTheClockPassesItsDueTime() {
    driven.timer(A, "soon", WALL_START_MS + 500);
    driven.work.activate();
    driven.settle();
    TimerKey later = driven.timer(A, "later", WALL_START_MS + 2_500);
    driven.work.timerScheduled(later, driven.outbox.timer(later).getSeq(), WALL_START_MS + 2_500);
    driven.settle();
    assertThat(fired()).as("nothing is due yet").isEmpty();

    driven.advanceMs(499);
    assertThat(fired()).as("1 ms before the due time").isEmpty();
    driven.advanceMs(1);
    assertThat(fired()).containsExactly("soon");
    driven.next().answer(WorkStatus.DONE);
    driven.outbox.removeTimer(new TimerKey(A, "soon"));

    driven.advanceMs(1_999);
    assertThat(fired()).as("1 ms before the due time, past two wall-clock rechecks").isEmpty();
    driven.advanceMs(1);
    assertThat(fired()).containsExactly("later");
  }

  @Test
  void aStepForwardOfTheWallClockIsNoticedWithinTheRecheckInterval() {
    driven.timer(A, "tomorrow", WALL_START_MS + TimeUnit.DAYS.toMillis(1));
    driven.work.activate();
    driven.settle();

    driven.clock.stepWallMs(TimeUnit.DAYS.toMillis(1)); // NTP, or a VM resumed after a day
    driven.settle();
    assertThat(fired()).as("the loop sleeps on the monotonic clock until its next look").isEmpty();
    driven.advanceMs(TimerPump.WALL_CLOCK_RECHECK_MS);
    assertThat(fired()).containsExactly("tomorrow");
  }

  @Test
  void aStepBackOfTheWallClockDoesNotStopTimers() {
    driven.work.activate();
    driven.settle();
    TimerKey first = driven.timer(A, "first", WALL_START_MS - 1);
    driven.work.timerScheduled(first, driven.outbox.timer(first).getSeq(), WALL_START_MS - 1);
    driven.settle();
    assertThat(fired()).containsExactly("first");
    driven.next().answer(WorkStatus.DONE);
    driven.settle();

    driven.clock.stepWallMs(-TimeUnit.HOURS.toMillis(1)); // NTP steps the clock back an hour
    long dueMs = driven.clock.wallMs() - 1;
    TimerKey second = driven.timer(A, "second", dueMs);
    driven.work.timerScheduled(second, driven.outbox.timer(second).getSeq(), dueMs);
    driven.settle();

    assertThat(fired()).as("due by the stepped-back clock, so fired").containsExactly("second");
  }

  @Test
  void timerFiresAreRateLimitedOnTheMonotonicClock() {
    driven.close();
    driven = new DrivenLeaderWork((source, effect, ctx) -> { }, RETRY, 2, 100_000, SEED, null);
    for (int i = 0; i < 4; i++) {
      driven.timer(A, "t" + i, WALL_START_MS);
    }
    driven.work.activate();
    driven.settle();
    assertThat(fired()).as("a full bucket: two fires").containsExactly("t0", "t1");
    driven.next().done();
    driven.settle();

    driven.clock.stepWallMs(TimeUnit.HOURS.toMillis(1)); // a wall step refills nothing
    driven.advanceMs(499);
    assertThat(fired()).as("half a token").isEmpty();
    driven.advanceMs(1);
    assertThat(fired()).as("one token after 500 ms at 2 per second").containsExactly("t2");
    driven.next().done();
    driven.advanceMs(500);
    assertThat(fired()).containsExactly("t3");
  }

  @Test
  void aFailedEffectIsRetriedAfterItsBackoffPlusTheSeededJitterAndDeadLetteredAfterTheLastAttempt() {
    Outbox.Id id = driven.effect(B, "mailer", 7);
    // What the agent must draw: the same generator, seeded alike, one draw per retry.
    SplittableRandom expected = new SplittableRandom(SEED);
    long[] pausesMs = new long[RETRY.attemptsMax() - 1];
    for (int attempt = 1; attempt < RETRY.attemptsMax(); attempt++) {
      long backoffMs = RETRY.backoffAfter(attempt).toMillis();
      pausesMs[attempt - 1] = backoffMs + (long) (backoffMs * EffectPump.JITTER_SHARE_MAX * expected.nextDouble());
      assertThat(pausesMs[attempt - 1]).as("this seed jitters retry %d", attempt).isGreaterThan(backoffMs);
    }
    assertThat(pausesMs).as("100, 200, 300 (the max) ms plus jitter").hasSize(3);
    assertThat(RETRY.backoffAfter(3).toMillis()).isEqualTo(300);

    driven.work.activate();
    driven.settle();
    for (int attempt = 1; attempt <= RETRY.attemptsMax(); attempt++) {
      assertThat(attempts).as("attempt %d has run", attempt).hasSize(attempt);
      DrivenLeaderWork.Proposal report = driven.next();
      EffectFailure failed = report.batch().getEffectReports(0).getFailed();
      assertThat(failed.getAttempt()).isEqualTo(attempt);
      assertThat(failed.getError()).contains("the mail server said no");
      assertThat(failed.getTimestampMs()).as("the injected wall clock").isEqualTo(driven.clock.wallMs());
      assertThat(failed.getDeadLetter()).as("dead letter after attempt %d", attempt)
          .isEqualTo(attempt == RETRY.attemptsMax());
      driven.attemptCounted(id);
      report.answer(WorkStatus.DONE);
      driven.settle();
      if (attempt == RETRY.attemptsMax()) {
        break;
      }
      driven.advanceMs(pausesMs[attempt - 1] - 1);
      assertThat(attempts).as("no retry 1 ms before the pause after attempt %d", attempt).hasSize(attempt);
      driven.advanceMs(1);
    }
    assertThat(attempts).containsOnly("e/t/b@7#1").hasSize(RETRY.attemptsMax());

    driven.advanceMs(60_000);
    assertThat(attempts).as("a dead letter is not attempted again").hasSize(RETRY.attemptsMax());
    assertThat(driven.proposals).isEmpty();
  }
}
