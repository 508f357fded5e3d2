package io.pachyderm.entity;

/**
 * Performs a side effect described by an {@link Effect} (the seed's {@code Mailer.dispatch}).
 *
 * <p>Called after the entry carrying the effect is committed, by a leader, on a dispatcher thread
 * (never on the apply path, so a slow handler delays only other effects, never commits).
 * <ul>
 *   <li>{@link EffectGuarantee#AT_MOST_ONCE}: by the leader that appended the entry; a crash of
 *       that node between commit and dispatch loses the effect, and an exception thrown here is
 *       logged and not retried.
 *   <li>{@link EffectGuarantee#AT_LEAST_ONCE}: returning normally acknowledges the effect (an ack
 *       entry is written); throwing, or not returning within the node's attempt timeout, is a
 *       failed attempt, retried with backoff, by whichever node is leader. The same effect may
 *       arrive more than once (a leader change between success and ack): deduplicate on
 *       {@link EffectContext#idempotencyKey()}.
 * </ul>
 *
 * @param <T> the effect payload type, one of the entity type's registered classes
 */
@FunctionalInterface
public interface EffectHandler<T> {
  void dispatch(T effect, EffectContext context) throws Exception;
}
