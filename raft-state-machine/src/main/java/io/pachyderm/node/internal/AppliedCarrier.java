package io.pachyderm.node.internal;

import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Protos;
import io.pachyderm.replica.Applied;
import io.pachyderm.replica.Outbox;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.storage.journal.EventJournal;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.ratis.server.protocol.TermIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs the IO an applied entry asks for, on the apply thread, in this order: the leader's work
 * loop hears of new outbox items, at-most-once effects are dispatched, the node logs what receivers
 * rejected, metrics count, and the events go to the journal (waking the history followers).
 */
final class AppliedCarrier {
  private static final Logger LOG = LoggerFactory.getLogger(AppliedCarrier.class);

  private final String nodeId;
  private final LeaderWork leaderWork;
  private final EffectDispatcher effects;
  private final NodeMetrics metrics;
  private final HistoryWaiters historyWaiters;
  private final Supplier<EventJournal> journal;

  /** @param journal the journal now, null when the node keeps none */
  AppliedCarrier(String nodeId, LeaderWork leaderWork, EffectDispatcher effects, NodeMetrics metrics,
                 HistoryWaiters historyWaiters, Supplier<EventJournal> journal) {
    this.nodeId = nodeId;
    this.leaderWork = leaderWork;
    this.effects = effects;
    this.metrics = metrics;
    this.historyWaiters = historyWaiters;
    this.journal = journal;
  }

  /** @param appendedBy the leader's context when this node appended the entry, else null */
  void carry(Applied applied, TermIndex termIndex, LeaderBatch appendedBy) {
    for (Outbox.Id id : applied.messagesAdded()) {
      leaderWork.messageAdded(id);
    }
    for (Outbox.Id id : applied.effectsAdded()) {
      leaderWork.effectAdded(id);
    }
    for (Applied.TimerScheduled t : applied.timersScheduled()) {
      leaderWork.timerScheduled(t.key(), t.seq(), t.dueMs());
    }
    for (Applied.EffectDispatch d : applied.effectsToDispatch()) {
      effects.dispatch(d.source(), d.version(), d.logIndex(), d.term(), d.effect(), d.seq());
    }
    for (Applied.Refused r : applied.refused()) {
      LOG.warn("{}: {} rejected by {}: {}", nodeId, r.item(), r.receiver(), r.reason());
    }
    if (appendedBy != null) {
      long latencyNs = System.nanoTime() - appendedBy.arrivalNs;
      for (Applied.CommandOutcome c : applied.commandOutcomes()) {
        metrics.commandApplied(c.ref().getEcosystem(), c.ref().getType(), c.outcome(), latencyNs);
      }
      if (applied.records() > 0) {
        metrics.entryApplied(applied.records());
      }
    }
    applied.effectsPausedSet().ifPresent(paused -> {
      leaderWork.effectsPaused(paused);
      LOG.info("{}: at-least-once effects {} at log index {}", nodeId, paused ? "paused" : "resumed",
          termIndex.getIndex());
    });
    journal(applied, termIndex);
  }

  /**
   * Appends the entry's records to the journal (replayed ones are skipped) and wakes the followers
   * of their entities. A journal that refuses a record would hold a history other than the log's:
   * that stops this replica, like any other broken apply invariant.
   */
  private void journal(Applied applied, TermIndex termIndex) {
    EventJournal j = journal.get();
    if (j == null || applied.journalRecords().isEmpty()) {
      return;
    }
    try {
      // One call per entry: the disk kind of journal index writes the entry's rows in one batch.
      int appended = j.appendEntry(applied.journalRecords());
      metrics.journalAppended(appended);
      // Checked after appending: a reader parks first and looks at the journal again after, so
      // either it sees these records or this sees it parked. No follower parked: nothing to pay.
      if (historyWaiters.parkedCount() > 0) {
        Set<EntityKey> touched = new LinkedHashSet<>();
        for (JournalRecord r : applied.journalRecords()) {
          touched.add(Protos.key(r.getRef()));
        }
        for (EntityKey key : touched) {
          historyWaiters.wake(key);
        }
      }
    } catch (RuntimeException e) {
      throw new IllegalStateException(nodeId + ": journaling entry " + termIndex + " failed: " + e.getMessage(), e);
    }
  }
}
