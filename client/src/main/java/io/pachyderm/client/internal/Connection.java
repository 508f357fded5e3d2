package io.pachyderm.client.internal;

import io.pachyderm.cluster.internal.RatisCluster;
import io.pachyderm.cluster.internal.StorageFullRefusal;
import io.pachyderm.cluster.internal.NodeRefusals;
import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.OutcomeUnknownException;
import io.pachyderm.api.PachydermException;
import io.pachyderm.api.ReadMode;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.Transport;
import io.pachyderm.cluster.tls.TlsMaterial;
import io.pachyderm.protocol.Applied;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.ReadRequest;
import io.pachyderm.protocol.WorkStatus;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * A client's connection to a cluster: its Ratis clients, the blocking request pool that replaces
 * Ratis' async API ({@link RaftRequests}), the command batcher, request ids, the token, and the
 * retry loops with backoff that run every request until the request timeout. Everything above it
 * (typed operations, encoded operations, history, dead letters, status, admin) sends through it
 * and never builds a Ratis client of its own, except {@code ClusterAdmin}, whose calls need a
 * longer Ratis timeout. Thread-safe.
 */
public final class Connection implements AutoCloseable {
  /** Threads for blocking reads besides those for the batches in flight (see RaftRequests). */
  private static final int READ_THREADS = 16;

  /**
   * What a connection is made from; validated by {@code PachydermClient.Builder}.
   *
   * @param clusterName null: the cluster id is derived from the peer list (as the nodes do)
   * @param clusterId overrides {@code clusterName} when not null
   * @param tls null: plaintext
   * @param token null: no token is sent
   */
  public record Settings(List<Peer> peers, String clusterName, UUID clusterId, Transport transport, TlsMaterial tls,
                         String token, Duration requestTimeout, int inflightBatchesMax, int commandsPerBatchMax,
                         int batchBytesMax, int queuedCommandsMax, InProcessServer inProcess) {
    public Settings {
      peers = List.copyOf(peers);
      Objects.requireNonNull(transport, "transport");
      Objects.requireNonNull(requestTimeout, "request timeout");
    }
  }

  /** Parses a read reply; an {@link IOException} means the bytes are not the expected message. */
  public interface ReplyParser<T> {
    T parse(ByteBuffer bytes) throws IOException;
  }

  private final List<Peer> peers;
  private final Transport transport;
  private final Duration requestTimeout;
  private final RaftGroup group;
  /** Ratis' non-string settings: the TLS configuration when the client has TLS. */
  private final Parameters parameters;
  /** Writes, linearizable reads and stale reads, sent through {@link #requests}. */
  private final RaftClient raft;
  /**
   * Never Ratis' ordered async API: it logs every failed attempt at ERROR (see RaftRequests), and
   * kept one request window per target, which made a stale read followed by a write on the same
   * client wait ~6 s for two request timeouts.
   */
  private final RaftRequests requests;
  /**
   * Blocking single attempts on a named node (history pages, status): no retry policy (the callers
   * move to the next node themselves) and Ratis' blocking calls, which stay out of the ordered
   * per-server request windows, so one parked long poll never holds up another reader's request.
   */
  private final RaftClient pollRaft;
  private final ScheduledThreadPoolExecutor timer;
  private final Batcher batcher;
  private final RequestIds requestIds = new RequestIds();
  private final AtomicInteger staleReadPeer = new AtomicInteger();
  private final AtomicInteger cursorPeer = new AtomicInteger();
  /** The token as an encoded {@code auth_token} field (see {@link #message}); empty without one. */
  private final byte[] tokenField;
  /** Stops looking for rotated TLS files; null without TLS. */
  private final Closeable tlsReload;

  public Connection(Settings s) {
    this.peers = s.peers();
    this.transport = s.transport();
    this.requestTimeout = s.requestTimeout();
    this.tokenField = s.token() == null ? new byte[0] : ReadRequest.newBuilder()
        .setAuthToken(com.google.protobuf.ByteString.copyFromUtf8(s.token())).build().toByteArray();
    this.group = s.clusterId() != null ? RatisCluster.group(RaftGroupId.valueOf(s.clusterId()), peers)
        : RatisCluster.group(s.clusterName(), peers);
    RaftProperties properties = new RaftProperties();
    RaftConfigKeys.Rpc.setType(properties, RatisCluster.rpcType(transport));
    RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(3, TimeUnit.SECONDS));
    GrpcConfigKeys.setMessageSizeMax(properties, SizeInBytes.valueOf("64MB"));
    this.parameters = new Parameters();
    if (s.tls() != null) {
      GrpcConfigKeys.TLS.setConf(parameters, RatisCluster.grpcTlsConfig(s.tls()));
      this.tlsReload = s.tls().reloadEvery(TlsMaterial.RELOAD_INTERVAL_DEFAULT, certificate -> {});
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
        .setRetryPolicy(DeliveryRetryPolicy.observing(
            RetryPolicies.retryUpToMaximumCountWithFixedSleep(20, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS))))
        .build();
    this.requests = new RaftRequests(raft, s.inflightBatchesMax() + READ_THREADS, s.queuedCommandsMax(), s.inProcess(),
        group.getGroupId());
    this.pollRaft = RaftClient.newBuilder().setProperties(properties).setParameters(parameters).setRaftGroup(group)
        .setClientId(ClientId.randomId()).setRetryPolicy(RetryPolicies.noRetry()).build();
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "pachyderm-client-timer");
      t.setDaemon(true);
      return t;
    });
    // Every command arms a timeout that is cancelled when it completes; drop those at once.
    timer.setRemoveOnCancelPolicy(true);
    this.batcher = new Batcher(this::sendWrite, timer, s.inflightBatchesMax(), s.commandsPerBatchMax(),
        s.batchBytesMax(), s.queuedCommandsMax());
  }

  public List<Peer> peers() {
    return peers;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  public Transport transport() {
    return transport;
  }

  public RaftGroup group() {
    return group;
  }

  /** Ratis' non-string settings (TLS), for another Ratis client of the same cluster (admin). */
  public Parameters parameters() {
    return parameters;
  }

  /** Where the next history cursor starts, so that readers spread over the nodes. */
  public int nextCursorPeer() {
    return cursorPeer.getAndIncrement();
  }

  /** The peer a {@link ReadMode#onNode} read names; one this client does not know is a caller's mistake. */
  public Peer peer(ReadMode.OnNode on) {
    for (Peer p : peers) {
      if (p.id().equals(on.nodeId())) {
        return p;
      }
    }
    throw new IllegalArgumentException("no node '" + on.nodeId() + "' among this client's peers "
        + peers.stream().map(Peer::id).toList());
  }

  // ---- commands ---------------------------------------------------------------------------

  /**
   * Numbers {@code command} with the next request id and queues it for the batcher, which retries
   * it (same id) until the request timeout.
   */
  public CompletableFuture<Applied> submit(Command.Builder command) {
    return batcher.submit(command.setRequestId(requestIds.next()).build(), requestTimeout.toMillis());
  }

  /** Sends a write batch (with the token); failures are retried by Ratis, then by the caller's loop. */
  private CompletableFuture<RaftClientReply> sendWrite(Message message, Delivery delivery) {
    return requests.write(tokenField.length == 0 ? message : message(message.getContent().toByteArray()), delivery);
  }

  /**
   * A request's message with this client's token, if it has one. {@code encoded} is a CommandBatch
   * or a ReadRequest; both hold the token in field 15, and appending a field's bytes to a protobuf
   * encoding sets that field, so one prepared suffix serves both.
   */
  public Message message(byte[] encoded) {
    if (tokenField.length == 0) {
      return Message.valueOf(UnsafeByteOperations.unsafeWrap(encoded));
    }
    byte[] withToken = Arrays.copyOf(encoded, encoded.length + tokenField.length);
    System.arraycopy(tokenField, 0, withToken, encoded.length, tokenField.length);
    return Message.valueOf(UnsafeByteOperations.unsafeWrap(withToken));
  }

  // ---- reads ------------------------------------------------------------------------------

  /**
   * The one place a {@link ReadMode} becomes a Ratis read, retried with backoff until the request
   * timeout: ReadIndex through the leader, a stale read from the next node in turn, or a stale read
   * from the named node (retried there only). A refusal fails it at once ({@link ReadFailures}).
   */
  public <T> CompletableFuture<T> read(ReadMode mode, ReadRequest request, ReplyParser<T> parser, String what) {
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
   * One blocking attempt of a read on node {@code peerId}, whatever its role (long polls included).
   *
   * @throws PachydermException the typed refusal when the node refused the read or the caller ({@link ReadFailures})
   * @throws IOException when the node cannot be reached, fails, or answers unreadable bytes
   */
  public <T> T readOnce(String peerId, ReadRequest request, ReplyParser<T> parser, String what) throws IOException {
    RaftClientReply reply;
    try {
      RaftPeerId peer = RaftPeerId.valueOf(peerId);
      reply = requests.inProcess(peer) ? awaitInProcess(requests.submitInProcess(
          org.apache.ratis.protocol.RaftClientRequest.staleReadRequestType(0), message(request.toByteArray())), what)
          : pollRaft.io().sendStaleRead(message(request.toByteArray()), 0, peer);
    } catch (IOException e) {
      PachydermException refused = ReadFailures.refusal(e);
      if (refused != null) {
        throw refused;
      }
      throw e;
    }
    if (!reply.isSuccess()) {
      Throwable cause = reply.getException();
      PachydermException refused = ReadFailures.refusal(cause);
      if (refused != null) {
        throw refused;
      }
      throw new IOException(what + " on " + peerId + " failed: " + cause, cause);
    }
    return parser.parse(ReadFailures.result(reply.getMessage().getContent().asReadOnlyByteBuffer()));
  }

  /**
   * Waits for an in-process request as a blocking Ratis call would (a long poll parks on the node
   * for less than the request timeout); a failure is an {@link IOException} as over the network.
   */
  private RaftClientReply awaitInProcess(CompletableFuture<RaftClientReply> f, String what) throws IOException {
    try {
      return f.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(what + " failed: " + e.getCause(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      f.cancel(false);
      throw new IOException("no answer to " + what + " within " + requestTimeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted waiting for " + what);
    }
  }

  private RaftPeerId nextStalePeer() {
    Peer p = peers.get(Math.floorMod(staleReadPeer.getAndIncrement(), peers.size()));
    return RaftPeerId.valueOf(p.id());
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
          result.complete(parser.parse(ReadFailures.result(reply.getMessage().getContent().asReadOnlyByteBuffer())));
        } catch (CommandRejectedException refused) {
          result.completeExceptionally(refused);
        } catch (IOException e) {
          result.completeExceptionally(new PachydermException("unreadable read reply: " + e.getMessage(), e));
        }
        return;
      }
      Throwable cause = unwrap(failure);
      PachydermException refused = ReadFailures.refusal(cause);
      if (refused != null) {
        result.completeExceptionally(refused);
        return;
      }
      retryOrGiveUp(result, cause, attempts, deadlineNs, () -> "no answer to the read of " + what
              + " within the request timeout; last failure: " + cause + FailureHints.of(cause),
          () -> readWithRetries(attempt, parser, deadlineNs, result, attempts + 1, what));
    });
  }

  // ---- work writes (dead-letter and admin actions) ---------------------------------------

  /**
   * Writes one item of work that is answered DONE or GONE (a dead-letter action, an admin action),
   * given as an encoded CommandBatch without the token, with retries until the request timeout;
   * completes with true for DONE, false for GONE. The work travels alone in its request: the
   * command batcher's batches hold client commands only.
   */
  public CompletableFuture<Boolean> writeWork(byte[] batch, String what) {
    Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(batch)); // sendWrite adds the token
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
    sendWrite(message, new Delivery(deadlineNs)).whenComplete((reply, err) -> {
      Throwable failure = err != null ? err : (reply.isSuccess() ? null : reply.getException());
      if (failure == null) {
        WorkStatus status;
        try {
          status = workStatus(reply);
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
      io.pachyderm.api.AccessDeniedException denied = NodeRefusals.accessDenied(cause);
      if (denied != null) {
        result.completeExceptionally(denied);
        return;
      }
      io.pachyderm.api.StorageFullException storageFull = StorageFullRefusal.storageFull(cause);
      if (storageFull != null) {
        result.completeExceptionally(storageFull);
        return;
      }
      retryOrGiveUp(result, cause, attempts, deadlineNs, () -> "no answer to the " + what
              + " within the request timeout after " + (attempts + 1) + " attempt(s); it may or may not have been "
              + "applied; last failure: " + cause + FailureHints.of(cause),
          () -> writeWithRetries(message, deadlineNs, result, attempts + 1, what));
    });
  }

  private static WorkStatus workStatus(RaftClientReply reply) throws IOException {
    BatchReply batchReply = BatchReply.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
    if (batchReply.getWorkCount() != 1) {
      throw new IOException("expected one work status, got " + batchReply.getWorkCount());
    }
    return batchReply.getWork(0);
  }

  // ---- retries ------------------------------------------------------------------------------

  /**
   * Fails {@code result} when the request timeout passes with an attempt still in flight. The
   * retry loops check the deadline only between attempts, and one Ratis attempt may itself retry
   * for up to ~60 s (20 tries of up to 3 s each).
   */
  private void expireAtTimeout(CompletableFuture<?> result, Supplier<String> message) {
    ScheduledFuture<?> expiry = timer.schedule(() -> {
      if (!result.isDone()) {
        result.completeExceptionally(new OutcomeUnknownException(message.get()));
      }
    }, requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
    result.whenComplete((value, failure) -> expiry.cancel(false));
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

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** Fails what is queued or in flight, then closes the Ratis clients; the first failure to close is thrown. */
  @Override
  public void close() {
    batcher.close();
    requests.close();
    if (tlsReload != null) {
      try {
        tlsReload.close();
      } catch (IOException e) {
        // Only stops a timer; the clients still need closing.
      }
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
}
