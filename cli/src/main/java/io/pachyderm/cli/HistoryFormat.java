package io.pachyderm.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Ref;
import io.pachyderm.protocol.RequestId;
import java.time.Instant;

/** How {@code history} and {@code follow} print journal records: one line each, text or JSON. */
final class HistoryFormat {
  private HistoryFormat() {}

  /** One printed line: {@link #json} or {@link #text}. */
  static String line(JournalRecord r, boolean json) {
    return json ? json(r) : text(r);
  }

  /** {@code v3  2026-11-23T16:55:01.123Z  Increased {"by":5}  log 12 term 1  <- request 00ab.../7}. */
  static String text(JournalRecord r) {
    return "v" + r.getVersion() + "  " + Instant.ofEpochMilli(r.getTimestampMs()) + "  " + r.getEvent().getType()
        + (r.getEvent().getSchemaVersion() > 1 ? " (schema " + r.getEvent().getSchemaVersion() + ")" : "") + " "
        + Json.render(r.getEvent()) + "  log " + r.getLogIndex() + " term " + r.getTerm() + "  <- " + causation(r);
  }

  /** One JSON object per record (JSON Lines), for tools. */
  static String json(JournalRecord r) {
    ObjectNode o = Json.object();
    o.put("version", r.getVersion());
    o.put("timestamp", Instant.ofEpochMilli(r.getTimestampMs()).toString());
    o.put("eventType", r.getEvent().getType());
    o.put("schemaVersion", r.getEvent().getSchemaVersion());
    o.set("event", Json.tree(r.getEvent()));
    o.put("logIndex", r.getLogIndex());
    o.put("term", r.getTerm());
    o.put("causation", causation(r));
    return Json.write(o);
  }

  static String causation(JournalRecord r) {
    switch (r.getCausationCase()) {
      case MESSAGE:
        return "message " + ref(r.getMessage().getSource()) + "#" + r.getMessage().getSeq();
      case TIMER:
        return "timer '" + r.getTimer().getName() + "' of " + ref(r.getTimer().getOwner()) + "#"
            + r.getTimer().getSeq();
      case REQUEST:
        RequestId id = r.getRequest();
        return "request " + io.pachyderm.api.Causation.requestId(id.getClientHi(), id.getClientLo(), id.getSequence());
      default:
        return "unknown";
    }
  }

  private static String ref(Ref ref) {
    return ref.getType() + "/" + ref.getId();
  }
}
