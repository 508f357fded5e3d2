package io.pachyderm.node.internal;

import io.pachyderm.replica.Outbox;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.Delivery;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.Protos;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the applied outbox's messages into delivery proposals, in outbox order, one proposal in
 * flight at a time of at most {@link WorkLoop#ITEMS_PER_PROPOSAL_MAX} messages. The items the
 * state machine answers {@code RETRY} go out again first, still in order; a failed proposal (a
 * full proposer queue, a lost leadership) is proposed again after a pause.
 *
 * <p>Bounds: the queue mirrors the replicated outbox (one entry per pending message, never two:
 * {@code queued} is its index), so it holds at most {@code outboxItemsMax} ids.
 *
 * <p>Not thread-safe: touched on the leader's work loop only.
 */
final class DeliveryPump {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryPump.class);
  /** After a batch of which every item must be retried (the receivers' lanes were busy). */
  static final long RETRY_PAUSE_MS = 20;
  /** After a proposal that failed. */
  static final long FAILURE_PAUSE_MS = 200;

  private final String nodeId;
  private final Outbox outbox;
  private final LeaderWork.Submitter submitter;
  private final WorkLoop loop;
  private final ArrayDeque<Outbox.Id> deliveries = new ArrayDeque<>();
  private final Set<Outbox.Id> queued = new HashSet<>();
  private boolean inFlight;

  DeliveryPump(String nodeId, Outbox outbox, LeaderWork.Submitter submitter, WorkLoop loop) {
    this.nodeId = nodeId;
    this.outbox = outbox;
    this.submitter = submitter;
    this.loop = loop;
  }

  /** Forgets everything: a new leadership starts from the outbox. */
  void reset() {
    deliveries.clear();
    queued.clear();
    inFlight = false;
  }

  /** Queues every message of the outbox not queued yet, then proposes; returns how many the outbox holds. */
  int takeOver() {
    int messages = 0;
    for (Map.Entry<Outbox.Id, PendingMessage> entry : outbox.messages()) {
      if (queued.add(entry.getKey())) {
        deliveries.addLast(entry.getKey());
      }
      messages++;
    }
    pump(); // after the whole scan, so that the backlog goes out in full batches
    return messages;
  }

  void messageAdded(Outbox.Id id) {
    if (loop.active() && queued.add(id)) {
      deliveries.addLast(id);
      pump();
    }
  }

  private void pump() {
    if (!loop.active() || inFlight || deliveries.isEmpty()) {
      return;
    }
    List<Outbox.Id> batch = new ArrayList<>();
    CommandBatch.Builder proposal = CommandBatch.newBuilder();
    while (!deliveries.isEmpty() && batch.size() < WorkLoop.ITEMS_PER_PROPOSAL_MAX) {
      Outbox.Id id = deliveries.pollFirst();
      queued.remove(id);
      batch.add(id);
      proposal.addDeliveries(Delivery.newBuilder().setSource(Protos.ref(id.source())).setSeq(id.seq()));
    }
    inFlight = true;
    loop.whenDone(submitter.submit(proposal.build()), (reply, error) -> {
      inFlight = false;
      List<Outbox.Id> again = error != null ? batch : WorkLoop.retried(batch, reply);
      for (int i = again.size() - 1; i >= 0; i--) {
        if (queued.add(again.get(i))) {
          deliveries.addFirst(again.get(i));
        }
      }
      if (error != null) {
        LOG.debug("{}: delivery batch failed, retrying: {}", nodeId, error.toString());
        loop.later(FAILURE_PAUSE_MS, this::pump);
      } else if (again.size() == batch.size()) {
        loop.later(RETRY_PAUSE_MS, this::pump);
      } else {
        pump();
      }
    });
  }
}
