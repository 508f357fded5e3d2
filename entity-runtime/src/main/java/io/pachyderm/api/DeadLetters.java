package io.pachyderm.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The dead-letter store of a cluster or local store: at-least-once effects that failed their
 * last allowed attempt, across every ecosystem. Inspect them, put them back into the outbox
 * (redrive), or forget them (discard).
 *
 * <p>Thread-safe. Ids are {@link DeadLetter#id()}s; a malformed id fails with
 * {@link IllegalArgumentException} (the async forms fail their future with it).
 *
 * <p><b>Unknown outcomes.</b> Redrive and discard are writes. One that is not answered within the
 * request timeout fails with {@link OutcomeUnknownException}: it may have been applied. Doing it
 * again is safe: it then answers false, the dead letter being gone already. For the same reason
 * false can, rarely, mean "done by this very call": actions carry no request id, so when a reply
 * is lost (a leader change right after commit) the call's own resend finds the letter gone.
 */
public interface DeadLetters {

  /**
   * Up to {@code limit} dead letters in id order (ecosystem, type, id, then sequence number),
   * read linearizably: every redrive or discard that completed before is reflected.
   *
   * @param limit at least 1
   */
  CompletableFuture<List<DeadLetter>> listAsync(int limit);

  /** Blocking {@link #listAsync}. */
  default List<DeadLetter> list(int limit) {
    return Futures.join(listAsync(limit));
  }

  /**
   * Puts the dead letter back into the outbox with its attempts reset; the leader dispatches it
   * again, with the same idempotency key. Completes with false when there is no such dead letter
   * (never one, or already redriven or discarded).
   */
  CompletableFuture<Boolean> redriveAsync(String id);

  /** Blocking {@link #redriveAsync}. */
  default boolean redrive(String id) {
    return Futures.join(redriveAsync(id));
  }

  /** Forgets the dead letter; its effect is never dispatched. False when there is no such dead letter. */
  CompletableFuture<Boolean> discardAsync(String id);

  /** Blocking {@link #discardAsync}. */
  default boolean discard(String id) {
    return Futures.join(discardAsync(id));
  }
}
