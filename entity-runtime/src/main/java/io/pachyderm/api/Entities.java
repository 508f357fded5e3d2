package io.pachyderm.api;

import io.pachyderm.entity.EntityRef;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Talks to the entities of one ecosystem. Implemented by the local (embedded) and cluster
 * ecosystems; code written against this interface runs on either.
 *
 * <p>Thread-safe; meant to be shared by all threads of an application. Concurrent commands are
 * batched into one log entry where possible, so many threads calling at once is the fast path.
 *
 * <p><b>Timeouts and unknown outcomes.</b> A command that is not answered within the configured
 * request timeout fails with {@link OutcomeUnknownException}: the cluster may have committed it
 * before the failure. Retrying through this API reuses a fresh request id, so such a retry can
 * take effect a second time; the automatic retries inside one call reuse the same id and never do.
 */
public interface Entities {

  /** The ecosystem this view addresses. */
  String ecosystem();

  /** The same connection, addressing another ecosystem. */
  Entities ecosystem(String name);

  /**
   * Handles {@code command} and completes after the resulting entry is committed and applied,
   * with the entity's new version and the reply (by default the new state). A rejection
   * completes the future with {@link CommandRejectedException}.
   */
  <S, C> CompletableFuture<Reply<S>> callAsync(EntityRef<S, C> ref, C command);

  /** Blocking {@link #callAsync}; throws the same exceptions unwrapped. */
  default <S, C> Reply<S> call(EntityRef<S, C> ref, C command) {
    return Futures.join(callAsync(ref, command));
  }

  /**
   * Handles {@code command} and completes once it is durably accepted (committed), with the
   * entity's version after it. Cheaper than {@link #callAsync}: no reply is encoded.
   */
  <S, C> CompletableFuture<Long> sendAsync(EntityRef<S, C> ref, C command);

  /** Blocking {@link #sendAsync}. */
  default <S, C> long send(EntityRef<S, C> ref, C command) {
    return Futures.join(sendAsync(ref, command));
  }

  /** The entity's current state and version; a never-touched entity reads as its initial state, version 0. */
  <S> CompletableFuture<EntityState<S>> queryAsync(EntityRef<S, ?> ref, ReadMode mode);

  /** Linearizable read of the entity's state and version. */
  default <S> EntityState<S> query(EntityRef<S, ?> ref) {
    return Futures.join(queryAsync(ref, ReadMode.LINEARIZABLE));
  }

  /** Linearizable read, projected by {@code view} on the caller's side. */
  default <S, R> R query(EntityRef<S, ?> ref, Function<? super S, ? extends R> view) {
    return view.apply(query(ref).state());
  }

  /** How long a request may take before it fails with {@link OutcomeUnknownException}. */
  Duration requestTimeout();
}
