package io.pachyderm.entity;

/** How hard Pachyderm tries to run an effect. */
public enum EffectGuarantee {
  /**
   * Dispatched once, by the leader that appended the entry, after commit. A crash between commit
   * and dispatch, a full dispatcher queue or a throwing handler loses it (logged). No extra log
   * entries.
   */
  AT_MOST_ONCE,
  /**
   * Kept in the replicated outbox until an acknowledgement entry records a successful dispatch.
   * Every new leader re-dispatches what is not acknowledged; failures are retried with backoff and,
   * after the node's configured number of attempts, moved to the dead-letter store. Handlers must
   * be idempotent on {@link EffectContext#idempotencyKey()}: the same key arrives on every attempt.
   */
  AT_LEAST_ONCE
}
