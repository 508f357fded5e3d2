package io.pachyderm.client;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.Entities;
import io.pachyderm.api.EntityState;
import io.pachyderm.api.Follow;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.api.PachydermException;
import io.pachyderm.api.QueryResult;
import io.pachyderm.api.ReadMode;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.api.Reply;
import io.pachyderm.client.internal.EncodedOperations;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.entity.Query;
import io.pachyderm.protocol.Applied;
import io.pachyderm.protocol.Protos;
import io.pachyderm.runtime.CommandExecutor;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.QueryExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The typed {@link Entities} operations of one ecosystem over a cluster connection: commands
 * encoded and replies decoded with the registered entity types, over {@link EncodedOperations}
 * and {@link ClusterHistory}. The one implementation behind {@link PachydermClient}'s own methods
 * and every view {@link #ecosystem(String)} returns; views share the client's connection and are
 * closed with it. Thread-safe.
 */
final class EcosystemEntities implements Entities {
  private final String ecosystem;
  private final EntityTypes types;
  private final EncodedOperations encoded;
  private final ClusterHistory history;
  private final Duration requestTimeout;

  EcosystemEntities(String ecosystem, EntityTypes types, EncodedOperations encoded, ClusterHistory history,
                    Duration requestTimeout) {
    this.ecosystem = EntityKey.requireValidEcosystem(ecosystem);
    this.types = types;
    this.encoded = encoded;
    this.history = history;
    this.requestTimeout = requestTimeout;
  }

  @Override
  public String ecosystem() {
    return ecosystem;
  }

  @Override
  public Entities ecosystem(String name) {
    return new EcosystemEntities(name, types, encoded, history, requestTimeout);
  }

  @Override
  public Duration requestTimeout() {
    return requestTimeout;
  }

  @Override
  public <S, C> CompletableFuture<Reply<S>> callAsync(EntityRef<S, C> ref, C command) {
    EntityType<?, ?, ?> type;
    Encoded payload;
    try {
      type = typeOf(ref);
      payload = encodeCommand(type, command);
    } catch (PachydermException e) {
      return CompletableFuture.failedFuture(e);
    }
    return encoded.callEncoded(key(ref), payload, true)
        .thenApply(applied -> new Reply<>(applied.getVersion(),
            applied.hasReply() ? decode(type, Protos.encoded(applied.getReply())) : null,
            applied.getReplyIsState()));
  }

  @Override
  public <S, C> CompletableFuture<Long> sendAsync(EntityRef<S, C> ref, C command) {
    Encoded payload;
    try {
      payload = encodeCommand(typeOf(ref), command);
    } catch (PachydermException e) {
      return CompletableFuture.failedFuture(e);
    }
    return encoded.callEncoded(key(ref), payload, false).thenApply(Applied::getVersion);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <S> CompletableFuture<EntityState<S>> queryAsync(EntityRef<S, ?> ref, ReadMode mode) {
    EntityType<?, ?, ?> type;
    try {
      type = typeOf(ref);
    } catch (PachydermException e) {
      return CompletableFuture.failedFuture(e);
    }
    return encoded.readEncoded(key(ref), mode).thenApply(read -> {
      Object state = read.hasState() ? decode(type, Protos.encoded(read.getState()))
          : CommandExecutor.initialState(type, ref.id());
      return new EntityState<>((S) state, read.getVersion());
    });
  }

  @Override
  public <S, A, R> CompletableFuture<QueryResult<R>> queryAsync(EntityRef<S, ?> ref, Query<S, A, R> query, A args,
                                                                ReadMode mode) {
    EntityType<?, ?, ?> type;
    Encoded encodedArgs;
    try {
      type = typeOf(ref);
      encodedArgs = QueryExecutor.encodeArgs(type, query, args);
      Objects.requireNonNull(mode, "read mode");
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return encoded.queryEncoded(key(ref), query.name(), encodedArgs == null ? null : Protos.payload(encodedArgs), mode)
        .thenApply(reply -> new QueryResult<>(QueryExecutor.decodeResult(type, query,
            reply.hasResult() ? Protos.encoded(reply.getResult()) : null), reply.getVersion()));
  }

  @Override
  public <S> CompletableFuture<List<HistoryEvent>> historyAsync(EntityRef<S, ?> ref, long fromVersion, int limit,
                                                                ReadMode mode) {
    EntityType<?, ?, ?> type;
    EntityKey key;
    try {
      type = typeOf(ref);
      key = key(ref);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return history.historyAsync(type, key, ref, fromVersion, limit, mode);
  }

  @Override
  public List<HistoryEvent> history(EntityRef<?, ?> ref, long fromVersion) {
    return history.history(typeOf(ref), key(ref), ref, fromVersion);
  }

  @Override
  public <S> Follow<S> follow(EntityRef<S, ?> ref, long fromVersion, boolean withStates) {
    return history.follow(typeOf(ref), key(ref), ref, fromVersion, withStates);
  }

  private EntityKey key(EntityRef<?, ?> ref) {
    return new EntityKey(ecosystem, ref.type(), ref.id());
  }

  private EntityType<?, ?, ?> typeOf(EntityRef<?, ?> ref) {
    Objects.requireNonNull(ref, "ref");
    EntityType<?, ?, ?> type = types.find(ref.type());
    if (type == null) {
      throw new CommandRejectedException(RejectionKind.UNKNOWN_ENTITY_TYPE, "entity type '" + ref.type()
          + "' is not registered with this client; registered: " + types.names());
    }
    return type;
  }

  private static Encoded encodeCommand(EntityType<?, ?, ?> type, Object command) {
    Objects.requireNonNull(command, "command");
    if (!type.commandClass().isInstance(command)) {
      throw new CommandRejectedException(RejectionKind.INVALID_REQUEST, command.getClass().getName()
          + " is not a command of entity type " + type.name() + " (" + type.commandClass().getName() + ")");
    }
    try {
      return type.codec().encode(command);
    } catch (RuntimeException e) {
      throw new CommandRejectedException(RejectionKind.INVALID_REQUEST, "cannot encode command: " + e.getMessage());
    }
  }

  private static Object decode(EntityType<?, ?, ?> type, Encoded encoded) {
    try {
      return type.codec().decode(encoded);
    } catch (RuntimeException e) {
      throw new PachydermException("cannot decode the reply of entity type " + type.name() + ": " + e.getMessage(), e);
    }
  }
}
