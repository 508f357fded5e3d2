package io.pachyderm.node.internal;

import io.pachyderm.replica.Outbox;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.pachyderm.node.settings.EffectRetry;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.WorkStatus;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * {@link LeaderWork} without a thread of its own, for tests that drive time: the test takes the
 * agent's turns ({@link #settle()}), moves the {@link ManualClock} ({@link #advanceMs}), answers the
 * proposals it recorded, and attempts run on the test's thread. Everything is deterministic: no
 * sleep, no wait, one thread.
 */
final class DrivenLeaderWork implements AutoCloseable {
  static final EntityKey A = new EntityKey("e", "t", "a");
  static final EntityKey B = new EntityKey("e", "t", "b");
  static final Payload P = Payload.newBuilder().setType("X").setSchemaVersion(1)
      .setData(ByteString.copyFromUtf8("{}")).build();
  /** Any wall time far from zero, so that a step back of an hour stays positive. */
  static final long WALL_START_MS = 1_800_000_000_000L;

  record Proposal(CommandBatch batch, CompletableFuture<BatchReply> reply) {
    void answer(WorkStatus... statuses) {
      reply.complete(BatchReply.newBuilder().addAllWork(List.of(statuses)).build());
    }

    /** Every item done. */
    void done() {
      int items = batch.getDeliveriesCount() + batch.getTimerFiresCount() + batch.getEffectReportsCount();
      BatchReply.Builder b = BatchReply.newBuilder();
      for (int i = 0; i < items; i++) {
        b.addWork(WorkStatus.DONE);
      }
      reply.complete(b.build());
    }
  }

  final ManualClock clock = new ManualClock(WALL_START_MS);
  final Outbox outbox;
  /** Proposals in the order the agent made them, not yet taken by {@link #next()}. */
  final ArrayDeque<Proposal> proposals = new ArrayDeque<>();
  /** What the loop reported as unexpected (the node's fail-stop in production). */
  final List<Throwable> loopErrors = new ArrayList<>();
  final LeaderWork work;

  /**
   * @param handlers run on the test's thread, inside {@link #settle()}
   * @param submitter null: record every proposal for the test to answer
   */
  DrivenLeaderWork(LeaderWork.HandlerInvoker handlers, EffectRetry retry, int firesPerSecondMax,
                   int handOversQueuedMax, long randomSeed, LeaderWork.Submitter submitter) {
    this(new Outbox(), handlers, retry, firesPerSecondMax, handOversQueuedMax, randomSeed, submitter);
  }

  /** @param outbox the outbox the work reads (a DISK replica's, say); the test writes and commits it */
  DrivenLeaderWork(Outbox outbox, LeaderWork.HandlerInvoker handlers, EffectRetry retry, int firesPerSecondMax,
                   int handOversQueuedMax, long randomSeed, LeaderWork.Submitter submitter) {
    this.outbox = outbox;
    LeaderWork.Submitter recording = batch -> {
      CompletableFuture<BatchReply> f = new CompletableFuture<>();
      proposals.addLast(new Proposal(batch, f));
      return f;
    };
    AttemptRunner onTheCallersThread = (handler, task, timeoutMs) -> {
      try {
        task.run();
        return CompletableFuture.completedFuture(null);
      } catch (Exception e) {
        return CompletableFuture.failedFuture(e);
      }
    };
    work = new LeaderWork("n1", outbox, submitter != null ? submitter : recording, handlers, () -> true, retry,
        firesPerSecondMax, handOversQueuedMax, onTheCallersThread, clock, new SplittableRandom(randomSeed),
        loopErrors::add);
  }

  DrivenLeaderWork(LeaderWork.HandlerInvoker handlers, EffectRetry retry) {
    this(handlers, retry, 1000, 100_000, 1, null);
  }

  /** Takes the agent's turns until it has nothing to do at the current time. */
  void settle() {
    // Bounded: each turn runs what is queued or due; a loop that never settles is a bug.
    for (int turn = 0; turn < 10_000; turn++) {
      if (work.doWork() == 0) {
        return;
      }
    }
    throw new AssertionError("the leader work did not settle in 10,000 turns");
  }

  /** The agent handles what is pending now, time passes by {@code ms}, then it takes its turns again. */
  void advanceMs(long ms) {
    settle();
    clock.advanceMs(ms);
    settle();
  }

  /** The oldest proposal not yet taken; fails if there is none. */
  Proposal next() {
    assertThat(proposals).as("a proposal").isNotEmpty();
    return proposals.pollFirst();
  }

  Outbox.Id message(EntityKey from, EntityKey to) {
    long seq = outbox.nextSeq(from);
    outbox.addMessage(PendingMessage.newBuilder().setSource(Protos.ref(from)).setSeq(seq).setTarget(Protos.ref(to))
        .setPayload(P).build());
    return new Outbox.Id(from, seq);
  }

  Outbox.Id effect(EntityKey source, String handler, long version) {
    Outbox.Id id = new Outbox.Id(source, outbox.nextSeq(source));
    outbox.putEffect(id, PendingEffect.newBuilder().setId(id.toProto()).setHandler(handler).setPayload(P)
        .setVersion(version).build());
    return id;
  }

  /** What applying a failed attempt's report does to the outbox: the attempt is counted. */
  void attemptCounted(Outbox.Id id) {
    PendingEffect e = outbox.effect(id);
    outbox.putEffect(id, e.toBuilder().setAttempts(e.getAttempts() + 1).build());
  }

  TimerKey timer(EntityKey owner, String name, long dueMs) {
    TimerKey key = new TimerKey(owner, name);
    outbox.putTimer(key, PendingTimer.newBuilder().setOwner(Protos.ref(owner)).setName(name)
        .setSeq(outbox.nextSeq(owner)).setTarget(Protos.ref(owner)).setPayload(P).setDueMs(dueMs).build());
    return key;
  }

  @Override
  public void close() {
    work.close();
  }
}
