package io.pachyderm.replica;

import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.JournalMessageOrigin;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.JournalTimerOrigin;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.Ref;
import io.pachyderm.protocol.TimerFire;
import io.pachyderm.runtime.EntityKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What applying one entry has done so far; {@link #applied} turns it into the immutable
 * {@link Applied}. Lives for one {@link Replica#apply} call on the apply thread. Insertion-ordered
 * collections only: everything here reaches the caller in apply order.
 */
final class EntryRun {
  private final long term;
  private final long index;
  private final boolean appendedHere;
  private final boolean journaled;
  private final List<JournalRecord.Builder> journal = new ArrayList<>();
  private final List<Applied.EffectDispatch> dispatch = new ArrayList<>();
  private final List<Outbox.Id> messagesAdded = new ArrayList<>();
  private final List<Outbox.Id> effectsAdded = new ArrayList<>();
  private final List<Applied.TimerScheduled> timersScheduled = new ArrayList<>();
  private final Set<EntityKey> speculationDropped = new LinkedHashSet<>();
  private final Map<EntityKey, Long> versionsCommitted = new LinkedHashMap<>();
  private final List<Applied.Refused> refused = new ArrayList<>();
  private final List<Applied.CommandOutcome> commandOutcomes = new ArrayList<>();
  private Optional<Boolean> effectsPausedSet = Optional.empty();

  EntryRun(long term, long index, boolean appendedHere, boolean journaled) {
    this.term = term;
    this.index = index;
    this.appendedHere = appendedHere;
    this.journaled = journaled;
  }

  long term() {
    return term;
  }

  long index() {
    return index;
  }

  /** The entry, as broken-invariant errors name it (Ratis' TermIndex form). */
  String where() {
    return "(t:" + term + ", i:" + index + ")";
  }

  /** One journal record per event of {@code record}; entry_seq and entry_events are set per entry. */
  void journal(Record record, long versionBefore) {
    if (!journaled) {
      return;
    }
    for (int i = 0; i < record.getEventsCount(); i++) {
      JournalRecord.Builder r = JournalRecord.newBuilder()
          .setRef(record.getRef())
          .setVersion(versionBefore + i + 1)
          .setLogIndex(index)
          .setTerm(term)
          .setTimestampMs(record.getTimestampMs())
          .setEvent(record.getEvents(i));
      if (record.hasDelivery()) {
        r.setMessage(JournalMessageOrigin.newBuilder().setSource(record.getDelivery().getSource())
            .setSeq(record.getDelivery().getSeq()));
      } else if (record.hasTimerFire()) {
        TimerFire fire = record.getTimerFire();
        r.setTimer(JournalTimerOrigin.newBuilder().setOwner(fire.getOwner()).setName(fire.getName())
            .setSeq(fire.getSeq()));
      } else {
        r.setRequest(record.getRequestId());
      }
      journal.add(r);
    }
  }

  void dispatch(Applied.EffectDispatch effect) {
    if (appendedHere) {
      dispatch.add(effect);
    }
  }

  void messageAdded(Outbox.Id id) {
    messagesAdded.add(id);
  }

  void effectAdded(Outbox.Id id) {
    effectsAdded.add(id);
  }

  void timerScheduled(Applied.TimerScheduled timer) {
    timersScheduled.add(timer);
  }

  void dropSpeculation(EntityKey key) {
    if (appendedHere) {
      speculationDropped.add(key);
    }
  }

  void versionCommitted(EntityKey key, long version) {
    versionsCommitted.put(key, version);
  }

  void refused(String item, EntityKey receiver, String reason) {
    if (appendedHere) {
      refused.add(new Applied.Refused(item, receiver, reason));
    }
  }

  void commandOutcome(Ref ref, Outcome outcome) {
    commandOutcomes.add(new Applied.CommandOutcome(ref, outcome));
  }

  void effectsPausedSet(boolean paused) {
    effectsPausedSet = Optional.of(paused);
  }

  Applied applied(BatchReply reply, int records) {
    List<JournalRecord> records0 = new ArrayList<>(journal.size());
    int events = journal.size();
    for (int seq = 0; seq < events; seq++) {
      records0.add(journal.get(seq).setEntrySeq(seq).setEntryEvents(events).build());
    }
    return new Applied(reply, List.copyOf(records0), List.copyOf(dispatch), List.copyOf(messagesAdded),
        List.copyOf(effectsAdded), List.copyOf(timersScheduled), unmodifiable(speculationDropped),
        java.util.Collections.unmodifiableMap(versionsCommitted), List.copyOf(refused), List.copyOf(commandOutcomes),
        records, effectsPausedSet);
  }

  private static <T> Set<T> unmodifiable(Set<T> set) {
    return java.util.Collections.unmodifiableSet(set);
  }
}
