package io.pachyderm.node.internal;

import io.pachyderm.replica.Outbox;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.pachyderm.node.EffectRetry;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.Delivery;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.WorkStatus;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The leader work loop against a fake Raft server: what it proposes, and what it does with the answers. */
class LeaderWorkTest {
  private static final EntityKey A = new EntityKey("e", "t", "a");
  private static final EntityKey B = new EntityKey("e", "t", "b");
  private static final Payload P = Payload.newBuilder().setType("X").setSchemaVersion(1)
      .setData(ByteString.copyFromUtf8("{}")).build();

  private record Proposal(CommandBatch batch, CompletableFuture<BatchReply> reply) {}

  private final LinkedBlockingQueue<Proposal> proposals = new LinkedBlockingQueue<>();
  private final Outbox outbox = new Outbox();
  private final LinkedBlockingQueue<String> handled = new LinkedBlockingQueue<>();
  /** What the loop reported as unexpected (the node's fail-stop in production). */
  private final LinkedBlockingQueue<Throwable> loopErrors = new LinkedBlockingQueue<>();
  private final LeaderWork work = new LeaderWork("n1", outbox, batch -> {
    CompletableFuture<BatchReply> f = new CompletableFuture<>();
    proposals.add(new Proposal(batch, f));
    return f;
  }, (source, effect, ctx) -> handled.add(ctx.idempotencyKey()), () -> true,
      new EffectRetry(3, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(5)), 1000, 1,
      loopErrors::add);

  @AfterEach
  void close() {
    work.close();
  }

  private Outbox.Id message(EntityKey from, EntityKey to) {
    long seq = outbox.nextSeq(from);
    outbox.addMessage(PendingMessage.newBuilder().setSource(Protos.ref(from)).setSeq(seq).setTarget(Protos.ref(to))
        .setPayload(P).build());
    return new Outbox.Id(from, seq);
  }

  private Proposal next() throws InterruptedException {
    Proposal p = proposals.poll(10, TimeUnit.SECONDS);
    assertThat(p).as("a proposal").isNotNull();
    return p;
  }

  private static BatchReply statuses(WorkStatus... s) {
    return BatchReply.newBuilder().addAllWork(List.of(s)).build();
  }

  private static List<Long> seqs(CommandBatch b) {
    return b.getDeliveriesList().stream().map(Delivery::getSeq).toList();
  }

  @Test
  void aNewLeaderProposesEveryPendingMessageAndRetriesOnlyWhatAskedForItInOrder() throws Exception {
    message(A, B);
    message(A, B);
    message(A, B);
    work.activate();

    Proposal first = next();
    assertThat(seqs(first.batch())).containsExactly(1L, 2L, 3L);
    first.reply().complete(statuses(WorkStatus.DONE, WorkStatus.RETRY, WorkStatus.RETRY));

    Proposal second = next();
    assertThat(seqs(second.batch())).as("the retried ones, still in order").containsExactly(2L, 3L);
    second.reply().complete(statuses(WorkStatus.DONE, WorkStatus.GONE));
    assertThat(proposals.poll(200, TimeUnit.MILLISECONDS)).as("nothing left to propose").isNull();
  }

  @Test
  void anUnexpectedErrorOnTheLoopIsReportedNotSwallowed() throws Exception {
    message(A, B);
    work.activate();
    Proposal first = next();
    // A reply with fewer statuses than items is a broken invariant: the loop used to lose the
    // exception in the future and stop delivering, silently.
    first.reply().complete(statuses());

    Throwable reported = loopErrors.poll(10, TimeUnit.SECONDS);
    assertThat(reported).as("reported to the fail-stop").isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("internal batch of 1 items got 0 statuses");
  }

  @Test
  void afterLosingLeadershipLateAnswersProposeNothing() throws Exception {
    message(A, B);
    work.activate();
    Proposal first = next();

    work.deactivate();
    first.reply().complete(statuses(WorkStatus.RETRY));
    work.messageAdded(message(A, B));

    assertThat(proposals.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void aMessageAppliedWhileAProposalIsInFlightIsProposedNext() throws Exception {
    message(A, B);
    work.activate();
    Proposal first = next();
    work.messageAdded(message(A, B));
    first.reply().complete(statuses(WorkStatus.DONE));

    assertThat(seqs(next().batch())).containsExactly(2L);
  }

  @Test
  void dueTimersAreFiredAndAHandledEffectIsAcknowledgedUnderItsStableKey() throws Exception {
    outbox.putTimer(new TimerKey(A, "t"), PendingTimer.newBuilder().setOwner(Protos.ref(A)).setName("t")
        .setSeq(outbox.nextSeq(A)).setTarget(Protos.ref(A)).setPayload(P).setDueMs(0).build());
    work.activate();

    Proposal fire = next();
    assertThat(fire.batch().getTimerFiresList()).hasSize(1);
    assertThat(fire.batch().getTimerFires(0).getName()).isEqualTo("t");
    fire.reply().complete(statuses(WorkStatus.DONE));

    Outbox.Id effect = new Outbox.Id(B, outbox.nextSeq(B));
    outbox.putEffect(effect, PendingEffect.newBuilder().setId(effect.toProto()).setHandler("h").setPayload(P)
        .setVersion(4).setAttempts(2).build());
    work.effectAdded(effect);
    Proposal report = next();
    assertThat(handled.poll(5, TimeUnit.SECONDS)).isEqualTo("e/t/b@4#1");
    assertThat(report.batch().getEffectReports(0).getSucceeded()).isTrue();
  }
}
