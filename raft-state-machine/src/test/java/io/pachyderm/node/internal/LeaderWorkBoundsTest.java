package io.pachyderm.node.internal;

import io.pachyderm.replica.Outbox;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.pachyderm.node.settings.EffectRetry;
import io.pachyderm.node.settings.QueueLimits;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.Delivery;
import io.pachyderm.protocol.EffectReport;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.WorkStatus;
import io.pachyderm.runtime.EntityKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The leader work's bounds (issue 12), on a node's own thread and real handler lanes: hung handlers
 * of one name cannot starve another's effects, a timed-out handler is interrupted, and hand-overs
 * past the loop's queue limit are replaced by a rescan of the outbox. (A step back of the wall
 * clock: {@link LeaderWorkTimeTest}, which drives the clock.)
 */
class LeaderWorkBoundsTest {
  private static final EntityKey A = new EntityKey("e", "t", "a");
  private static final EntityKey B = new EntityKey("e", "t", "b");
  private static final Payload P = Payload.newBuilder().setType("X").setSchemaVersion(1)
      .setData(ByteString.copyFromUtf8("{}")).build();

  private record Proposal(CommandBatch batch, CompletableFuture<BatchReply> reply) {}

  private final LinkedBlockingQueue<Proposal> proposals = new LinkedBlockingQueue<>();
  private final Outbox outbox = new Outbox();
  private final List<LeaderWork> works = new ArrayList<>();
  /** What the loop reported as unexpected (the node's fail-stop in production): nothing, in these tests. */
  private final List<Throwable> loopErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Opened at the end of each test so that hung handlers' threads end. */
  private final CountDownLatch testOver = new CountDownLatch(1);

  @AfterEach
  void close() {
    testOver.countDown();
    works.forEach(LeaderWork::close);
    assertThat(loopErrors).as("errors the work loop reported").isEmpty();
  }

  private LeaderWork work(LeaderWork.HandlerInvoker handlers, EffectRetry retry, QueueLimits limits,
                          Set<String> handlerNames, LeaderWork.Submitter submitter) {
    LeaderWork w = new LeaderWork("n1", outbox, submitter, handlers, () -> true, retry, 1000, limits, handlerNames,
        NodeClock.SYSTEM, new java.util.SplittableRandom(1), loopErrors::add).start();
    works.add(w);
    return w;
  }

  private LeaderWork.Submitter recording() {
    return batch -> {
      CompletableFuture<BatchReply> f = new CompletableFuture<>();
      proposals.add(new Proposal(batch, f));
      return f;
    };
  }

  private Proposal next() throws InterruptedException {
    Proposal p = proposals.poll(30, TimeUnit.SECONDS);
    assertThat(p).as("a proposal").isNotNull();
    return p;
  }

  private static BatchReply done(int items) {
    BatchReply.Builder b = BatchReply.newBuilder();
    for (int i = 0; i < items; i++) {
      b.addWork(WorkStatus.DONE);
    }
    return b.build();
  }

  private Outbox.Id effect(EntityKey source, String handler) {
    Outbox.Id id = new Outbox.Id(source, outbox.nextSeq(source));
    outbox.putEffect(id, PendingEffect.newBuilder().setId(id.toProto()).setHandler(handler).setPayload(P)
        .setVersion(1).build());
    return id;
  }

  /** Blocks until the test is over, whatever interrupts it: a handler that never returns. */
  private void hang(AtomicInteger interrupted) {
    // Bounded by the test: testOver opens in @AfterEach.
    while (testOver.getCount() > 0) {
      try {
        testOver.await();
      } catch (InterruptedException e) {
        interrupted.incrementAndGet(); // ignored on purpose: the slot must stay counted against "hung"
      }
    }
  }

  @Test
  void handlersThatNeverReturnHoldOnlyTheirOwnThreadsAndOtherEffectsRunAndAreAcknowledged() throws Exception {
    AtomicInteger interrupted = new AtomicInteger();
    LinkedBlockingQueue<String> ran = new LinkedBlockingQueue<>();
    LeaderWork work = work((source, effect, ctx) -> {
      if (effect.getHandler().equals("hung")) {
        hang(interrupted);
      }
      ran.add(ctx.idempotencyKey());
    }, new EffectRetry(1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMillis(500)),
        QueueLimits.DEFAULT.withEffectHandlerThreadsMax(2), Set.of("hung", "mailer"),
        recording());
    Set<String> hungIds = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      hungIds.add(effect(A, "hung").toString());
    }
    Set<String> mailerIds = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      mailerIds.add(effect(B, "mailer").toString());
    }

    work.activate();

    // Four reports of "mailer", each a success, and none of them a dead letter; the hung ones fail
    // on their own (after their timeout) and become dead letters (attemptsMax 1).
    Set<String> mailerSucceeded = new HashSet<>();
    Set<String> deadLetters = new HashSet<>();
    // Bounded: each proposal has at least one report and there are eight effects; next() fails after 30 s.
    while (mailerSucceeded.size() < 4 || deadLetters.size() < 2) {
      Proposal p = next();
      for (EffectReport r : p.batch().getEffectReportsList()) {
        String id = Outbox.Id.of(r.getId()).toString();
        if (mailerIds.contains(id)) {
          assertThat(r.getSucceeded()).as("effect %s of handler 'mailer' succeeded: %s", id, r).isTrue();
          mailerSucceeded.add(id);
        } else {
          assertThat(hungIds).contains(id);
          assertThat(r.getFailed().getDeadLetter()).isTrue();
          assertThat(r.getFailed().getError()).contains("no answer within 500 ms");
          deadLetters.add(id);
        }
      }
      p.reply().complete(done(p.batch().getEffectReportsCount()));
    }
    assertThat(ran).hasSize(4);
    // The report of a timed-out attempt can be proposed before its thread has run the interrupt
    // handler (seen under load): wait for it, bounded.
    long deadlineNs = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (interrupted.get() < 1 && System.nanoTime() < deadlineNs) {
      Thread.sleep(10);
    }
    assertThat(interrupted.get()).as("a timed-out handler's thread is interrupted").isGreaterThanOrEqualTo(1);
  }

  @Test
  void aTimedOutHandlerIsInterrupted() throws Exception {
    CountDownLatch sawInterrupt = new CountDownLatch(1);
    LeaderWork work = work((source, effect, ctx) -> {
      try {
        testOver.await();
      } catch (InterruptedException e) {
        sawInterrupt.countDown();
        throw e;
      }
    }, new EffectRetry(1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMillis(200)),
        QueueLimits.DEFAULT, Set.of("h"), recording());
    effect(A, "h");
    work.activate();

    Proposal p = next();
    assertThat(p.batch().getEffectReports(0).getFailed().getError()).contains("no answer within 200 ms");
    assertThat(sawInterrupt.await(30, TimeUnit.SECONDS)).as("the handler's thread was interrupted").isTrue();
  }

  @Test
  void handOversPastTheLoopsQueueLimitAreDroppedAndFoundAgainByARescan() throws Exception {
    CountDownLatch loopReleased = new CountDownLatch(1);
    AtomicInteger submits = new AtomicInteger();
    LeaderWork.Submitter recording = recording();
    LeaderWork work = work((source, effect, ctx) -> { }, EffectRetry.DEFAULT,
        QueueLimits.DEFAULT.withLeaderWorkTasksQueuedMax(4), Set.of(), batch -> {
          if (submits.getAndIncrement() == 0) {
            try { // holds the loop thread, as a slow proposer would
              assertThat(loopReleased.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return recording.submit(batch);
        });
    message(A, B);
    work.activate();
    // Bounded: the loop reaches the first submit within 30 s, or the test fails.
    for (int i = 0; i < 300 && submits.get() == 0; i++) {
      Thread.sleep(100);
    }
    assertThat(submits.get()).as("the loop is in its first submit").isEqualTo(1);

    for (int i = 0; i < 50; i++) {
      work.messageAdded(message(A, B));
    }
    assertThat(work.handOversDropped()).as("at most 4 hand-overs wait; the rest are dropped").isEqualTo(46);
    loopReleased.countDown();

    Set<Long> proposed = new HashSet<>();
    // Bounded: 51 messages, each proposal carries at least one; next() fails after 30 s.
    while (proposed.size() < 51) {
      Proposal p = next();
      for (Delivery d : p.batch().getDeliveriesList()) {
        proposed.add(d.getSeq());
      }
      p.reply().complete(done(p.batch().getDeliveriesCount()));
    }
    assertThat(proposed).hasSize(51);
  }

  @Test
  void aProposalRefusedByAFullProposerQueueIsProposedAgainLater() throws Exception {
    AtomicInteger submits = new AtomicInteger();
    LeaderWork.Submitter recording = recording();
    LeaderWork work = work((source, effect, ctx) -> { }, EffectRetry.DEFAULT, QueueLimits.DEFAULT, Set.of(),
        batch -> submits.getAndIncrement() == 0
            ? CompletableFuture.failedFuture(new io.pachyderm.api.OverloadedException("internal proposal",
                "proposalsQueuedMax", 10_000))
            : recording.submit(batch));
    message(A, B);
    work.activate();

    Proposal again = next();
    assertThat(again.batch().getDeliveriesList()).extracting(Delivery::getSeq).containsExactly(1L);
    assertThat(submits.get()).isEqualTo(2);
  }

  private Outbox.Id message(EntityKey from, EntityKey to) {
    long seq = outbox.nextSeq(from);
    outbox.addMessage(PendingMessage.newBuilder().setSource(Protos.ref(from)).setSeq(seq).setTarget(Protos.ref(to))
        .setPayload(P).build());
    return new Outbox.Id(from, seq);
  }
}
