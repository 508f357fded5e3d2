package io.pachyderm.storage.journal;

import com.google.protobuf.ByteString;
import io.pachyderm.protocol.JournalMessageOrigin;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.JournalTimerOrigin;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.Ref;
import io.pachyderm.protocol.RequestId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic stream of Raft entries and their journal records: the same sequence of calls
 * yields the same records, so a test (or another JVM) can regenerate what should be journaled.
 * Entry i carries 1 + i % 3 events; each event goes to one of {@code refs} entities.
 */
final class Workload {
  private final long[] versions;
  private final int eventBytes;

  Workload(int refs, int eventBytes) {
    this.versions = new long[refs];
    this.eventBytes = eventBytes;
  }

  static Ref ref(int n) {
    return Ref.newBuilder().setEcosystem("default").setType("account").setId("acct-" + n).build();
  }

  /** The records of log entry {@code logIndex}; call with increasing indexes. */
  List<JournalRecord> entry(long logIndex) {
    int events = 1 + (int) (logIndex % 3);
    List<JournalRecord> out = new ArrayList<>(events);
    for (int seq = 0; seq < events; seq++) {
      int n = (int) Math.floorMod(logIndex * 31 + seq * 7, (long) versions.length);
      out.add(record(n, ++versions[n], logIndex, seq, events));
    }
    return out;
  }

  private JournalRecord record(int n, long version, long logIndex, int seq, int events) {
    JournalRecord.Builder b = JournalRecord.newBuilder()
        .setRef(ref(n))
        .setVersion(version)
        .setLogIndex(logIndex)
        .setTerm(1 + logIndex / 1000)
        .setEntrySeq(seq)
        .setEntryEvents(events)
        .setTimestampMs(1_700_000_000_000L + logIndex);
    switch ((int) (logIndex % 3)) {
      case 0:
        b.setRequest(RequestId.newBuilder().setClientHi(7).setClientLo(logIndex).setSequence(seq));
        break;
      case 1:
        b.setMessage(JournalMessageOrigin.newBuilder().setSource(ref(n + 1)).setSeq(logIndex));
        break;
      default:
        b.setTimer(JournalTimerOrigin.newBuilder().setOwner(ref(n)).setName("reminder").setSeq(logIndex));
        break;
    }
    StringBuilder data = new StringBuilder("{\"amount\":").append(logIndex).append(",\"note\":\"");
    while (data.length() < eventBytes - 2) {
      data.append('x');
    }
    data.append("\"}");
    b.setEvent(Payload.newBuilder().setType("Deposited").setSchemaVersion(1)
        .setData(ByteString.copyFrom(data.toString(), StandardCharsets.UTF_8)));
    return b.build();
  }
}
