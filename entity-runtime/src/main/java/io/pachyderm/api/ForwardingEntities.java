package io.pachyderm.api;

import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.Query;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * {@link Entities} by forwarding every method, the defaults included, to {@link #delegate()}: the
 * one copy of that forwarding for the ecosystems that serve {@code Entities} through another
 * implementation (the cluster client through its ecosystem view, the local ecosystem through its
 * client). The defaults are forwarded too, so that a delegate's own version of one (a cheaper
 * {@code call}, say) is the one that runs. An abstract class rather than an interface so that
 * {@code delegate()} stays out of the subclasses' public API. Thread-safe when the delegate is.
 */
public abstract class ForwardingEntities implements Entities {
  protected ForwardingEntities() {}

  /** Where every call goes; the same instance for the forwarder's lifetime. */
  protected abstract Entities delegate();

  @Override
  public String ecosystem() {
    return delegate().ecosystem();
  }

  @Override
  public Entities ecosystem(String name) {
    return delegate().ecosystem(name);
  }

  @Override
  public <S, C> CompletableFuture<Reply<S>> callAsync(EntityRef<S, C> ref, C command) {
    return delegate().callAsync(ref, command);
  }

  @Override
  public <S, C> Reply<S> call(EntityRef<S, C> ref, C command) {
    return delegate().call(ref, command);
  }

  @Override
  public <S, C> CompletableFuture<Long> sendAsync(EntityRef<S, C> ref, C command) {
    return delegate().sendAsync(ref, command);
  }

  @Override
  public <S, C> long send(EntityRef<S, C> ref, C command) {
    return delegate().send(ref, command);
  }

  @Override
  public <S> CompletableFuture<EntityState<S>> queryAsync(EntityRef<S, ?> ref, ReadMode mode) {
    return delegate().queryAsync(ref, mode);
  }

  @Override
  public <S> EntityState<S> query(EntityRef<S, ?> ref) {
    return delegate().query(ref);
  }

  @Override
  public <S, R> R query(EntityRef<S, ?> ref, Function<? super S, ? extends R> view) {
    return delegate().query(ref, view);
  }

  @Override
  public <S, A, R> CompletableFuture<QueryResult<R>> queryAsync(EntityRef<S, ?> ref, Query<S, A, R> query, A args,
                                                                ReadMode mode) {
    return delegate().queryAsync(ref, query, args, mode);
  }

  @Override
  public <S, R> R query(EntityRef<S, ?> ref, Query<S, Void, R> query) {
    return delegate().query(ref, query);
  }

  @Override
  public <S, A, R> R query(EntityRef<S, ?> ref, Query<S, A, R> query, A args) {
    return delegate().query(ref, query, args);
  }

  @Override
  public <S> CompletableFuture<List<HistoryEvent>> historyAsync(EntityRef<S, ?> ref, long fromVersion, int limit) {
    return delegate().historyAsync(ref, fromVersion, limit);
  }

  @Override
  public <S> CompletableFuture<List<HistoryEvent>> historyAsync(EntityRef<S, ?> ref, long fromVersion, int limit,
                                                                ReadMode mode) {
    return delegate().historyAsync(ref, fromVersion, limit, mode);
  }

  @Override
  public List<HistoryEvent> history(EntityRef<?, ?> ref, long fromVersion) {
    return delegate().history(ref, fromVersion);
  }

  @Override
  public <S> Follow<S> follow(EntityRef<S, ?> ref, long fromVersion, boolean withStates) {
    return delegate().follow(ref, fromVersion, withStates);
  }

  @Override
  public <S> Follow<S> follow(EntityRef<S, ?> ref) {
    return delegate().follow(ref);
  }

  @Override
  public Duration requestTimeout() {
    return delegate().requestTimeout();
  }
}
