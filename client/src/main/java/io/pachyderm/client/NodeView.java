package io.pachyderm.client;

/**
 * One node's view of the cluster, as reported by that node. Counts are of the node's applied
 * state, so followers that lag show older figures.
 *
 * @param nodeId the node
 * @param reachable false when the node did not answer (then every other field is empty, false or -1)
 * @param role LEADER, FOLLOWER, CANDIDATE
 * @param leaderId the leader this node knows of, or "" if none
 * @param term the node's current term
 * @param commitIndex the node's commit index
 * @param appliedIndex the state machine's applied index
 * @param snapshotIndex the index of the node's latest snapshot (0 if none)
 * @param entities entities with at least one event
 * @param pendingMessages entity-to-entity messages committed but not yet delivered
 * @param pendingEffects at-least-once effects not yet acknowledged (dead letters excluded)
 * @param deadLetters at-least-once effects set aside after their last failed attempt
 * @param timers durable timers scheduled and not yet fired or cancelled
 * @param messagesDelivered messages delivered, counted by this node since it started (entries it
 *     replayed on start included)
 * @param timersFired timers fired, counted the same way
 * @param leaderReady true on a leader whose work loop runs: it has applied every earlier-term entry
 *     and delivers messages, dispatches at-least-once effects and fires timers; false elsewhere
 * @param journalRecords events in the node's event journal (its history), or -1 when the node keeps
 *     no journal or did not answer
 * @param journalIndex the last log index whose events are all journaled (-1 as above)
 * @param digest the replica digest of the node's state at {@code appliedIndex}: every node at the
 *     same applied index must report the same one (0 when the node did not answer)
 * @param digestCheckpoints the digest at recent applied indexes that are multiples of 100, by
 *     index: nodes are compared there, since they are rarely at the same applied index at once
 * @param effectsPaused an operator paused at-least-once effects ({@link Admin#pauseEffects()}): a
 *     replicated setting, as of the node's applied state (false when the node did not answer)
 * @param error why the node did not answer, or ""
 */
public record NodeView(String nodeId, boolean reachable, String role, String leaderId, long term,
                       long commitIndex, long appliedIndex, long snapshotIndex, long entities,
                       long pendingMessages, long pendingEffects, long deadLetters, long timers,
                       long messagesDelivered, long timersFired, boolean leaderReady, long journalRecords,
                       long journalIndex, long digest, java.util.NavigableMap<Long, Long> digestCheckpoints,
                       boolean effectsPaused, String error) {

  public NodeView {
    digestCheckpoints = java.util.Collections.unmodifiableNavigableMap(new java.util.TreeMap<>(digestCheckpoints));
  }

  /** The digest as status and checkers print it: 16 hex digits. */
  public static String hex(long digest) {
    return String.format("%016x", digest);
  }

  /** A node that did not answer, and why. */
  public static NodeView unreachable(String nodeId, String error) {
    return new NodeView(nodeId, false, "UNREACHABLE", "", -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, false, -1, -1,
        0, java.util.Collections.emptyNavigableMap(), false, error);
  }
}
