package io.pachyderm.client.internal;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes, leader reads and stale reads through one Ratis client, as blocking requests on a small
 * thread pool: the path of Ratis' client that logs a failed attempt at DEBUG, on both transports.
 *
 * <p>Why not Ratis' ordered async API ({@code client.async().send}): in Ratis 3.3.0
 * {@code OrderedAsync.sendRequestWithRetry} logs every failed attempt at ERROR before it asks
 * the retry policy (stack trace included unless the cause is NotLeader or AlreadyClosed), and
 * logs ERROR again when the request finally fails. A leader kill that the client rides out
 * therefore printed ~20 ERROR stack traces into the embedding application's log. Ordering
 * between requests in flight is not something we rely on: every command carries its own request
 * id, the state machine deduplicates, and concurrent calls have no order to keep. The ordered
 * path also closed its request window for good once its retries ran out, which forced replacing
 * the Ratis client; the blocking path has no window.
 *
 * <p>Why not Ratis' unordered async path (gRPC only): measured side by side with the blocking
 * pool ({@code benchmarks/run.sh --quick}), it gave 0.5-0.75x the calls/s of the cluster rows
 * (one command per request: 461 vs 802), while the pool matched the ordered path. Threads are
 * cheap here: writes have at most the batcher's in-flight batches outstanding.
 *
 * <p>Logs one INFO line per leader change it sees (the server answering writes changes), so a
 * handled failover is visible once rather than once per request. Thread-safe.
 */
public final class RaftRequests implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RaftRequests.class);
  /** Threads that hand in-process replies on to the client (the batcher's and the readers' callbacks). */
  private static final int REPLY_THREADS = 2;

  private final RaftClient raft;
  private final ExecutorService blocking;
  /** Null over the network; else the node in this JVM every request goes to directly. */
  private final InProcessServer inProcess;
  private final RaftGroupId groupId;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  /**
   * Where an in-process request's reply is handed on: not the server's thread that completes it
   * (the one that applies the log), which would otherwise also run the client's reply handling.
   */
  private final ExecutorService replies;
  /** The server that answered the write with the highest log index so far. */
  private final AtomicReference<Answered> leader = new AtomicReference<>();

  private record Answered(RaftPeerId server, long logIndex) {}

  /**
   * @param raft the Ratis client the requests go through
   * @param threadsMax the threads that run blocking requests: as many requests are outstanding at
   *     once; those beyond wait in a queue of {@code queueMax}, and beyond that are refused
   */
  public RaftRequests(RaftClient raft, int threadsMax, int queueMax) {
    this(raft, threadsMax, queueMax, null, null);
  }

  /**
   * @param inProcess when not null, every write and read goes to this node in this JVM, in group
   *     {@code groupId}, as a Ratis request handed to its server; {@code raft} is then unused here
   */
  public RaftRequests(RaftClient raft, int threadsMax, int queueMax, InProcessServer inProcess, RaftGroupId groupId) {
    if (inProcess != null) {
      Objects.requireNonNull(groupId, "groupId");
    }
    this.inProcess = inProcess;
    this.groupId = groupId;
    this.replies = inProcess == null ? null : Executors.newFixedThreadPool(REPLY_THREADS, r -> {
      Thread t = new Thread(r, "pachyderm-client-reply");
      t.setDaemon(true);
      return t;
    });
    if (threadsMax < 1 || queueMax < 1) {
      throw new IllegalArgumentException("request threads and queue must be >= 1: " + threadsMax + ", " + queueMax);
    }
    this.raft = raft;
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threadsMax, threadsMax, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(queueMax), r -> {
          Thread t = new Thread(r, "pachyderm-client-request");
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    this.blocking = pool;
  }

  /**
   * A write to the leader; Ratis retries it (same call id) per the client's retry policy, which
   * records each failed attempt in {@code delivery} (see {@link DeliveryRetryPolicy}). The
   * delivery is settled before the returned future completes.
   */
  public CompletableFuture<RaftClientReply> write(Message message, Delivery delivery) {
    CompletableFuture<RaftClientReply> attempt = inProcess != null
        ? submitInProcess(RaftClientRequest.writeRequestType(), message)
        : runBlocking(() -> delivery.during(() -> raft.io().send(message)));
    CompletableFuture<RaftClientReply> sent = attempt.whenComplete((reply, failure) -> {
      if (reply != null) {
        delivery.reached();
      } else {
        delivery.failed(null, failure);
      }
      delivery.settle();
    });
    return noteLeader(sent);
  }

  /** A linearizable read on the leader (ReadIndex). */
  public CompletableFuture<RaftClientReply> leaderRead(Message message) {
    return inProcess != null ? submitInProcess(RaftClientRequest.readRequestType(), message)
        : runBlocking(() -> raft.io().sendReadOnly(message));
  }

  /** A read of {@code server}'s applied state, whatever its role. */
  public CompletableFuture<RaftClientReply> staleRead(Message message, RaftPeerId server) {
    return inProcess(server) ? submitInProcess(RaftClientRequest.staleReadRequestType(0), message)
        : runBlocking(() -> raft.io().sendStaleRead(message, 0, server));
  }

  /** Whether requests to {@code server} go to a node in this JVM directly. */
  public boolean inProcess(RaftPeerId server) {
    return inProcess != null && inProcess.peerId().equals(server);
  }

  /**
   * One Ratis request handed to the in-process server. Handed over on the request pool (so that the
   * caller, often the batcher under its own bookkeeping, never runs the server's admission path,
   * and the pool's queue bounds what is outstanding as it does over the network); the reply is
   * handed on by the reply threads. A refusal (not leader yet, a state machine error) comes back
   * in the reply, as over the network, for the caller's own retry loop.
   */
  public CompletableFuture<RaftClientReply> submitInProcess(RaftClientRequest.Type type, Message message) {
    RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId).setServerId(inProcess.peerId())
        .setGroupId(groupId).setCallId(callIds.incrementAndGet()).setMessage(message).setType(type).build();
    CompletableFuture<RaftClientReply> f = new CompletableFuture<>();
    try {
      blocking.execute(() -> {
        try {
          inProcess.server().submitClientRequestAsync(request).whenCompleteAsync((reply, failure) -> {
            if (failure != null) {
              f.completeExceptionally(failure instanceof java.util.concurrent.CompletionException c
                  && c.getCause() != null ? c.getCause() : failure);
            } else {
              f.complete(reply);
            }
          }, this::handOnReply);
        } catch (IOException | RuntimeException e) {
          f.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(new IOException("client overloaded or closed: request queue full", e));
    }
    return f;
  }
  /** On a reply thread; on the completing thread once the client is closed (the answer still arrives). */
  private void handOnReply(Runnable r) {
    try {
      replies.execute(r);
    } catch (RejectedExecutionException closed) {
      r.run();
    }
  }

  private interface BlockingRequest {
    RaftClientReply send() throws IOException;
  }

  private CompletableFuture<RaftClientReply> runBlocking(BlockingRequest request) {
    CompletableFuture<RaftClientReply> f = new CompletableFuture<>();
    try {
      blocking.execute(() -> {
        try {
          f.complete(request.send());
        } catch (org.apache.ratis.protocol.exceptions.GroupMismatchException e) {
          f.completeExceptionally(ClusterMismatch.of(raft, e));
        } catch (IOException | RuntimeException e) {
          f.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(new IOException("client overloaded or closed: request queue full", e));
    }
    return f;
  }

  /**
   * Notes the server that answered a write. Only a later log index counts: a reply from the old
   * leader that arrives after the new leader's (an entry it appended just before the kill, whose
   * answer was slow) must not read as a change back.
   */
  private CompletableFuture<RaftClientReply> noteLeader(CompletableFuture<RaftClientReply> f) {
    return f.whenComplete((reply, failure) -> {
      if (reply == null || !reply.isSuccess() || reply.getServerId() == null) {
        return;
      }
      Answered now = new Answered(reply.getServerId(), reply.getLogIndex());
      while (true) {
        Answered before = leader.get();
        if (before != null && before.logIndex() >= now.logIndex()) {
          return;
        }
        if (!leader.compareAndSet(before, now)) {
          continue;
        }
        if (before == null) {
          LOG.debug("cluster leader is {}", now.server());
        } else if (!before.server().equals(now.server())) {
          LOG.info("cluster leader changed from {} to {}; requests in flight were resent there with their "
              + "request ids", before.server(), now.server());
        }
        return;
      }
    });
  }

  /** Stops the pool (interrupting requests in flight); the Ratis client is the caller's to close. */
  @Override
  public void close() {
    blocking.shutdownNow();
    if (replies != null) {
      replies.shutdownNow();
    }
  }
}
