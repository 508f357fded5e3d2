package io.pachyderm.client.internal;

import io.pachyderm.cluster.internal.StorageFullRefusal;
import io.pachyderm.cluster.internal.NodeRefusals;
import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.OutcomeUnknownException;
import io.pachyderm.api.PachydermException;
import io.pachyderm.protocol.Applied;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Protos;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Natural batching (as in Aeron): a command is sent at once when fewer than
 * {@code inflightBatchesMax} batches are outstanding; otherwise it waits and leaves with every
 * other command queued meanwhile, in one request and so one log entry. No timer adds latency at low load.
 *
 * <p>Retries keep the request id, so the state machine applies a command once however often it
 * is sent. A command whose deadline passes fails with {@link io.pachyderm.api.NotSentException}
 * when no send of it can have reached a node (see {@link Delivery}), else with
 * {@link OutcomeUnknownException}. To be certain, the verdict waits for a send still retrying
 * connects at the deadline to end: Ratis stops retrying at the deadline, so that is at most one
 * attempt (its request timeout, 3 s) later.
 * Thread-safe; all queue state is guarded by {@code this}.
 */
public final class Batcher {
  private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);
  private static final int CONFLICT_RETRIES_MAX = 50;

  private final BiFunction<Message, Delivery, CompletableFuture<RaftClientReply>> sender;
  private final ScheduledExecutorService timer;
  private final int inflightBatchesMax;
  private final int commandsPerBatchMax;
  private final int batchBytesMax;
  private final int queuedCommandsMax;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int inflight;
  private boolean closed;

  /** One command on its way; {@code result} completes once. */
  private static final class Pending {
    final Command command;
    final CompletableFuture<Applied> result;
    final long deadlineNs;
    final int bytes;
    int attempts;
    Throwable lastFailure;
    /** One per send of this command; guarded by {@code this} (the Pending). */
    final List<Delivery> deliveries = new ArrayList<>();
    /**
     * Set, under {@code this}, when the command is judged not sent; {@link #send} checks it under
     * the same lock before adding a delivery, so a command judged not sent is never sent after.
     */
    boolean judgedNotSent;

    Pending(Command command, CompletableFuture<Applied> result, long deadlineNs) {
      this.command = command;
      this.result = result;
      this.deadlineNs = deadlineNs;
      this.bytes = command.getSerializedSize() + 8;
    }
  }

  public Batcher(BiFunction<Message, Delivery, CompletableFuture<RaftClientReply>> sender, ScheduledExecutorService timer,
                 int inflightBatchesMax, int commandsPerBatchMax, int batchBytesMax, int queuedCommandsMax) {
    this.sender = sender;
    this.timer = timer;
    this.inflightBatchesMax = inflightBatchesMax;
    this.commandsPerBatchMax = commandsPerBatchMax;
    this.batchBytesMax = batchBytesMax;
    this.queuedCommandsMax = queuedCommandsMax;
  }

  /** Queues {@code command}; the future completes with its applied outcome or fails. */
  public CompletableFuture<Applied> submit(Command command, long timeoutMs) {
    CompletableFuture<Applied> result = new CompletableFuture<>();
    Pending p = new Pending(command, result, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
    if (p.bytes > batchBytesMax) {
      result.completeExceptionally(new CommandRejectedException(io.pachyderm.api.RejectionKind.TOO_LARGE,
          "command to " + Protos.key(command.getRef()) + " is " + p.bytes + " bytes encoded; the limit is "
              + batchBytesMax));
      return result;
    }
    java.util.concurrent.ScheduledFuture<?> expiry = timer.schedule(() -> expire(p), timeoutMs, TimeUnit.MILLISECONDS);
    result.whenComplete((applied, failure) -> expiry.cancel(false));
    synchronized (this) {
      if (closed) {
        result.completeExceptionally(new PachydermException("client is closed"));
        return result;
      }
      if (queue.size() >= queuedCommandsMax) {
        result.completeExceptionally(new PachydermException("client overloaded: " + queuedCommandsMax
            + " commands already queued"));
        return result;
      }
      queue.addLast(p);
    }
    pump();
    return result;
  }

  private void expire(Pending p) {
    if (p.result.isDone()) {
      return;
    }
    List<Delivery> sends;
    List<CompletableFuture<Void>> inFlight = new ArrayList<>();
    boolean notSent;
    boolean waitForSends;
    synchronized (p) {
      sends = List.copyOf(p.deliveries);
      boolean notSentSoFar = true;
      for (Delivery d : sends) {
        notSentSoFar &= d.notSentSoFar();
        if (!d.settled().isDone()) {
          inFlight.add(d.settled());
        }
      }
      // A send still retrying connects may yet connect: judge once it is over (Ratis stops at the deadline).
      waitForSends = notSentSoFar && !inFlight.isEmpty();
      notSent = !waitForSends && notSentSoFar && sends.stream().allMatch(Delivery::certainlyNotSent);
      p.judgedNotSent = notSent;
    }
    if (waitForSends) {
      CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).whenComplete((ok, e) -> expire(p));
      return;
    }
    if (notSent) {
      java.util.Map<String, String> reasons = new java.util.TreeMap<>();
      for (Delivery d : sends) {
        reasons.putAll(d.reasonsByPeer());
      }
      String where = sends.isEmpty() ? "it never left this client's queue" : "no node could be reached: " + reasons;
      p.result.completeExceptionally(new io.pachyderm.api.NotSentException("the command to "
          + Protos.key(p.command.getRef()) + " was not sent within the request timeout (" + where
          + "); no node has it, so it is safe to retry", reasons));
      return;
    }
    if (!p.result.isDone()) {
      String why = p.lastFailure == null ? "" : "; last failure: " + p.lastFailure + FailureHints.of(p.lastFailure);
      p.result.completeExceptionally(new OutcomeUnknownException("no reply for the command to "
          + Protos.key(p.command.getRef()) + " within the request timeout after " + (p.attempts + 1)
          + " attempt(s); it may or may not have been applied" + why, p.lastFailure));
    }
  }

  private void pump() {
    while (true) {
      List<Pending> batch;
      synchronized (this) {
        if (closed || inflight >= inflightBatchesMax || queue.isEmpty()) {
          return;
        }
        batch = drain();
        if (batch.isEmpty()) {
          continue;
        }
        inflight++;
      }
      send(batch);
    }
  }

  private List<Pending> drain() {
    List<Pending> batch = new ArrayList<>();
    int bytes = 0;
    while (!queue.isEmpty() && batch.size() < commandsPerBatchMax) {
      Pending next = queue.peekFirst();
      if (next.result.isDone()) {
        queue.pollFirst();
        continue;
      }
      if (!batch.isEmpty() && bytes + next.bytes > batchBytesMax) {
        break;
      }
      queue.pollFirst();
      batch.add(next);
      bytes += next.bytes;
    }
    return batch;
  }

  private void send(List<Pending> drained) {
    // Ratis may retry until the last deadline in the batch, so no command is cut short.
    long deadlineNs = drained.get(0).deadlineNs;
    for (Pending p : drained) {
      deadlineNs = p.deadlineNs - deadlineNs > 0 ? p.deadlineNs : deadlineNs;
    }
    Delivery delivery = new Delivery(deadlineNs);
    List<Pending> batch = new ArrayList<>(drained.size());
    for (Pending p : drained) {
      synchronized (p) {
        if (p.judgedNotSent) {
          continue; // its caller was told "not sent": it must stay so
        }
        p.deliveries.add(delivery);
      }
      batch.add(p);
    }
    if (batch.isEmpty()) {
      synchronized (this) {
        inflight--;
      }
      pump();
      return;
    }
    CommandBatch.Builder b = CommandBatch.newBuilder();
    for (Pending p : batch) {
      b.addCommands(p.command);
    }
    Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(b.build().toByteArray()));
    CompletableFuture<RaftClientReply> reply;
    try {
      reply = sender.apply(message, delivery);
    } catch (RuntimeException e) {
      delivery.reached(); // unknown what the sender did before it threw
      delivery.settle();
      reply = CompletableFuture.failedFuture(e);
    }
    reply.whenComplete((r, err) -> onReply(batch, r, err));
  }

  private void onReply(List<Pending> batch, RaftClientReply reply, Throwable err) {
    synchronized (this) {
      inflight--;
    }
    try {
      Throwable failure = err != null ? err : (reply.isSuccess() ? null : reply.getException());
      if (failure == null && reply.getMessage() == null) {
        failure = new IllegalStateException("empty reply");
      }
      if (failure != null) {
        io.pachyderm.api.AccessDeniedException denied = NodeRefusals.accessDenied(failure);
        io.pachyderm.api.StorageFullException storageFull = StorageFullRefusal.storageFull(failure);
        for (Pending p : batch) {
          if (storageFull != null) {
            // Refused before the log: nothing was written, so the caller may retry (same request id).
            p.result.completeExceptionally(storageFull);
          } else if (denied != null) {
            // The node refused the caller, not the moment: another attempt gets the same answer.
            p.result.completeExceptionally(denied);
          } else if (unwrap(failure) instanceof io.pachyderm.cluster.ClusterMismatchException mismatch) {
            p.result.completeExceptionally(mismatch); // the same: another cluster stays another cluster
          } else {
            retryLater(p, failure);
          }
        }
        return;
      }
      BatchReply batchReply = BatchReply.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
      if (batchReply.getOutcomesCount() != batch.size()) {
        throw new IllegalStateException("reply holds " + batchReply.getOutcomesCount() + " outcomes for "
            + batch.size() + " commands");
      }
      for (int i = 0; i < batch.size(); i++) {
        complete(batch.get(i), batchReply.getOutcomes(i));
      }
    } catch (Exception | AssertionError e) {
      LOG.error("unexpected reply handling failure", e);
      for (Pending p : batch) {
        p.result.completeExceptionally(new PachydermException("unreadable reply: " + e, e));
      }
    } finally {
      pump();
    }
  }

  private void complete(Pending p, Outcome outcome) {
    switch (outcome.getResultCase()) {
      case APPLIED -> p.result.complete(outcome.getApplied());
      case REJECTED -> p.result.completeExceptionally(new CommandRejectedException(
          Protos.kind(outcome.getRejected().getKind()), outcome.getRejected().getMessage()));
      case CONFLICT -> {
        if (p.attempts >= CONFLICT_RETRIES_MAX) {
          p.result.completeExceptionally(new PachydermException("command to " + Protos.key(p.command.getRef())
              + " conflicted " + p.attempts + " times (expected version " + outcome.getConflict().getExpectedVersion()
              + ", actual " + outcome.getConflict().getActualVersion() + "); nothing was applied"));
        } else {
          // Nothing was applied: the leader re-runs handle on fresh state when it comes back.
          p.attempts++;
          requeue(p);
        }
      }
      default -> p.result.completeExceptionally(new PachydermException("empty outcome in reply"));
    }
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private void retryLater(Pending p, Throwable failure) {
    p.lastFailure = failure;
    p.attempts++;
    long delayMs = Math.min(1000, 20L << Math.min(6, p.attempts));
    if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs) >= p.deadlineNs) {
      expire(p);
      return;
    }
    timer.schedule(() -> requeue(p), delayMs, TimeUnit.MILLISECONDS);
  }

  private void requeue(Pending p) {
    if (p.result.isDone()) {
      return;
    }
    synchronized (this) {
      if (closed) {
        p.result.completeExceptionally(new OutcomeUnknownException("client closed while the command was in flight"));
        return;
      }
      queue.addFirst(p);
    }
    pump();
  }

  /** Fails everything queued; in-flight commands fail when their deadline passes. */
  public void close() {
    List<Pending> left;
    synchronized (this) {
      closed = true;
      left = new ArrayList<>(queue);
      queue.clear();
    }
    for (Pending p : left) {
      p.result.completeExceptionally(new PachydermException("client closed before the command was sent"));
    }
  }
}
