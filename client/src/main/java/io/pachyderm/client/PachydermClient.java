package io.pachyderm.client;

import io.pachyderm.cluster.ClusterIdentity;
import io.pachyderm.cluster.Transport;
import io.pachyderm.cluster.Peer;
import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.DeadLetter;
import io.pachyderm.api.DeadLetters;
import io.pachyderm.api.Entities;
import io.pachyderm.api.EntityState;
import io.pachyderm.api.Follow;
import io.pachyderm.api.Futures;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.api.OutcomeUnknownException;
import io.pachyderm.api.PachydermException;
import io.pachyderm.api.QueryResult;
import io.pachyderm.api.ReadMode;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.api.Reply;
import io.pachyderm.client.internal.Batcher;
import io.pachyderm.cluster.internal.JulLevels;
import io.pachyderm.client.internal.RaftRequests;
import io.pachyderm.client.internal.RequestIds;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.cluster.tls.TlsMaterial;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.entity.Query;
import io.pachyderm.protocol.Applied;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.Command;
import io.pachyderm.cluster.internal.NodeRefusalException;
import io.pachyderm.cluster.internal.Tokens;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.DeadLetterAction;
import io.pachyderm.protocol.DeadLetterList;
import io.pachyderm.protocol.DeadLetterQuery;
import io.pachyderm.protocol.EffectId;
import io.pachyderm.protocol.EntityQuery;
import io.pachyderm.protocol.EntityRead;
import io.pachyderm.protocol.HistoryPage;
import io.pachyderm.protocol.HistoryQuery;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.NodeStatus;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.QueryReply;
import io.pachyderm.protocol.ReadRequest;
import io.pachyderm.protocol.WorkStatus;
import io.pachyderm.runtime.CommandExecutor;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.QueryExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * The embeddable client of a Pachyderm cluster, serving {@link Entities} for any ecosystem.
 *
 * <pre>{@code
 * try (PachydermClient client = PachydermClient.builder(Peer.parseList("n1=10.0.0.1:7001,..."))
 *         .entityTypes(EntityTypes.of(Counter.TYPE)).build()) {
 *   Reply<Counter.State> r = client.call(Counter.TYPE.ref("my-counter"), new Counter.Increment(1));
 * }
 * }</pre>
 *
 * <p>Thread-safe; share one instance per application. Leader changes are handled inside: the
 * client follows the leader and resends with the same request id until the request timeout.
 * Concurrent commands from many threads travel together in one request (natural batching).
 */
public final class PachydermClient implements Entities, AutoCloseable {
  /** Default request timeout: long enough to ride out a leader election. */
  public static final Duration REQUEST_TIMEOUT_DEFAULT = Duration.ofSeconds(15);
  /** Threads for blocking reads besides those for the batches in flight (see RaftRequests). */
  private static final int READ_THREADS = 16;

  private final List<Peer> peers;
  private final String clusterName;
  private final EntityTypes types;
  private final String ecosystem;
  private final Duration requestTimeout;
  private final RaftGroup group;
  /** Ratis' non-string settings: the TLS configuration when {@link Builder#tls} was given. */
  private final Parameters parameters;
  /** Writes, linearizable reads and stale reads, sent through {@link #requests}. */
  private final RaftClient raft;
  /**
   * Never Ratis' ordered async API: it logs every failed attempt at ERROR (see RaftRequests), and
   * kept one request window per target, which made a stale read followed by a write on the same
   * client wait ~6 s for two request timeouts.
   */
  private final RaftRequests requests;
  private final ScheduledExecutorService timer;
  private final Batcher batcher;
  private final RequestIds requestIds = new RequestIds();
  private final AtomicInteger staleReadPeer = new AtomicInteger();
  private final DeadLetters deadLetters = new ClusterDeadLetters();
  /**
   * Blocking long polls of history (follow, history): no retry policy (the cursor moves to the
   * next node itself) and Ratis' blocking calls, which stay out of the ordered per-server request
   * windows, so one parked long poll never holds up another reader's request.
   */
  private final RaftClient pollRaft;
  private final java.util.concurrent.ExecutorService historyPool;
  private final AtomicInteger followPeer = new AtomicInteger();
  /** The token as an encoded {@code auth_token} field (see {@link #message}); empty without one. */
  private final byte[] tokenField;
  private final ClusterAdmin admin;
  /** Stops looking for rotated TLS files; null without TLS. */
  private final java.io.Closeable tlsReload;

  private PachydermClient(Builder b) {
    JulLevels.apply();
    this.peers = List.copyOf(b.peers);
    this.clusterName = b.clusterName;
    this.types = b.types;
    this.ecosystem = EntityKey.requireValidEcosystem(b.ecosystem);
    this.requestTimeout = b.requestTimeout;
    this.tokenField = b.token == null ? new byte[0] : ReadRequest.newBuilder()
        .setAuthToken(com.google.protobuf.ByteString.copyFromUtf8(b.token)).build().toByteArray();
    this.group = b.clusterId != null ? ClusterIdentity.group(RaftGroupId.valueOf(b.clusterId), peers)
        : ClusterIdentity.group(clusterName, peers);
    RaftProperties properties = new RaftProperties();
    RaftConfigKeys.Rpc.setType(properties, b.transport.rpcType());
    RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(3, TimeUnit.SECONDS));
    GrpcConfigKeys.setMessageSizeMax(properties, SizeInBytes.valueOf("64MB"));
    this.parameters = new Parameters();
    if (b.tls != null) {
      GrpcConfigKeys.TLS.setConf(parameters, b.tls.grpcTlsConfig());
      this.tlsReload = b.tls.reloadEvery(TlsMaterial.RELOAD_INTERVAL_DEFAULT, certificate -> {});
    } else {
      this.tlsReload = null;
    }
    this.raft = RaftClient.newBuilder()
        .setProperties(properties)
        .setParameters(parameters)
        .setRaftGroup(group)
        .setClientId(ClientId.randomId())
        // Bounded: after these, the batcher's and the read loop's own retry (same request id)
        // takes over until the deadline.
        .setRetryPolicy(io.pachyderm.client.internal.DeliveryRetryPolicy.observing(
            RetryPolicies.retryUpToMaximumCountWithFixedSleep(20, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS))))
        .build();
    this.requests = new RaftRequests(raft, b.inflightBatchesMax + READ_THREADS, b.queuedCommandsMax);
    this.pollRaft = RaftClient.newBuilder().setProperties(properties).setParameters(parameters).setRaftGroup(group)
        .setClientId(ClientId.randomId()).setRetryPolicy(RetryPolicies.noRetry()).build();
    this.historyPool = io.pachyderm.cluster.internal.BoundedExecutor.fixed("pachyderm-client-history", 4,
        b.historyReadsQueuedMax, "historyReadsQueuedMax", "history read");
    java.util.concurrent.ScheduledThreadPoolExecutor scheduler = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "pachyderm-client-timer");
      t.setDaemon(true);
      return t;
    });
    // Every command arms a timeout that is cancelled when it completes; drop those at once.
    scheduler.setRemoveOnCancelPolicy(true);
    this.timer = scheduler;
    this.batcher = new Batcher(this::sendWrite, timer, b.inflightBatchesMax, b.commandsPerBatchMax,
        b.batchBytesMax, b.queuedCommandsMax);
    this.admin = new ClusterAdmin(peers, group, b.transport, parameters, requestTimeout, this::writeWork, this::message,
        this::status);
  }

  /** A client for the cluster made of {@code peers} (every member, or at least a majority of them). */
  public static Builder builder(List<Peer> peers) {
    return new Builder(peers);
  }

  @Override
  public String ecosystem() {
    return ecosystem;
  }

  @Override
  public Entities ecosystem(String name) {
    return new View(EntityKey.requireValidEcosystem(name));
  }

  @Override
  public Duration requestTimeout() {
    return requestTimeout;
  }

  @Override
  public <S, C> CompletableFuture<Reply<S>> callAsync(EntityRef<S, C> ref, C command) {
    return callIn(ecosystem, ref, command);
  }

  @Override
  public <S, C> CompletableFuture<Long> sendAsync(EntityRef<S, C> ref, C command) {
    return sendIn(ecosystem, ref, command);
  }

  @Override
  public <S> CompletableFuture<EntityState<S>> queryAsync(EntityRef<S, ?> ref, ReadMode mode) {
    return queryIn(ecosystem, ref, mode);
  }

  @Override
  public <S, A, R> CompletableFuture<QueryResult<R>> queryAsync(EntityRef<S, ?> ref, Query<S, A, R> query, A args,
                                                                ReadMode mode) {
    return namedQueryIn(ecosystem, ref, query, args, mode);
  }

  @Override
  public <S> CompletableFuture<List<HistoryEvent>> historyAsync(EntityRef<S, ?> ref, long fromVersion, int limit,
                                                                ReadMode mode) {
    return historyIn(ecosystem, ref, fromVersion, limit, mode);
  }

  @Override
  public List<HistoryEvent> history(EntityRef<?, ?> ref, long fromVersion) {
    return historyAllIn(ecosystem, ref, fromVersion);
  }

  @Override
  public <S> Follow<S> follow(EntityRef<S, ?> ref, long fromVersion, boolean withStates) {
    return followIn(ecosystem, ref, fromVersion, withStates);
  }

  /** Sends a write batch (with the token); failures are retried by Ratis, then by the caller's loop. */
  private CompletableFuture<RaftClientReply> sendWrite(Message message,
                                                     io.pachyderm.client.internal.Delivery delivery) {
    return requests.write(tokenField.length == 0 ? message : message(message.getContent().toByteArray()), delivery);
  }

  /**
   * A request's message with this client's token, if it has one. {@code encoded} is a CommandBatch
   * or a ReadRequest; both hold the token in field 15, and appending a field's bytes to a protobuf
   * encoding sets that field, so one prepared suffix serves both.
   */
  private Message message(byte[] encoded) {
    if (tokenField.length == 0) {
      return Message.valueOf(UnsafeByteOperations.unsafeWrap(encoded));
    }
    byte[] withToken = java.util.Arrays.copyOf(encoded, encoded.length + tokenField.length);
    System.arraycopy(tokenField, 0, withToken, encoded.length, tokenField.length);
    return Message.valueOf(UnsafeByteOperations.unsafeWrap(withToken));
  }

  // ---- typed operations ---------------------------------------------------------------

  private <S, C> CompletableFuture<Reply<S>> callIn(String eco, EntityRef<S, C> ref, C command) {
    EntityType<?, ?, ?> type;
    Encoded payload;
    try {
      type = typeOf(ref);
      payload = encodeCommand(type, command);
    } catch (PachydermException e) {
      return CompletableFuture.failedFuture(e);
    }
    return callEncoded(new EntityKey(eco, ref.type(), ref.id()), payload, true)
        .thenApply(applied -> new Reply<>(applied.getVersion(),
            applied.hasReply() ? decode(type, Protos.encoded(applied.getReply())) : null,
            applied.getReplyIsState()));
  }

  private <S, C> CompletableFuture<Long> sendIn(String eco, EntityRef<S, C> ref, C command) {
    Encoded payload;
    try {
      payload = encodeCommand(typeOf(ref), command);
    } catch (PachydermException e) {
      return CompletableFuture.failedFuture(e);
    }
    return callEncoded(new EntityKey(eco, ref.type(), ref.id()), payload, false).thenApply(Applied::getVersion);
  }

  @SuppressWarnings("unchecked")
  private <S> CompletableFuture<EntityState<S>> queryIn(String eco, EntityRef<S, ?> ref, ReadMode mode) {
    EntityType<?, ?, ?> type;
    try {
      type = typeOf(ref);
    } catch (PachydermException e) {
      return CompletableFuture.failedFuture(e);
    }
    return readEncoded(new EntityKey(eco, ref.type(), ref.id()), mode).thenApply(read -> {
      Object state = read.hasState() ? decode(type, Protos.encoded(read.getState()))
          : CommandExecutor.initialState(type, ref.id());
      return new EntityState<>((S) state, read.getVersion());
    });
  }

  private <S, A, R> CompletableFuture<QueryResult<R>> namedQueryIn(String eco, EntityRef<S, ?> ref,
                                                                  Query<S, A, R> query, A args, ReadMode mode) {
    EntityType<?, ?, ?> type;
    Encoded encodedArgs;
    try {
      type = typeOf(ref);
      encodedArgs = QueryExecutor.encodeArgs(type, query, args);
      Objects.requireNonNull(mode, "read mode");
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return queryEncoded(key(eco, ref), query.name(), encodedArgs == null ? null : Protos.payload(encodedArgs), mode)
        .thenApply(reply -> new QueryResult<>(QueryExecutor.decodeResult(type, query,
            reply.hasResult() ? Protos.encoded(reply.getResult()) : null), reply.getVersion()));
  }

  // ---- history and follow -----------------------------------------------------------------

  private <S> CompletableFuture<List<HistoryEvent>> historyIn(String eco, EntityRef<S, ?> ref, long fromVersion,
                                                              int limit, ReadMode mode) {
    EntityType<?, ?, ?> type;
    HistoryCursor cursor;
    try {
      type = typeOf(ref);
      requireVersion(fromVersion);
      if (limit < 1) {
        throw new IllegalArgumentException("history limit must be >= 1, was " + limit);
      }
      cursor = cursor(key(eco, ref), mode);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return supplyHistory(() -> {
      if (mode instanceof ReadMode.Linearizable) {
        long last = Math.min(committedVersion(eco, ref),
            fromVersion + Math.min(limit, HistoryCursor.PAGE_RECORDS_MAX) - 1);
        return readRange(type, ref, cursor, fromVersion, last);
      }
      long deadlineNs = System.nanoTime() + requestTimeout.toNanos();
      HistoryPage page = fetchOrFail(ref, fromVersion, cursor, () -> cursor.fetch(fromVersion, limit, 0, deadlineNs));
      List<HistoryEvent> events = new ArrayList<>(page.getRecordsCount());
      for (JournalRecord r : page.getRecordsList()) {
        events.add(HistoryEvents.decode(type, r));
      }
      return events;
    });
  }

  /** Runs a history read on the bounded history pool; a full queue fails the future with an OverloadedException. */
  private <T> CompletableFuture<T> supplyHistory(java.util.function.Supplier<T> read) {
    try {
      return CompletableFuture.supplyAsync(read, historyPool);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private List<HistoryEvent> historyAllIn(String eco, EntityRef<?, ?> ref, long fromVersion) {
    EntityType<?, ?, ?> type = typeOf(ref);
    requireVersion(fromVersion);
    return readRange(type, ref, cursor(key(eco, ref)), fromVersion, committedVersion(eco, ref));
  }

  /**
   * The entity's version read linearizably, without decoding its state: everything committed
   * before this call has a version at most this one.
   */
  private long committedVersion(String eco, EntityRef<?, ?> ref) {
    return Futures.join(readEncoded(key(eco, ref), ReadMode.LINEARIZABLE)).getVersion();
  }

  /** Versions {@code fromVersion..upTo} of the entity, decoded; fails as the API documents at the request timeout. */
  private List<HistoryEvent> readRange(EntityType<?, ?, ?> type, EntityRef<?, ?> ref, HistoryCursor cursor,
                                       long fromVersion, long upTo) {
    long deadlineNs = System.nanoTime() + requestTimeout.toNanos();
    List<HistoryEvent> events = new ArrayList<>();
    fetchOrFail(ref, fromVersion, cursor, () -> {
      long next = cursor.readRange(fromVersion, upTo, deadlineNs, r -> events.add(HistoryEvents.decode(type, r)));
      return next > upTo ? next : null;
    });
    return events;
  }

  /** A cursor read that may be interrupted, and returns null when the request timeout passed first. */
  private interface CursorRead<T> {
    T read() throws InterruptedException;
  }

  /** Runs {@code read}; an interrupt or a timeout becomes the exception the API documents. */
  private <T> T fetchOrFail(EntityRef<?, ?> ref, long fromVersion, HistoryCursor cursor, CursorRead<T> read) {
    T result;
    try {
      result = read.read();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PachydermException("interrupted while reading the history of " + ref, e);
    }
    if (result == null) {
      throw new OutcomeUnknownException("no node served the history of " + ref + " from version " + fromVersion
          + " within the request timeout of " + requestTimeout.toMillis() + " ms"
          + (cursor.lastFailure().isEmpty() ? "" : "; last failure: " + cursor.lastFailure()));
    }
    return result;
  }

  private <S> Follow<S> followIn(String eco, EntityRef<S, ?> ref, long fromVersion, boolean withStates) {
    EntityType<?, ?, ?> type = typeOf(ref);
    HistoryCursor cursor = cursor(key(eco, ref));
    ClusterFollow<S> follow = new ClusterFollow<>(cursor, type, ref.id(), fromVersion, withStates);
    if (fromVersion == Follow.FROM_CURRENT) {
      // "Current" means when follow() is called, not when the consumer first polls.
      boolean started;
      try {
        started = follow.start(System.nanoTime() + requestTimeout.toNanos());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PachydermException("interrupted while starting to follow " + ref, e);
      }
      if (!started) {
        throw new OutcomeUnknownException("no node served the current state of " + ref + " within the request timeout"
            + (cursor.lastFailure().isEmpty() ? "" : "; last failure: " + cursor.lastFailure()));
      }
    }
    return follow;
  }

  private static EntityKey key(String eco, EntityRef<?, ?> ref) {
    return new EntityKey(eco, ref.type(), ref.id());
  }

  /** Readers spread over the nodes; each sticks to its node while that node answers. */
  private HistoryCursor cursor(EntityKey key) {
    return cursor(key, ReadMode.STALE);
  }

  /** As {@link #cursor(EntityKey)}, or a cursor that reads only the node {@code mode} names. */
  private HistoryCursor cursor(EntityKey key, ReadMode mode) {
    List<Peer> readFrom = mode instanceof ReadMode.OnNode on ? List.of(peer(on)) : peers;
    return new HistoryCursor(this::readHistoryPage,
        (ref, timeoutMs) -> readEncoded(Protos.key(ref), ReadMode.LINEARIZABLE).get(timeoutMs, TimeUnit.MILLISECONDS),
        readFrom, Protos.ref(key), followPeer.getAndIncrement());
  }

  /** The peer a {@link ReadMode#onNode} read names; one this client does not know is a caller's mistake. */
  private Peer peer(ReadMode.OnNode on) {
    for (Peer p : peers) {
      if (p.id().equals(on.nodeId())) {
        return p;
      }
    }
    throw new IllegalArgumentException("no node '" + on.nodeId() + "' among this client's peers "
        + peers.stream().map(Peer::id).toList());
  }

  private static void requireVersion(long fromVersion) {
    if (fromVersion < 1) {
      throw new IllegalArgumentException("fromVersion must be >= 1 (the first event is version 1), was " + fromVersion);
    }
  }

  /**
   * One page of an entity's journal as node {@code peerId} holds it: a single blocking attempt
   * (long-polls up to the query's {@code wait_ms}), for tools and for {@link HistoryCursor}.
   *
   * @throws PachydermException when the node refuses the query itself (unknown type, invalid ref)
   * @throws IOException when the node cannot be reached or fails
   */
  public HistoryPage readHistoryPage(String peerId, HistoryQuery query) throws IOException {
    Message message = message(ReadRequest.newBuilder().setHistory(query).build().toByteArray());
    RaftClientReply reply;
    try {
      reply = pollRaft.io().sendStaleRead(message, 0, RaftPeerId.valueOf(peerId));
    } catch (NodeRefusalException e) {
      throw NodeRefusalException.accessDenied(e);
    }
    if (!reply.isSuccess()) {
      Throwable cause = reply.getException();
      CommandRejectedException rejected = refusedRead(cause);
      if (rejected != null) {
        throw rejected;
      }
      throw new IOException("history read on " + peerId + " failed: " + cause, cause);
    }
    return HistoryPage.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
  }

  /**
   * A read the node refused for what it asked (unknown entity type, invalid ref or range, unknown
   * query or args that do not fit it, a query function that threw), as the
   * rejection to report; null for any other failure, which another attempt or node may not repeat.
   */
  private static CommandRejectedException refusedRead(Throwable cause) {
    if (!(cause instanceof StateMachineException)) {
      return null;
    }
    // The node fails the read with "KIND: detail"; Ratis may put its own text in front. The first
    // kind named wins, so a kind's name quoted in the detail (a query's exception text) cannot change it.
    String text = String.valueOf(cause.getMessage());
    RejectionKind found = null;
    int foundAt = Integer.MAX_VALUE;
    for (RejectionKind kind : List.of(RejectionKind.UNKNOWN_ENTITY_TYPE, RejectionKind.INVALID_REQUEST,
        RejectionKind.HANDLER_FAILED)) {
      int at = text.indexOf(kind.name() + ": ");
      if (at >= 0 && at < foundAt) {
        found = kind;
        foundAt = at;
      }
    }
    return found == null ? null
        : new CommandRejectedException(found, text.substring(foundAt + found.name().length() + 2));
  }

  /** A cursor over an entity's journal for tools that lack the entity classes (the CLI). */
  public EncodedHistory encodedHistory(EntityKey key) {
    return new EncodedHistory(cursor(key));
  }

  /**
   * As {@link #encodedHistory(EntityKey)}, reading only the node a {@link ReadMode#onNode} mode
   * names (any other mode reads from any node).
   *
   * @throws IllegalArgumentException if the mode names a node that is not a peer
   */
  public EncodedHistory encodedHistory(EntityKey key, ReadMode mode) {
    return new EncodedHistory(cursor(key, mode));
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

  // ---- encoded operations (tools that lack the entity classes, like the CLI) --------------

  /**
   * Sends an already encoded command. Completes with the applied outcome (version and, when
   * {@code replyWanted}, the encoded reply), or fails like {@link #callAsync}.
   */
  public CompletableFuture<Applied> callEncoded(EntityKey key, Encoded payload, boolean replyWanted) {
    Command command = Command.newBuilder()
        .setRequestId(requestIds.next())
        .setRef(Protos.ref(key))
        .setPayload(Protos.payload(payload))
        .setReplyWanted(replyWanted)
        .build();
    CompletableFuture<Applied> applied = batcher.submit(command, requestTimeout.toMillis());
    return replyWanted ? applied.thenApply(a -> requireReply(key, a)) : applied;
  }

  /** A retry answered after the node forgot the reply fails: returning no reply would be a wrong one. */
  static Applied requireReply(EntityKey key, Applied applied) {
    if (applied.getReplyForgotten()) {
      throw new io.pachyderm.api.ReplyForgottenException("the call on " + key + " was applied at version "
          + applied.getVersion() + " (once; it was not run again), but its reply is no longer kept: the retry came"
          + " after newer replies filled the nodes' de-duplication reply budget", applied.getVersion());
    }
    return applied;
  }

  /**
   * Reads an entity's encoded state as {@code mode} says; {@code hasState()} is false for an entity
   * without events.
   *
   * @throws IllegalArgumentException (in the future) if {@code mode} names a node that is not a peer
   */
  public CompletableFuture<EntityRead> readEncoded(EntityKey key, ReadMode mode) {
    return readAs(mode, ReadRequest.newBuilder().setEntity(Protos.ref(key)).build(), EntityRead::parseFrom,
        key.toString());
  }

  /**
   * Runs the named query {@code query} of the entity's type on the node that serves the read
   * ({@code mode}); the reply carries only the encoded result and the entity's version. {@code args}
   * is null for a query without args; a payload with an empty type stands for the query's declared
   * args class (what a tool without the entity classes sends). Fails like {@link #queryAsync(EntityRef,
   * Query, Object, ReadMode)}.
   */
  public CompletableFuture<QueryReply> queryEncoded(EntityKey key, String query, Payload args, ReadMode mode) {
    EntityQuery.Builder q = EntityQuery.newBuilder().setRef(Protos.ref(key)).setName(Objects.requireNonNull(query,
        "query"));
    if (args != null) {
      q.setArgs(args);
    }
    return readAs(mode, ReadRequest.newBuilder().setQuery(q).build(), QueryReply::parseFrom,
        "query '" + query + "' of " + key);
  }

  /**
   * The one place a {@link ReadMode} becomes a Ratis read, retried until the request timeout:
   * ReadIndex through the leader, a stale read from the next node in turn, or a stale read from the
   * named node (retried there only).
   */
  private <T> CompletableFuture<T> readAs(ReadMode mode, ReadRequest request, ReplyParser<T> parser, String what) {
    Objects.requireNonNull(mode, "mode");
    Message message = message(request.toByteArray());
    if (mode instanceof ReadMode.Linearizable) {
      return read(() -> requests.leaderRead(message), parser, what);
    }
    if (mode instanceof ReadMode.OnNode on) {
      RaftPeerId node;
      try {
        node = RaftPeerId.valueOf(peer(on).id());
      } catch (IllegalArgumentException e) {
        return CompletableFuture.failedFuture(e);
      }
      return read(() -> requests.staleRead(message, node), parser, what + " on " + on.nodeId());
    }
    return read(() -> requests.staleRead(message, nextStalePeer()), parser, what);
  }

  /**
   * Reads up to {@code limit} dead letters (at least 1) linearizably, with the store's total
   * count; payloads stay encoded. {@link #deadLetters()} is the typed form.
   */
  public CompletableFuture<DeadLetterList> readDeadLetters(int limit) {
    if (limit < 1) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "dead letter list limit must be >= 1, was " + limit));
    }
    Message message = message(ReadRequest.newBuilder()
        .setDeadLetters(DeadLetterQuery.newBuilder().setLimit(limit)).build().toByteArray());
    return read(() -> requests.leaderRead(message), DeadLetterList::parseFrom, "the dead letters");
  }

  /**
   * The dead-letter store of the cluster: every ecosystem's. Payloads are decoded when their
   * source's entity type is registered with this client.
   */
  public DeadLetters deadLetters() {
    return deadLetters;
  }

  private RaftPeerId nextStalePeer() {
    Peer p = peers.get(Math.floorMod(staleReadPeer.getAndIncrement(), peers.size()));
    return RaftPeerId.valueOf(p.id());
  }

  /** Parses a read reply; an {@link IOException} means the bytes are not the expected message. */
  private interface ReplyParser<T> {
    T parse(ByteBuffer bytes) throws IOException;
  }

  /** One read, retried with backoff until the request timeout; {@code what} names it in errors. */
  private <T> CompletableFuture<T> read(Supplier<CompletableFuture<RaftClientReply>> attempt,
                                        ReplyParser<T> parser, String what) {
    long deadlineNs = System.nanoTime() + requestTimeout.toNanos();
    CompletableFuture<T> result = new CompletableFuture<>();
    expireAtTimeout(result, () -> "no answer to the read of " + what + " within the request timeout");
    readWithRetries(attempt, parser, deadlineNs, result, 0, what);
    return result;
  }

  /**
   * Fails {@code result} when the request timeout passes with an attempt still in flight. The
   * retry loops check the deadline only between attempts, and one Ratis attempt may itself retry
   * for up to ~60 s (20 tries of up to 3 s each).
   */
  private void expireAtTimeout(CompletableFuture<?> result, Supplier<String> message) {
    java.util.concurrent.ScheduledFuture<?> expiry = timer.schedule(() -> {
      if (!result.isDone()) {
        result.completeExceptionally(new OutcomeUnknownException(message.get()));
      }
    }, requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
    result.whenComplete((value, failure) -> expiry.cancel(false));
  }

  private <T> void readWithRetries(Supplier<CompletableFuture<RaftClientReply>> attempt, ReplyParser<T> parser,
                                   long deadlineNs, CompletableFuture<T> result, int attempts, String what) {
    if (result.isDone()) {
      return; // expired while waiting to retry
    }
    CompletableFuture<RaftClientReply> f;
    try {
      f = attempt.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((reply, err) -> {
      Throwable failure = err != null ? err : (reply.isSuccess() ? null : reply.getException());
      if (failure == null) {
        try {
          result.complete(parser.parse(reply.getMessage().getContent().asReadOnlyByteBuffer()));
        } catch (IOException e) {
          result.completeExceptionally(new PachydermException("unreadable read reply: " + e.getMessage(), e));
        }
        return;
      }
      Throwable cause = unwrap(failure);
      io.pachyderm.api.AccessDeniedException denied = NodeRefusalException.accessDenied(cause);
      if (denied != null) {
        result.completeExceptionally(denied);
        return;
      }
      CommandRejectedException rejected = refusedRead(cause);
      if (rejected != null) {
        result.completeExceptionally(rejected);
        return;
      }
      retryOrGiveUp(result, cause, attempts, deadlineNs, () -> "no answer to the read of " + what
              + " within the request timeout; last failure: " + cause
              + io.pachyderm.client.internal.FailureHints.of(cause),
          () -> readWithRetries(attempt, parser, deadlineNs, result, attempts + 1, what));
    });
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /**
   * The retry loops' common step: runs {@code retry} after an exponential backoff (40 ms doubling
   * to 1 s), or fails {@code result} as an unknown outcome when the backoff would pass the deadline.
   */
  private void retryOrGiveUp(CompletableFuture<?> result, Throwable cause, int attempts, long deadlineNs,
                             Supplier<String> giveUpMessage, Runnable retry) {
    long delayMs = Math.min(1000, 20L << Math.min(6, attempts + 1));
    if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs) >= deadlineNs) {
      result.completeExceptionally(new OutcomeUnknownException(giveUpMessage.get(), cause));
      return;
    }
    timer.schedule(retry, delayMs, TimeUnit.MILLISECONDS);
  }

  // ---- dead letters -------------------------------------------------------------------

  /**
   * Applies one dead-letter action; completes with true for DONE, false for GONE. The action
   * travels alone in its request: the command batcher's batches hold client commands only.
   */
  private CompletableFuture<Boolean> deadLetterAction(String id, boolean redrive) {
    DeadLetter.Id parsed;
    try {
      parsed = DeadLetter.parseId(id);
    } catch (IllegalArgumentException | NullPointerException e) {
      return CompletableFuture.failedFuture(e);
    }
    EffectId effect = EffectId.newBuilder()
        .setSource(Protos.ref(new EntityKey(parsed.ecosystem(), parsed.source().type(), parsed.source().id())))
        .setSeq(parsed.seq())
        .build();
    DeadLetterAction.Builder action = DeadLetterAction.newBuilder().setId(effect);
    if (redrive) {
      action.setRedrive(true);
    } else {
      action.setDiscard(true);
    }
    // Without the token: sendWrite adds it to every write.
    Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(
        CommandBatch.newBuilder().addDeadLetterActions(action).build().toByteArray()));
    return writeWork(message, (redrive ? "redrive of dead letter " : "discard of dead letter ") + parsed);
  }

  /**
   * Writes one item of work that is answered DONE or GONE (a dead-letter action, an admin action)
   * with retries until the request timeout; completes with true for DONE, false for GONE.
   */
  private CompletableFuture<Boolean> writeWork(Message message, String what) {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    expireAtTimeout(result, () -> "no answer to the " + what + " within the request timeout; it may or may not "
        + "have been applied");
    writeWithRetries(message, System.nanoTime() + requestTimeout.toNanos(), result, 0, what);
    return result;
  }

  /**
   * Retries every failure until the deadline, as the batcher does for commands. A retry after an
   * unknown outcome is safe: an action already applied answers GONE, and a GONE action changes nothing.
   */
  private void writeWithRetries(Message message, long deadlineNs, CompletableFuture<Boolean> result, int attempts,
                                String what) {
    if (result.isDone()) {
      return; // expired while waiting to retry
    }
    // Admin and dead-letter work keeps "outcome unknown" on timeout; the delivery only bounds Ratis' retries.
    sendWrite(message, new io.pachyderm.client.internal.Delivery(deadlineNs)).whenComplete((reply, err) -> {
      Throwable failure = err != null ? err : (reply.isSuccess() ? null : reply.getException());
      if (failure == null) {
        WorkStatus status;
        try {
          BatchReply batchReply = BatchReply.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
          if (batchReply.getWorkCount() != 1) {
            throw new IOException("expected one work status, got " + batchReply.getWorkCount());
          }
          status = batchReply.getWork(0);
        } catch (IOException | RuntimeException e) {
          result.completeExceptionally(new PachydermException("unreadable reply to the " + what + ": "
              + e.getMessage(), e));
          return;
        }
        switch (status) {
          case DONE -> {
            result.complete(true);
            return;
          }
          case GONE -> {
            result.complete(false);
            return;
          }
          case RETRY -> failure = new PachydermException("the leader asked to retry");
          default -> {
            result.completeExceptionally(new PachydermException("unexpected answer " + status + " to the " + what));
            return;
          }
        }
      }
      Throwable cause = unwrap(failure);
      io.pachyderm.api.AccessDeniedException denied = NodeRefusalException.accessDenied(cause);
      if (denied != null) {
        result.completeExceptionally(denied);
        return;
      }
      io.pachyderm.api.StorageFullException storageFull = io.pachyderm.cluster.internal.StorageFullRefusal.storageFull(cause);
      if (storageFull != null) {
        result.completeExceptionally(storageFull);
        return;
      }
      retryOrGiveUp(result, cause, attempts, deadlineNs, () -> "no answer to the " + what
              + " within the request timeout after " + (attempts + 1) + " attempt(s); it may or may not have been "
              + "applied; last failure: " + cause + io.pachyderm.client.internal.FailureHints.of(cause),
          () -> writeWithRetries(message, deadlineNs, result, attempts + 1, what));
    });
  }

  private DeadLetter deadLetter(PendingEffect p) {
    io.pachyderm.protocol.Ref source = p.getId().getSource();
    Encoded payload = Protos.encoded(p.getPayload());
    return new DeadLetter(source.getEcosystem(), EntityRef.of(source.getType(), source.getId()), p.getId().getSeq(),
        p.getHandler(), payload, decodeOrNull(source.getType(), payload), p.getVersion(), p.getAttempts(),
        p.getLastError(), Instant.ofEpochMilli(p.getDeadAtMs()));
  }

  /** Null when the type is not registered here or its codec cannot read the payload: listing must not fail on it. */
  private Object decodeOrNull(String typeName, Encoded payload) {
    EntityType<?, ?, ?> type = types.find(typeName);
    if (type == null) {
      return null;
    }
    try {
      return type.codec().decode(payload);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The typed dead-letter API over {@link #readDeadLetters} and single-action writes. */
  private final class ClusterDeadLetters implements DeadLetters {
    @Override
    public CompletableFuture<List<DeadLetter>> listAsync(int limit) {
      return readDeadLetters(limit).thenApply(list -> {
        List<DeadLetter> letters = new ArrayList<>(list.getDeadLettersCount());
        for (PendingEffect p : list.getDeadLettersList()) {
          try {
            letters.add(deadLetter(p));
          } catch (IllegalArgumentException | NullPointerException e) {
            throw new PachydermException("unreadable dead letter in the reply: " + e.getMessage(), e);
          }
        }
        return List.copyOf(letters);
      });
    }

    @Override
    public CompletableFuture<Boolean> redriveAsync(String id) {
      return deadLetterAction(id, true);
    }

    @Override
    public CompletableFuture<Boolean> discardAsync(String id) {
      return deadLetterAction(id, false);
    }
  }

  // ---- cluster status ------------------------------------------------------------------

  /**
   * Each node's own report: role, leader, term, commit and applied index, and its outbox figures.
   * One read request to each node's client port (never Ratis' admin API, whose port may be
   * loopback-only), so it works from any host that can reach the client ports. Blocks up to the
   * Ratis request timeout (3 s) per node that does not answer.
   */
  public List<NodeView> status() {
    List<NodeView> views = new ArrayList<>();
    Message statusRequest = message(ReadRequest.newBuilder().setStatus(true).build().toByteArray());
    for (Peer peer : peers) {
      RaftPeerId id = RaftPeerId.valueOf(peer.id());
      try {
        // Blocking, one attempt: a node that is down or starting shows as such at once, and
        // nothing is logged by Ratis (its ordered async path logs every failure at ERROR).
        RaftClientReply reply = pollRaft.io().sendStaleRead(statusRequest, 0, id);
        NodeStatus status = NodeStatus.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
        views.add(new NodeView(peer.id(), true, status.getRole(), status.getLeaderId(), status.getCurrentTerm(),
            status.getCommitIndex(), status.getAppliedIndex(), status.getSnapshotIndex(),
            status.getEntities(), status.getPendingMessages(), status.getPendingEffects(), status.getDeadLetters(),
            status.getTimers(), status.getMessagesDelivered(), status.getTimersFired(), status.getLeaderReady(),
            status.getJournalEnabled() ? status.getJournalRecords() : -1,
            status.getJournalEnabled() ? status.getJournalIndex() : -1, status.getDigest(), checkpoints(status),
            status.getEffectsPaused(), ""));
      } catch (Exception e) {
        Throwable cause = io.pachyderm.api.Futures.unwrap(e);
        views.add(NodeView.unreachable(peer.id(), String.valueOf(cause)));
      }
    }
    return views;
  }

  public List<Peer> peers() {
    return peers;
  }

  /** The operator's actions: snapshots, leadership, pausing effects, journal compaction. */
  public Admin admin() {
    return admin;
  }

  @Override
  public void close() {
    batcher.close();
    requests.close();
    historyPool.shutdownNow();
    if (tlsReload != null) {
      try {
        tlsReload.close();
      } catch (IOException e) {
        // Only stops a timer; the clients still need closing.
      }
    }
    try {
      admin.close();
    } catch (PachydermException e) {
      // Closing anyway; the other clients still need closing.
    }
    try {
      pollRaft.close();
    } catch (IOException e) {
      // Closing anyway; the other clients still need closing.
    }
    try {
      raft.close();
    } catch (IOException e) {
      throw new PachydermException("closing the Ratis client failed: " + e.getMessage(), e);
    } finally {
      timer.shutdownNow();
    }
  }

  /** Another ecosystem over the same connection. */
  private final class View implements Entities {
    private final String name;

    View(String name) {
      this.name = name;
    }

    @Override
    public String ecosystem() {
      return name;
    }

    @Override
    public Entities ecosystem(String other) {
      return PachydermClient.this.ecosystem(other);
    }

    @Override
    public <S, C> CompletableFuture<Reply<S>> callAsync(EntityRef<S, C> ref, C command) {
      return callIn(name, ref, command);
    }

    @Override
    public <S, C> CompletableFuture<Long> sendAsync(EntityRef<S, C> ref, C command) {
      return sendIn(name, ref, command);
    }

    @Override
    public <S> CompletableFuture<EntityState<S>> queryAsync(EntityRef<S, ?> ref, ReadMode mode) {
      return queryIn(name, ref, mode);
    }

    @Override
    public <S, A, R> CompletableFuture<QueryResult<R>> queryAsync(EntityRef<S, ?> ref, Query<S, A, R> query, A args,
                                                                  ReadMode mode) {
      return namedQueryIn(name, ref, query, args, mode);
    }

    @Override
    public <S> CompletableFuture<List<HistoryEvent>> historyAsync(EntityRef<S, ?> ref, long fromVersion, int limit,
                                                                  ReadMode mode) {
      return historyIn(name, ref, fromVersion, limit, mode);
    }

    @Override
    public List<HistoryEvent> history(EntityRef<?, ?> ref, long fromVersion) {
      return historyAllIn(name, ref, fromVersion);
    }

    @Override
    public <S> Follow<S> follow(EntityRef<S, ?> ref, long fromVersion, boolean withStates) {
      return followIn(name, ref, fromVersion, withStates);
    }

    @Override
    public Duration requestTimeout() {
      return requestTimeout;
    }
  }

  /** Configures a client; every setting has a default but the peers. Not thread-safe. */
  public static final class Builder {
    private final List<Peer> peers;
    /** Null: the cluster id is derived from the peer list, as the nodes do by default. */
    private String clusterName;
    /** Overrides clusterName when set. */
    private java.util.UUID clusterId;
    private EntityTypes types = EntityTypes.of();
    private String ecosystem = "default";
    private Duration requestTimeout = REQUEST_TIMEOUT_DEFAULT;
    private Transport transport = Transport.GRPC;
    private int inflightBatchesMax = 4;
    private int commandsPerBatchMax = 256;
    private int batchBytesMax = 1 << 20;
    private int queuedCommandsMax = 100_000;
    private int historyReadsQueuedMax = 1_000;
    private TlsMaterial tls;
    private String token;

    private Builder(List<Peer> peers) {
      if (peers == null || peers.isEmpty()) {
        throw new IllegalArgumentException("a client needs at least one peer");
      }
      this.peers = List.copyOf(peers);
    }

    /** The entity types this client encodes commands for and decodes replies of. */
    public Builder entityTypes(EntityTypes types) {
      this.types = Objects.requireNonNull(types, "types");
      return this;
    }

    /** The ecosystem addressed by the client's own {@link Entities} methods. Default "default". */
    public Builder ecosystem(String name) {
      this.ecosystem = EntityKey.requireValidEcosystem(name);
      return this;
    }

    /**
     * Must match the nodes' cluster name. By default the client derives the cluster id from its
     * peer list, as nodes do from theirs: a client given a different list than the cluster's
     * initial one (a subset) needs the name the nodes were given, or {@code clusterId}.
     */
    public Builder clusterName(String name) {
      this.clusterName = Objects.requireNonNull(name, "cluster name");
      return this;
    }

    /**
     * The cluster id the nodes serve ({@code PachydermNode.clusterId()}, {@code <data>/cluster-id},
     * {@code pachyderm status}); needed when this client's peer list is not the cluster's initial
     * one. A node of another cluster refuses the client ({@link ClusterMismatchException}).
     */
    public Builder clusterId(java.util.UUID id) {
      this.clusterId = Objects.requireNonNull(id, "cluster id");
      return this;
    }

    /** Per request, retries included. Default 15 s. */
    public Builder requestTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("request timeout must be positive: " + timeout);
      }
      this.requestTimeout = timeout;
      return this;
    }

    /** Must match the nodes' transport. Default gRPC. */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** Batches outstanding at once before commands start to accumulate. Default 4. */
    public Builder inflightBatchesMax(int n) {
      this.inflightBatchesMax = requirePositive(n, "inflight batches max");
      return this;
    }

    /** Commands per request (log entry). Default 256; nodes accept up to their own limit. */
    public Builder commandsPerBatchMax(int n) {
      this.commandsPerBatchMax = requirePositive(n, "commands per batch max");
      return this;
    }

    /** Encoded bytes per request; also the largest single command. Default 1 MiB. */
    public Builder batchBytesMax(int n) {
      this.batchBytesMax = requirePositive(n, "batch bytes max");
      return this;
    }

    /** Commands waiting to be sent before new ones are refused. Default 100,000. */
    public Builder queuedCommandsMax(int n) {
      this.queuedCommandsMax = requirePositive(n, "queued commands max");
      return this;
    }

    /**
     * {@code historyAsync} reads waiting for one of the client's four history threads before new
     * ones fail at once with an {@link io.pachyderm.api.OverloadedException} (nothing was sent:
     * retry later). Default 1,000.
     */
    public Builder historyReadsQueuedMax(int n) {
      this.historyReadsQueuedMax = requirePositive(n, "history reads queued max");
      return this;
    }

    /**
     * Mutual TLS to every node (default: none, plaintext). The files are read and checked now; the
     * certificate must be signed by a CA in the nodes' trust bundle, and each node's certificate
     * must be signed by one in {@code files.trustBundle()} and name the node's host (a DNS or IP
     * subject alternative name), which gRPC checks. Needs the gRPC transport. The client looks at
     * the files every {@link TlsMaterial#RELOAD_INTERVAL_DEFAULT} and uses changed ones for new
     * connections ({@link TlsMaterial#reloadIfChanged}); a broken replacement is logged and refused.
     *
     * @throws IllegalArgumentException naming the file that cannot be read or does not fit
     */
    public Builder tls(TlsFiles files) {
      this.tls = Objects.requireNonNull(files, "TLS files").load();
      return this;
    }

    /**
     * Sends {@code token} with every request (default: none), for nodes started with a client token
     * ({@code --token-file}) and no mutual TLS: 16..1024 printable ASCII characters. Without TLS it
     * travels in plaintext. A node that wants another token refuses the request with
     * {@link io.pachyderm.api.AccessDeniedException}.
     */
    public Builder token(String token) {
      this.token = Tokens.requireValid(token, "client token");
      return this;
    }

    public PachydermClient build() {
      if (tls != null && transport != Transport.GRPC) {
        throw new IllegalArgumentException("TLS needs the gRPC transport: Ratis 3.3.0's Netty transport has no TLS");
      }
      return new PachydermClient(this);
    }

    private static int requirePositive(int n, String what) {
      if (n < 1) {
        throw new IllegalArgumentException(what + " must be >= 1: " + n);
      }
      return n;
    }
  }

  private static java.util.NavigableMap<Long, Long> checkpoints(NodeStatus status) {
    java.util.NavigableMap<Long, Long> m = new java.util.TreeMap<>();
    for (io.pachyderm.protocol.DigestCheckpoint c : status.getDigestCheckpointsList()) {
      m.put(c.getIndex(), c.getDigest());
    }
    return m;
  }
}
