package io.pachyderm.replica;

import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.Effect;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Ref;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What applying one log entry did, as data (etcd-raft's {@code Ready} is the model): the replica
 * changed its state; everything else is left to the caller, which performs the IO. Immutable.
 *
 * @param reply the entry's reply, the same on every replica (Ratis answers a client retrying after a
 *     leader change from any replica's retry cache)
 * @param journalRecords one record per event the entry applied, in order, with {@code entry_seq}
 *     and {@code entry_events} set
 * @param effectsToDispatch at-most-once effects to run now: only when the entry was appended here
 * @param messagesAdded outbox messages the entry added, for the leader's delivery loop
 * @param effectsAdded at-least-once effects the entry added or redrove from the dead letters
 * @param timersScheduled timers the entry scheduled (or replaced)
 * @param speculationDropped entities whose leader speculation is stale (a conflict, a refusal, a
 *     record that did not run): only when the entry was appended here
 * @param versionsCommitted the version each entity with events reached, in apply order: leader
 *     speculation at or below it has been caught up with
 * @param refused messages and timer commands the receiving entity rejected (consumed, nothing
 *     applied): only when the entry was appended here, for the node's warnings
 * @param commandOutcomes the outcome of each client command record that ran (not a lookup)
 * @param records records in the entry
 * @param effectsPausedSet the operator's setting, when an admin action in the entry changed it
 */
public record Applied(BatchReply reply, List<JournalRecord> journalRecords, List<EffectDispatch> effectsToDispatch,
                      List<Outbox.Id> messagesAdded, List<Outbox.Id> effectsAdded,
                      List<TimerScheduled> timersScheduled, Set<EntityKey> speculationDropped,
                      Map<EntityKey, Long> versionsCommitted, List<Refused> refused,
                      List<CommandOutcome> commandOutcomes, int records, Optional<Boolean> effectsPausedSet) {

  /** An at-most-once effect of {@code source} at {@code version}, entry {@code (term, logIndex)}. */
  public record EffectDispatch(EntityKey source, long version, long logIndex, long term, Effect effect, long seq) {}

  /** A timer scheduled under {@code key} with outbox sequence {@code seq}, due at {@code dueMs} (log time). */
  public record TimerScheduled(TimerKey key, long seq, long dueMs) {}

  /**
   * An outbox item whose command {@code receiver} rejected.
   *
   * @param item what it was, e.g. {@code message default/a/1#3} or {@code timer 'tick' of default/a/1}
   */
  public record Refused(String item, EntityKey receiver, String reason) {}

  /** A client command's outcome, for the node's per-type metrics. */
  public record CommandOutcome(Ref ref, Outcome outcome) {}
}
