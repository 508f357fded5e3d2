package io.pachyderm.api;

import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.Query;
import java.time.Duration;
import java.util.List;
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

  /**
   * The entity's current state and version, read as {@code mode} says (linearizable, any node, or
   * one named node); a never-touched entity reads as its initial state, version 0.
   */
  <S> CompletableFuture<EntityState<S>> queryAsync(EntityRef<S, ?> ref, ReadMode mode);

  /** Linearizable read of the entity's state and version. */
  default <S> EntityState<S> query(EntityRef<S, ?> ref) {
    return Futures.join(queryAsync(ref, ReadMode.LINEARIZABLE));
  }

  /**
   * Linearizable read, projected by {@code view} on the caller's side: the whole state travels to
   * the caller first. To send only the answer, register a named {@link Query} and use {@link
   * #query(EntityRef, Query)}.
   */
  default <S, R> R query(EntityRef<S, ?> ref, Function<? super S, ? extends R> view) {
    return view.apply(query(ref).state());
  }

  /**
   * Runs the named query {@code query}, registered on the entity's type, where the entity's state
   * is (on a cluster: on the node that serves the read, as {@code mode} picks it) and completes with
   * only its result and the entity's version; the state itself does not travel. A never-touched
   * entity is queried in its initial state, version 0. {@code args} is null for a query without args.
   *
   * <p>Fails with {@link CommandRejectedException}: kind {@code INVALID_REQUEST} when the query is
   * not registered on the entity's type (the message lists those that are) or the args do not fit
   * it, kind {@code HANDLER_FAILED} when the query function throws (that read only: nothing is
   * written either way). With the request timeout passed, {@link OutcomeUnknownException}.
   */
  <S, A, R> CompletableFuture<QueryResult<R>> queryAsync(EntityRef<S, ?> ref, Query<S, A, R> query, A args,
                                                         ReadMode mode);

  /** Linearizable run of a query without args; its result. */
  default <S, R> R query(EntityRef<S, ?> ref, Query<S, Void, R> query) {
    return Futures.join(queryAsync(ref, query, null, ReadMode.LINEARIZABLE)).result();
  }

  /** Linearizable run of a query with {@code args}; its result. */
  default <S, A, R> R query(EntityRef<S, ?> ref, Query<S, A, R> query, A args) {
    return Futures.join(queryAsync(ref, query, args, ReadMode.LINEARIZABLE)).result();
  }

  /**
   * Up to {@code limit} committed events of the entity from {@code fromVersion} (>= 1) on, with
   * their metadata, in version order, as some node's event journal holds them now: on a cluster
   * the list may end before the newest events (a lagging node), never has gaps, and is empty when
   * there is nothing from {@code fromVersion} yet. A page may be shorter than {@code limit}: it
   * holds at most 1,000 events, and at most the node's history page byte cap (4 MiB of encoded
   * records by default, {@code QueueLimits.historyPageBytesMax}; at least one event even if it alone
   * is larger), so that every page fits the transport; read on from the last version + 1. Same as {@link #historyAsync(EntityRef,
   * long, int, ReadMode)} with {@link ReadMode#STALE}.
   *
   * @throws HistoryUnavailableException (in the future) if no node holds {@code fromVersion} any
   *     more (journal retention)
   */
  default <S> CompletableFuture<List<HistoryEvent>> historyAsync(EntityRef<S, ?> ref, long fromVersion, int limit) {
    return historyAsync(ref, fromVersion, limit, ReadMode.STALE);
  }

  /**
   * A page of the entity's history as {@link #historyAsync(EntityRef, long, int)}, read as {@code
   * mode} says: {@link ReadMode#STALE} from whichever node answers (it may end before the newest
   * events); {@link ReadMode#LINEARIZABLE} includes every event committed before the call, up to
   * {@code limit} and the page cap; {@link ReadMode#onNode} as that node's journal holds it now
   * (fails with {@link HistoryUnavailableException} if that node lacks {@code fromVersion}, even
   * when another node holds it).
   */
  <S> CompletableFuture<List<HistoryEvent>> historyAsync(EntityRef<S, ?> ref, long fromVersion, int limit,
                                                         ReadMode mode);

  /**
   * Every committed event of the entity from {@code fromVersion} (>= 1) on, including every event
   * committed before this call (a linearizable read fixes the version to reach). Blocks up to the
   * request timeout; for long histories prefer pages ({@link #historyAsync}) or {@link #follow}.
   *
   * @throws HistoryUnavailableException if no node holds {@code fromVersion} any more
   */
  List<HistoryEvent> history(EntityRef<?, ?> ref, long fromVersion);

  /**
   * Streams the entity's committed changes in order, without gaps or duplicates: from {@code
   * fromVersion} (>= 1), or, with {@link Follow#FROM_CURRENT}, first the current state and version
   * and then every later event. With {@code withStates} each change also carries the state it
   * produced. Resumable: after a disconnect or restart, follow again from {@code lastVersion() + 1}.
   */
  <S> Follow<S> follow(EntityRef<S, ?> ref, long fromVersion, boolean withStates);

  /**
   * The current state, then every later change with the state it produced. "Current" is read
   * linearizably when follow is called: the first change is at or after every write acknowledged
   * before the call, in every ecosystem.
   */
  default <S> Follow<S> follow(EntityRef<S, ?> ref) {
    return follow(ref, Follow.FROM_CURRENT, true);
  }

  /** How long a request may take before it fails with {@link OutcomeUnknownException}. */
  Duration requestTimeout();
}
