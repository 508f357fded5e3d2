package io.pachyderm.entity;

/**
 * Performs a side effect described by an {@link Effect} (the seed's {@code Mailer.dispatch}).
 *
 * <p>Called after the entry carrying the effect is committed, on the node whose leader appended
 * the entry, on a dispatcher thread (never on the apply path). At most once: a crash of that node
 * between commit and dispatch loses the effect, and an exception thrown here is logged and not
 * retried.
 *
 * @param <T> the effect payload type, one of the entity type's registered classes
 */
@FunctionalInterface
public interface EffectHandler<T> {
  void dispatch(T effect, EffectContext context) throws Exception;
}
