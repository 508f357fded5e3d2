package io.pachyderm.chaos.checker;

import io.pachyderm.chaos.history.History;
import io.pachyderm.chaos.history.Op;
import io.pachyderm.chaos.history.OpPair;
import io.pachyderm.chaos.history.OpType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Judges what followers and journals showed of a few append-log entities: <b>every follower's
 * stream is a gap-free prefix of the entity's final history</b>, and every node's journal holds
 * the same records.
 *
 * <p>The final history of each entity (read linearizably after healing) is the reference:
 *
 * <ul>
 *   <li>the final history itself has versions {@code 1..n}, each element appended once
 *       ({@link Anomaly#DUPLICATE}), by an append that was invoked ({@link Anomaly#PHANTOM_ELEMENT})
 *       and not refused ({@link Anomaly#FAILED_WRITE_VISIBLE}); every acknowledged append is in it
 *       ({@link Anomaly#LOST_WRITE}); every node's final read counts {@code n} events
 *       ({@link Anomaly#DIVERGENT_FINAL_READS});
 *   <li>a follower's stream starts where it was asked to (version 1, or the current state for a
 *       follow from the current state) and goes on one version at a time ({@link Anomaly#FOLLOW_GAP},
 *       {@link Anomaly#FOLLOW_DUPLICATE}); each event is the final history's at that version, same
 *       payload bytes, log index and term ({@link Anomaly#FOLLOW_DIVERGED}); each state is the fold of
 *       the final history up to that version ({@link Anomaly#FOLLOW_STATE_MISMATCH}); and every
 *       follower reached the final version ({@link Anomaly#FOLLOW_STALLED});
 *   <li>each node's journal of each entity is contiguous from its first record
 *       ({@link Anomaly#JOURNAL_GAP}) to the final version ({@link Anomaly#JOURNAL_INCOMPLETE}), each
 *       record byte-equal to every other node's record of that version and to the final history
 *       ({@link Anomaly#JOURNAL_DIVERGED}). A node's journal may start after version 1: a node that
 *       got a snapshot installed lacks the events the snapshot covers (JOURNAL.md, gap markers);
 *       that is counted ({@code journalsStartingLater}), not an anomaly.
 * </ul>
 *
 * <p>Thread-safe (immutable); the observations are collected by the workload before the check.
 */
public final class FollowChecker implements Checker {
  public static final String NAME = "follow";
  private static final int ANOMALIES_PER_KIND_MAX = 20;

  /**
   * One event as a reader saw it.
   *
   * @param version the entity's version after the event (>= 1)
   * @param eventType the payload's type name
   * @param payload the payload's codec bytes
   * @param element the element the event appended (decoded)
   * @param record the whole journal record's bytes when read from one node's journal; null otherwise
   */
  public record Event(long version, long logIndex, long term, String eventType, byte[] payload, long element,
                      byte[] record) {
    public Event {
      Objects.requireNonNull(eventType, "eventType");
      Objects.requireNonNull(payload, "payload");
    }

    /** Same version, log index, term, type and payload bytes (the record bytes are not compared). */
    boolean sameEvent(Event o) {
      return version == o.version && logIndex == o.logIndex && term == o.term && eventType.equals(o.eventType)
          && Arrays.equals(payload, o.payload);
    }

    String brief() {
      return "v" + version + " (log " + logIndex + ", term " + term + ", element " + element + ", "
          + payload.length + " bytes)";
    }
  }

  /**
   * What a follower's {@code poll} returned.
   *
   * @param event null for the starting state of a follow from the current state
   * @param state the state the follower reported, null when states were not asked for
   */
  public record Change(long version, Event event, Object state) {}

  /**
   * One follow session, from {@code follow(...)} to {@code close()}.
   *
   * @param follower the follower's name; a follower runs one session after another
   * @param requestedFrom the version asked for, or 0 for a follow from the current state
   * @param changes what {@code poll} returned, in order (the first {@code changes.size()} ones)
   * @param changesDropped changes received beyond what the workload keeps (counted, not checked)
   * @param lastVersion {@code Follow.lastVersion()} when the session ended
   * @param endedBy why the session ended early (an exception), or null
   */
  public record Stream(String follower, String key, long requestedFrom, boolean withStates, List<Change> changes,
                       long changesDropped, long lastVersion, String endedBy) {
    public Stream {
      changes = List.copyOf(changes);
    }
  }

  /**
   * One node's journal of one entity, read page by page from that node alone.
   *
   * @param firstVersion the oldest version the node holds, 0 for none
   * @param lastVersion the entity's applied version on that node
   * @param records every record the node returned, in order
   * @param error why the journal could not be read in full, or null
   */
  public record NodeJournal(String node, String key, long firstVersion, long lastVersion, List<Event> records,
                            String error) {
    public NodeJournal {
      records = List.copyOf(records);
    }
  }

  /**
   * Everything the followers and the final reads saw.
   *
   * @param finalHistories per key, the events from version 1 as a linearizable history read returned them
   * @param finalHistoryErrors per key whose final history could not be read, why
   */
  public record Observations(Map<String, List<Event>> finalHistories, Map<String, String> finalHistoryErrors,
                             List<Stream> streams, List<NodeJournal> journals) {
    public Observations {
      finalHistories = Map.copyOf(finalHistories);
      finalHistoryErrors = Map.copyOf(finalHistoryErrors);
      streams = List.copyOf(streams);
      journals = List.copyOf(journals);
    }
  }

  /** The entity's fold, for comparing followers' states: {@code apply} must be deterministic. */
  public interface Fold {
    Object initial();

    Object apply(Object state, Event event);
  }

  private final Observations observations;
  private final Fold fold;

  public FollowChecker(Observations observations, Fold fold) {
    this.observations = Objects.requireNonNull(observations, "observations");
    this.fold = Objects.requireNonNull(fold, "fold");
  }

  @Override
  public Verdict check(History history) {
    CappedAnomalies anomalies = new CappedAnomalies(ANOMALIES_PER_KIND_MAX);
    Map<String, Object> stats = new LinkedHashMap<>();
    Map<String, Reference> references = new TreeMap<>();
    for (Map.Entry<String, List<Event>> e : new TreeMap<>(observations.finalHistories()).entrySet()) {
      references.put(e.getKey(), Reference.of(e.getKey(), e.getValue(), fold, anomalies));
    }
    for (Map.Entry<String, String> e : new TreeMap<>(observations.finalHistoryErrors()).entrySet()) {
      anomalies.add(Anomaly.JOURNAL_UNREAD, e.getKey(), "the final history could not be read: " + e.getValue());
    }
    long appendsOk = checkWrites(history, references, anomalies);
    long finalReads = checkFinalReads(history, references, anomalies);
    StreamStats s = checkStreams(references, anomalies);
    JournalStats j = checkJournals(references, anomalies);

    long events = 0;
    for (Reference r : references.values()) {
      events += r.events.size();
    }
    stats.put("keys", references.size());
    stats.put("eventsFinal", events);
    stats.put("appendsOk", appendsOk);
    stats.put("finalReads", finalReads);
    stats.put("followers", s.followers);
    stats.put("streams", observations.streams().size());
    stats.put("followerChanges", s.changes);
    stats.put("startingStates", s.startingStates);
    stats.put("streamsEndedByError", s.endedByError);
    stats.put("changesDropped", s.dropped);
    stats.put("nodeJournals", j.journals);
    stats.put("journalRecordsCompared", j.records);
    stats.put("journalsStartingLater", j.startingLater);
    if (!j.laterStarts.isEmpty()) {
      stats.put("laterStarts", String.join(", ", j.laterStarts));
    }
    if (anomalies.suppressed() > 0) {
      stats.put("anomaliesNotListed", anomalies.suppressed());
    }
    return Verdict.of(NAME, anomalies.listed(), stats);
  }

  /** The final history of one key, indexed: events by version and the states after each. */
  private static final class Reference {
    final String key;
    final List<Event> events;
    /** {@code states.get(v)}: the fold of versions 1..v; only as far as the history is contiguous. */
    final List<Object> states = new ArrayList<>();

    private Reference(String key, List<Event> events) {
      this.key = key;
      this.events = events;
    }

    static Reference of(String key, List<Event> events, Fold fold, CappedAnomalies anomalies) {
      List<Event> contiguous = new ArrayList<>(events.size());
      List<Object> states = new ArrayList<>(events.size() + 1);
      Object state = fold.initial();
      states.add(state);
      for (Event e : events) {
        if (e.version() != contiguous.size() + 1) {
          anomalies.add(Anomaly.JOURNAL_GAP, key, "the final history has " + e.brief() + " at position "
              + (contiguous.size() + 1) + "; it is judged only up to v" + contiguous.size());
          break;
        }
        state = fold.apply(state, e);
        contiguous.add(e);
        states.add(state);
      }
      Reference r = new Reference(key, List.copyOf(contiguous));
      r.states.addAll(states);
      return r;
    }

    long finalVersion() {
      return events.size();
    }

    /** The final history's event at {@code version}, or null when it has none. */
    Event at(long version) {
      return version >= 1 && version <= events.size() ? events.get((int) (version - 1)) : null;
    }
  }

  /** Acknowledged appends kept, every kept element appended once by an invoked, unrefused append. */
  private static long checkWrites(History history, Map<String, Reference> references, CappedAnomalies anomalies) {
    Map<String, Map<Long, OpPair>> appends = new TreeMap<>();
    long ok = 0;
    for (OpPair pair : history.pairs()) {
      if (!Op.APPEND.equals(pair.f()) || !(pair.invoke().value() instanceof Long element)) {
        continue;
      }
      appends.computeIfAbsent(pair.key(), k -> new HashMap<>()).put(element, pair);
      if (pair.outcome() == OpType.OK) {
        ok++;
      }
    }
    for (Reference r : references.values()) {
      Map<Long, OpPair> invoked = appends.getOrDefault(r.key, Map.of());
      Set<Long> seen = new HashSet<>();
      for (Event e : r.events) {
        if (!seen.add(e.element())) {
          anomalies.add(Anomaly.DUPLICATE, r.key, "element " + e.element() + " is in the final history twice, again at "
              + e.brief());
          continue;
        }
        OpPair pair = invoked.get(e.element());
        if (pair == null) {
          anomalies.add(Anomaly.PHANTOM_ELEMENT, r.key, "element " + e.element() + " at " + e.brief()
              + " was never appended to " + r.key);
        } else if (pair.outcome() == OpType.FAIL) {
          anomalies.add(Anomaly.FAILED_WRITE_VISIBLE, r.key, pair.brief() + " failed but is at " + e.brief());
        }
      }
      for (Map.Entry<Long, OpPair> a : new TreeMap<>(invoked).entrySet()) {
        if (a.getValue().outcome() == OpType.OK && !seen.contains(a.getKey())) {
          anomalies.add(Anomaly.LOST_WRITE, r.key, a.getValue().brief() + " was acknowledged but its element is not "
              + "in the final history (" + r.finalVersion() + " events)");
        }
      }
    }
    for (Map.Entry<String, Map<Long, OpPair>> e : appends.entrySet()) {
      if (!references.containsKey(e.getKey()) && !e.getValue().isEmpty()
          && !e.getValue().values().stream().allMatch(p -> p.outcome() == OpType.FAIL)) {
        anomalies.add(Anomaly.JOURNAL_UNREAD, e.getKey(), "appends were made but there is no final history to judge");
      }
    }
    return ok;
  }

  /** Every node's final read (a count) equals the final history's length. */
  private static long checkFinalReads(History history, Map<String, Reference> references, CappedAnomalies anomalies) {
    long reads = 0;
    for (Op op : history.ops()) {
      if (!Op.FINAL_READ.equals(op.f()) || !op.isOk()) {
        continue;
      }
      reads++;
      Reference r = references.get(op.key());
      if (r != null && !Long.valueOf(r.finalVersion()).equals(op.value())) {
        anomalies.add(Anomaly.DIVERGENT_FINAL_READS, op.key(), "node " + op.node() + " counts " + op.value()
            + " events; the final history has " + r.finalVersion());
      }
    }
    return reads;
  }

  private static final class StreamStats {
    long followers;
    long changes;
    long startingStates;
    long endedByError;
    long dropped;
  }

  private StreamStats checkStreams(Map<String, Reference> references, CappedAnomalies anomalies) {
    StreamStats s = new StreamStats();
    Map<String, Long> reachedByFollower = new TreeMap<>();
    Map<String, String> keyByFollower = new HashMap<>();
    for (Stream stream : observations.streams()) {
      s.changes += stream.changes().size();
      s.dropped += stream.changesDropped();
      if (stream.endedBy() != null) {
        s.endedByError++;
      }
      keyByFollower.put(stream.follower(), stream.key());
      reachedByFollower.merge(stream.follower(), stream.lastVersion(), Math::max);
      Reference r = references.get(stream.key());
      if (r == null) {
        continue; // no final history: reported once for the key
      }
      s.startingStates += checkStream(stream, r, anomalies);
    }
    s.followers = reachedByFollower.size();
    for (Map.Entry<String, Long> e : reachedByFollower.entrySet()) {
      Reference r = references.get(keyByFollower.get(e.getKey()));
      if (r != null && e.getValue() < r.finalVersion()) {
        anomalies.add(Anomaly.FOLLOW_STALLED, r.key, "follower " + e.getKey() + " reached version " + e.getValue()
            + " of " + r.finalVersion());
      }
    }
    return s;
  }

  /** Checks one stream against the final history; returns the starting states it held (0 or 1). */
  private long checkStream(Stream stream, Reference r, CappedAnomalies anomalies) {
    String who = "follower " + stream.follower() + " (from " + (stream.requestedFrom() == 0 ? "current"
        : "v" + stream.requestedFrom()) + ")";
    long startingStates = 0;
    long previous = -1;
    for (int i = 0; i < stream.changes().size(); i++) {
      Change c = stream.changes().get(i);
      if (c.event() == null) {
        if (i != 0 || stream.requestedFrom() != 0) {
          anomalies.add(Anomaly.FOLLOW_DIVERGED, r.key, who + " returned a starting state (v" + c.version()
              + ") as change " + (i + 1) + "; only the first change of a follow from the current state is one");
        }
        startingStates++;
      } else if (c.event().version() != c.version()) {
        anomalies.add(Anomaly.FOLLOW_DIVERGED, r.key, who + " returned change v" + c.version() + " carrying event "
            + c.event().brief());
      }
      if (i == 0) {
        if (stream.requestedFrom() != 0 && c.version() != stream.requestedFrom()) {
          anomalies.add(c.version() > stream.requestedFrom() ? Anomaly.FOLLOW_GAP : Anomaly.FOLLOW_DUPLICATE, r.key,
              who + " started at v" + c.version());
        }
      } else if (c.version() <= previous) {
        anomalies.add(Anomaly.FOLLOW_DUPLICATE, r.key, who + " returned v" + c.version() + " after v" + previous);
      } else if (c.version() != previous + 1) {
        anomalies.add(Anomaly.FOLLOW_GAP, r.key, who + " jumped from v" + previous + " to v" + c.version()
            + " (missed " + (c.version() - previous - 1) + ")");
      }
      previous = c.version();
      if (c.version() > r.finalVersion()) {
        anomalies.add(Anomaly.FOLLOW_DIVERGED, r.key, who + " returned v" + c.version() + " but the final history ends "
            + "at v" + r.finalVersion() + (c.event() == null ? "" : ": " + c.event().brief()));
        continue;
      }
      Event expected = r.at(c.version());
      if (c.event() != null && expected != null && !c.event().sameEvent(expected)) {
        anomalies.add(Anomaly.FOLLOW_DIVERGED, r.key, who + " returned " + c.event().brief() + "; the final history has "
            + expected.brief());
      }
      boolean stateWanted = stream.withStates() || c.event() == null;
      if (stateWanted && c.version() < r.states.size() && !Objects.equals(c.state(), r.states.get((int) c.version()))) {
        anomalies.add(Anomaly.FOLLOW_STATE_MISMATCH, r.key, who + " reported state " + c.state() + " at v" + c.version()
            + "; folding the final history gives " + r.states.get((int) c.version()));
      }
    }
    return startingStates;
  }

  private static final class JournalStats {
    long journals;
    long records;
    long startingLater;
    final List<String> laterStarts = new ArrayList<>();
  }

  private JournalStats checkJournals(Map<String, Reference> references, CappedAnomalies anomalies) {
    JournalStats j = new JournalStats();
    Map<String, List<NodeJournal>> byKey = new TreeMap<>();
    for (NodeJournal nj : observations.journals()) {
      byKey.computeIfAbsent(nj.key(), k -> new ArrayList<>()).add(nj);
    }
    for (Map.Entry<String, List<NodeJournal>> e : byKey.entrySet()) {
      Reference r = references.get(e.getKey());
      // Per version, the first node's record bytes: every other node's must be equal.
      Map<Long, Event> firstSeen = new HashMap<>();
      Map<Long, String> firstNode = new HashMap<>();
      Set<String> nodes = new TreeSet<>();
      for (NodeJournal nj : e.getValue()) {
        j.journals++;
        nodes.add(nj.node());
        String where = "node " + nj.node();
        if (nj.error() != null) {
          anomalies.add(Anomaly.JOURNAL_UNREAD, nj.key(), where + ": " + nj.error());
        }
        long previous = -1;
        for (Event rec : nj.records()) {
          j.records++;
          if (previous >= 0 && rec.version() <= previous) {
            anomalies.add(Anomaly.JOURNAL_DIVERGED, nj.key(), where + " returned v" + rec.version() + " after v"
                + previous + " (a duplicate or a step back)");
          } else if (previous >= 0 && rec.version() != previous + 1) {
            anomalies.add(Anomaly.JOURNAL_GAP, nj.key(), where + " jumped from v" + previous + " to v" + rec.version());
          }
          previous = rec.version();
          Event expected = r == null ? null : r.at(rec.version());
          if (r != null && expected == null) {
            anomalies.add(Anomaly.JOURNAL_DIVERGED, nj.key(), where + " holds " + rec.brief()
                + " beyond the final history's v" + r.finalVersion());
          } else if (expected != null && !rec.sameEvent(expected)) {
            anomalies.add(Anomaly.JOURNAL_DIVERGED, nj.key(), where + " holds " + rec.brief()
                + "; the final history has " + expected.brief());
          }
          Event other = firstSeen.putIfAbsent(rec.version(), rec);
          if (other == null) {
            firstNode.put(rec.version(), nj.node());
          } else if (!Arrays.equals(other.record(), rec.record())) {
            anomalies.add(Anomaly.JOURNAL_DIVERGED, nj.key(), where + "'s record of v" + rec.version()
                + " differs from node " + firstNode.get(rec.version()) + "'s: " + rec.brief() + " vs " + other.brief());
          }
        }
        long first = nj.records().isEmpty() ? 0 : nj.records().get(0).version();
        if (first > 1) {
          j.startingLater++;
          j.laterStarts.add(nj.node() + ":" + nj.key() + " from v" + first);
        }
        if (r != null && nj.error() == null && Math.max(0, previous) < r.finalVersion()) {
          anomalies.add(Anomaly.JOURNAL_INCOMPLETE, nj.key(), where + "'s journal ends at v" + Math.max(0, previous)
              + " (applied v" + nj.lastVersion() + "); the final history ends at v" + r.finalVersion());
        }
      }
      if (r != null) {
        // Every version of the final history must be held by some node.
        for (long v = 1; v <= r.finalVersion(); v++) {
          if (!firstSeen.containsKey(v) && !nodes.isEmpty()) {
            anomalies.add(Anomaly.JOURNAL_GAP, e.getKey(), "no node's journal holds v" + v + " (nodes " + nodes + ")");
            break;
          }
        }
      }
    }
    return j;
  }
}
