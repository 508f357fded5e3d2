package io.pachyderm.node.internal;

import io.pachyderm.replica.Outbox;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.Delivery;
import io.pachyderm.protocol.Protos;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the applied outbox's messages into delivery proposals, in outbox order, one proposal in
 * flight at a time of at most {@link WorkLoop#ITEMS_PER_PROPOSAL_MAX} messages. The items the
 * state machine answers {@code RETRY} go out again first, still in order; a failed proposal (a
 * full proposer queue, a lost leadership) is proposed again after a pause.
 *
 * <p>Bounds: the pump holds at most {@link #WINDOW_ITEMS_MAX} ids (queued, in flight or waiting to
 * be retried; {@code held} indexes them, so no id is held twice), never the whole outbox. It reads
 * the outbox in key order from a cursor, the last id read, a page at a time once it holds less than
 * half a window; a new leadership starts from the outbox's beginning. A message applied after the
 * scan came to the end (or before its cursor) is handed over and queued, in applied order; when the
 * window is full it is not, and the pump makes one more pass from the beginning once this one ends
 * (so does a rescan asked for during a pass). The state machine keeps exactly-once and the pair
 * order whatever the pump proposes: a delivered message is {@code GONE}, one behind an older
 * pending message of its pair is {@code RETRY}.
 *
 * <p>Not thread-safe: touched on the leader's work loop only.
 */
final class DeliveryPump {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryPump.class);
  /** After a batch of which every item must be retried (the receivers' lanes were busy). */
  static final long RETRY_PAUSE_MS = 20;
  /** After a proposal that failed. */
  static final long FAILURE_PAUSE_MS = 200;
  /** Message ids the pump holds at most: ~100 B each. */
  static final int WINDOW_ITEMS_MAX = 4_096;

  private final String nodeId;
  private final Outbox outbox;
  private final LeaderWork.Submitter submitter;
  private final WorkLoop loop;
  /** Ids to propose, in order. */
  private final ArrayDeque<Outbox.Id> deliveries = new ArrayDeque<>();
  /** Every id held: those in {@link #deliveries} and those in the proposal in flight. */
  private final Set<Outbox.Id> held = new HashSet<>();
  private int windowItemsMax = WINDOW_ITEMS_MAX;
  /** The pass over the outbox, a page at a time. */
  private final OutboxScan scan;
  private int heldPeak;
  private boolean inFlight;

  DeliveryPump(String nodeId, Outbox outbox, LeaderWork.Submitter submitter, WorkLoop loop) {
    this.nodeId = nodeId;
    this.outbox = outbox;
    this.scan = new OutboxScan(outbox::messageIdsAfter);
    this.submitter = submitter;
    this.loop = loop;
  }

  /** Forgets everything: a new leadership starts from the outbox. */
  void reset() {
    deliveries.clear();
    held.clear();
    scan.reset();
    inFlight = false;
  }

  /**
   * Scans the outbox from its beginning (a new leadership; or hand-overs were dropped: then after
   * the pass under way, if any), then proposes; returns how many messages the outbox holds.
   */
  int takeOver() {
    scan.rescan();
    pump();
    return outbox.messageCount();
  }

  void messageAdded(Outbox.Id id) {
    if (!loop.active() || held.contains(id)) {
      return;
    }
    boolean scanWillReadIt = scan.willRead(id);
    if (!scanWillReadIt) {
      if (held.size() < windowItemsMax) {
        held.add(id);
        deliveries.addLast(id);
      } else {
        scan.passOverlooked();
      }
    }
    pump();
  }

  /** Tests: the window's size, set before the leadership starts. */
  void windowItemsMax(int max) {
    if (max < 2) {
      throw new IllegalArgumentException("a delivery window holds at least 2 ids, got " + max);
    }
    windowItemsMax = max;
  }

  /** Ids held now: queued, in flight or waiting to be retried. */
  int heldItems() {
    return held.size();
  }

  /** The most ids held at once since this pump was made. */
  int heldItemsPeak() {
    return heldPeak;
  }

  /** Reads the next page of the outbox's messages once less than half a window is held. */
  private void refill() {
    int room = windowItemsMax - held.size();
    if (room < windowItemsMax / 2) {
      return;
    }
    for (Outbox.Id id : scan.next(room)) {
      if (held.add(id)) {
        deliveries.addLast(id);
      }
    }
    heldPeak = Math.max(heldPeak, held.size());
  }

  private void pump() {
    if (!loop.active() || inFlight) {
      return;
    }
    refill();
    heldPeak = Math.max(heldPeak, held.size());
    if (deliveries.isEmpty()) {
      return;
    }
    List<Outbox.Id> batch = new ArrayList<>();
    CommandBatch.Builder proposal = CommandBatch.newBuilder();
    while (!deliveries.isEmpty() && batch.size() < WorkLoop.ITEMS_PER_PROPOSAL_MAX) {
      Outbox.Id id = deliveries.pollFirst();
      batch.add(id);
      proposal.addDeliveries(Delivery.newBuilder().setSource(Protos.ref(id.source())).setSeq(id.seq()));
    }
    inFlight = true;
    loop.whenDone(submitter.submit(proposal.build()), (reply, error) -> {
      inFlight = false;
      List<Outbox.Id> again = error != null ? batch : WorkLoop.retried(batch, reply);
      for (Outbox.Id id : batch) {
        held.remove(id);
      }
      // The retried ones go out again first, still in order (they stay held: no scan adds them twice).
      for (int i = again.size() - 1; i >= 0; i--) {
        held.add(again.get(i));
        deliveries.addFirst(again.get(i));
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
