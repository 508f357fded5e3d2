package io.pachyderm.node.status;

/**
 * What a node's health endpoints answer ({@code GET /health/live}, {@code GET /health/ready}),
 * from {@link io.pachyderm.node.PachydermNode#health()}.
 *
 * @param live the node runs: its Raft server is running and its apply thread has not died
 * @param ready live, a leader is known and heard from (on the leader: a majority of the group heard
 *     from) within the election timeout, and this node's applied index is at most
 *     {@code applyLagEntriesMax} behind its commit index
 * @param reason why not ready (or not live), "" when ready
 * @param role LEADER, FOLLOWER, CANDIDATE, LISTENER, or "" before the group is loaded
 * @param leaderId the leader this node knows, "" when none
 * @param term the node's current term
 * @param commitIndex the highest log index this node knows to be committed
 * @param appliedIndex the highest log index this node has applied
 * @param applyLagEntriesMax the readiness bound on {@code commitIndex - appliedIndex}
 */
public record NodeHealth(boolean live, boolean ready, String reason, String role, String leaderId, long term,
                         long commitIndex, long appliedIndex, long applyLagEntriesMax) {

  /** Entries committed but not yet applied on this node. */
  public long applyLagEntries() {
    return Math.max(0, commitIndex - appliedIndex);
  }
}
