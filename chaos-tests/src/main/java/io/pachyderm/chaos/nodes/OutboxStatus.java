package io.pachyderm.chaos.nodes;

import io.pachyderm.client.NodeView;

/**
 * What one node reports of its replicated messaging state: the outbox part of its
 * {@link NodeView}, or why it did not answer.
 *
 * @param nodeId the node
 * @param reachable false when the node did not answer (then the counts are -1)
 * @param appliedIndex the state machine's applied index
 * @param pendingMessages entity-to-entity messages in the outbox, not yet delivered
 * @param pendingEffects at-least-once effects in the outbox, not yet acknowledged
 * @param deadLetters at-least-once effects that ran out of attempts
 * @param messagesDelivered deliveries this node has applied since it (re)started: equal on nodes
 *     that neither restarted nor lagged, so only a hint
 * @param error why the node did not answer, or ""
 */
public record OutboxStatus(String nodeId, boolean reachable, long appliedIndex, long pendingMessages,
                           long pendingEffects, long deadLetters, long messagesDelivered, String error) {
  static OutboxStatus of(NodeView v) {
    return new OutboxStatus(v.nodeId(), v.reachable(), v.appliedIndex(), v.pendingMessages(), v.pendingEffects(),
        v.deadLetters(), v.messagesDelivered(), v.error());
  }

  /** Reachable, with nothing pending. */
  public boolean drained() {
    return reachable && pendingMessages == 0 && pendingEffects == 0;
  }

  @Override
  public String toString() {
    if (!reachable) {
      return nodeId + " unreachable: " + error;
    }
    return nodeId + " {applied " + appliedIndex + ", pending messages " + pendingMessages + ", pending effects "
        + pendingEffects + ", dead letters " + deadLetters + ", delivered " + messagesDelivered + "}";
  }
}
