package io.pachyderm.node.status;

/**
 * A node's view of reliable messaging: what is still pending in the replicated outbox (the same
 * on every replica once applied) and what this node has applied so far.
 *
 * @param pendingMessages entity-to-entity messages committed but not yet delivered
 * @param pendingEffects at-least-once effects not yet acknowledged
 * @param deadLetters at-least-once effects that ran out of attempts
 * @param timers durable timers not yet fired or cancelled
 * @param messagesDelivered deliveries applied by this node since it started
 * @param timersFired timer fires applied by this node since it started
 * @param messagesRejected messages their receiver rejected (consumed without effect) since it started
 */
public record OutboxStats(long pendingMessages, long pendingEffects, long deadLetters, long timers,
                          long messagesDelivered, long timersFired, long messagesRejected) {}
