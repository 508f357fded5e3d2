package io.pachyderm.client;

import io.pachyderm.api.Causation;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.api.PachydermException;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.RequestId;
import java.time.Instant;

/** Journal records (the wire and disk form) to {@link HistoryEvent}s (the API form). */
final class HistoryEvents {
  private HistoryEvents() {}

  static HistoryEvent decode(EntityType<?, ?, ?> type, JournalRecord r) {
    Encoded encoded = Protos.encoded(r.getEvent());
    Object event;
    try {
      event = type.codec().decode(encoded);
    } catch (RuntimeException e) {
      throw new PachydermException("cannot decode event v" + r.getVersion() + " of " + r.getRef().getType() + "/"
          + r.getRef().getId() + " (" + encoded.type() + " schema " + encoded.schemaVersion() + "): "
          + e.getMessage(), e);
    }
    return new HistoryEvent(r.getVersion(), event, encoded, r.getLogIndex(), r.getTerm(),
        Instant.ofEpochMilli(r.getTimestampMs()), causation(r));
  }

  static Causation causation(JournalRecord r) {
    switch (r.getCausationCase()) {
      case MESSAGE:
        return new Causation.Message(EntityRef.of(r.getMessage().getSource().getType(),
            r.getMessage().getSource().getId()), r.getMessage().getSeq());
      case TIMER:
        return new Causation.Timer(EntityRef.of(r.getTimer().getOwner().getType(), r.getTimer().getOwner().getId()),
            r.getTimer().getName(), r.getTimer().getSeq());
      case REQUEST:
        RequestId id = r.getRequest();
        return new Causation.Request(Causation.requestId(id.getClientHi(), id.getClientLo(), id.getSequence()));
      default:
        throw new PachydermException("journal record v" + r.getVersion() + " of " + r.getRef().getType() + "/"
            + r.getRef().getId() + " has no causation");
    }
  }
}
