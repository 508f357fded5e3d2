package io.pachyderm.node.internal;

import io.pachyderm.replica.Outbox;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.pachyderm.node.EffectRetry;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.WorkStatus;
import io.pachyderm.runtime.EntityKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The leader work loop with at-least-once effects paused: nothing attempted, deliveries go on, resume dispatches. */
class LeaderWorkPauseTest {
  private static final EntityKey A = new EntityKey("e", "t", "a");
  private static final EntityKey B = new EntityKey("e", "t", "b");
  private static final Payload P = Payload.newBuilder().setType("X").setSchemaVersion(1)
      .setData(ByteString.copyFromUtf8("{}")).build();

  private record Proposal(CommandBatch batch, CompletableFuture<BatchReply> reply) {}

  private final LinkedBlockingQueue<Proposal> proposals = new LinkedBlockingQueue<>();
  private final Outbox outbox = new Outbox();
  /** Every handler call: the effect's key, marked when it ran before the test resumed effects. */
  private final LinkedBlockingQueue<String> handled = new LinkedBlockingQueue<>();
  /** What the loop reported as unexpected (the node's fail-stop in production). */
  private final LinkedBlockingQueue<Throwable> loopErrors = new LinkedBlockingQueue<>();
  private volatile boolean resumed;
  private final LeaderWork work = new LeaderWork("n1", outbox, batch -> {
    CompletableFuture<BatchReply> f = new CompletableFuture<>();
    proposals.add(new Proposal(batch, f));
    return f;
  }, (source, effect, ctx) -> handled.add(ctx.idempotencyKey() + (resumed ? "" : " while paused")), () -> true,
      new EffectRetry(3, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(5)), 1000, 1,
      loopErrors::add);

  @AfterEach
  void close() {
    work.close();
  }

  @Test
  void aPausedLeaderAttemptsNoEffectButDeliversAndResumeDispatchesWhatWaited() throws Exception {
    Outbox.Id effect = new Outbox.Id(B, outbox.nextSeq(B));
    outbox.putEffect(effect, PendingEffect.newBuilder().setId(effect.toProto()).setHandler("h").setPayload(P)
        .setVersion(4).build());
    work.effectsPaused(true);
    work.activate();
    Outbox.Id later = new Outbox.Id(B, outbox.nextSeq(B));
    outbox.putEffect(later, PendingEffect.newBuilder().setId(later.toProto()).setHandler("h").setPayload(P)
        .setVersion(5).build());
    work.effectAdded(later);

    // Deliveries are not paused: the loop has taken over the outbox and handled the new effect by
    // the time it proposes a message applied after both.
    long seq = outbox.nextSeq(A);
    outbox.addMessage(PendingMessage.newBuilder().setSource(Protos.ref(A)).setSeq(seq).setTarget(Protos.ref(B))
        .setPayload(P).build());
    work.messageAdded(new Outbox.Id(A, seq));
    Proposal delivery = next();
    assertThat(delivery.batch().getDeliveriesCount()).isEqualTo(1);
    delivery.reply().complete(BatchReply.newBuilder().addWork(WorkStatus.DONE).build());
    assertThat(handled).as("no attempt while paused").isEmpty();

    resumed = true;
    work.effectsPaused(false);
    // Both are dispatched on resume, concurrently: in either order.
    assertThat(List.of(handled.poll(10, TimeUnit.SECONDS), handled.poll(10, TimeUnit.SECONDS)))
        .containsExactlyInAnyOrder("e/t/b@4#1", "e/t/b@5#2");
    // The loop may propose other work first (under load, a delivery it sends again): answer it
    // and look further; the reports of the dispatched effects must follow.
    Proposal report = next();
    for (int skipped = 0; skipped < 10 && report.batch().getEffectReportsCount() == 0; skipped++) {
      BatchReply.Builder done = BatchReply.newBuilder();
      int items = report.batch().getDeliveriesCount() + report.batch().getTimerFiresCount();
      for (int i = 0; i < items; i++) {
        done.addWork(WorkStatus.DONE);
      }
      report.reply().complete(done.build());
      report = next();
    }
    assertThat(report.batch().getEffectReportsCount()).isBetween(1, 2);
    assertThat(report.batch().getEffectReports(0).getSucceeded()).isTrue();
  }

  private Proposal next() throws InterruptedException {
    Proposal p = proposals.poll(10, TimeUnit.SECONDS);
    assertThat(p).as("a proposal").isNotNull();
    return p;
  }
}
