package io.pachyderm.client;

/**
 * One node's view of the cluster, as reported by that node.
 *
 * @param nodeId the node
 * @param reachable false when the node did not answer (then every other field is empty or -1)
 * @param role LEADER, FOLLOWER, CANDIDATE
 * @param leaderId the leader this node knows of, or "" if none
 * @param term the term of the node's last log entry
 * @param commitIndex the node's commit index
 * @param appliedIndex the state machine's applied index
 * @param snapshotIndex the index of the node's latest snapshot (0 if none)
 * @param entities entities with at least one event, in this node's applied state
 * @param error why the node did not answer, or ""
 */
public record NodeView(String nodeId, boolean reachable, String role, String leaderId, long term,
                       long commitIndex, long appliedIndex, long snapshotIndex, long entities, String error) {}
