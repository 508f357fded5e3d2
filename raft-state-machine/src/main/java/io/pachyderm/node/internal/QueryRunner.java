package io.pachyderm.node.internal;

import io.pachyderm.api.RejectionKind;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.exceptions.StateMachineException;

/**
 * Runs named queries, which are user code, on threads of their own: at most {@link #THREADS} at
 * once, {@link #QUEUED_MAX} waiting, each answering within {@link #TIME_MS_MAX} or failing.
 *
 * <p>Why not on the Ratis thread that delivers the read. Scenario, seen in {@code ClusterQueryTest}
 * before this class existed: (1) a query blocks on the leader's read thread; (2) after the client's
 * 3 s per-attempt timeout, Ratis resends the read and the leader runs the query again on another
 * thread; (3) each resend holds one more thread until the leader cannot answer its followers'
 * read-index requests, and linearizable reads fail on every node. Here a slow query holds one
 * query thread for at most {@link #TIME_MS_MAX}, below that 3 s, then is interrupted and its read
 * fails ({@code HANDLER_FAILED}); the Ratis threads and the apply path never wait for it.
 *
 * <p>Thread-safe.
 */
final class QueryRunner implements AutoCloseable {
  static final int THREADS = 2;
  static final int QUEUED_MAX = 1_000;
  /** Below the client's 3 s per-attempt timeout, so a slow query fails before it is resent. */
  static final long TIME_MS_MAX = 2_000;

  private final String nodeId;
  private final ThreadPoolExecutor pool;

  QueryRunner(String nodeId) {
    this.nodeId = nodeId;
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUED_MAX),
        r -> {
          Thread t = new Thread(r, "pachyderm-query-" + nodeId + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
  }

  /**
   * Runs {@code query} on a query thread. The answer fails as {@code query} fails; with a
   * {@code HANDLER_FAILED} rejection when it takes longer than {@link #TIME_MS_MAX} (it is then
   * interrupted); and, without a kind (so that the client tries again), when the queue is full.
   */
  CompletableFuture<Message> run(String what, Callable<Message> query) {
    CompletableFuture<Message> answer = new CompletableFuture<>();
    Future<?> task;
    try {
      task = pool.submit(() -> {
        try {
          answer.complete(query.call());
        } catch (Exception | StackOverflowError e) {
          answer.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new StateMachineException("node " + nodeId + " has " + QUEUED_MAX
          + " queries waiting (or is closing); " + what + " was not run"));
    }
    CompletableFuture<Message> result = new CompletableFuture<>();
    answer.orTimeout(TIME_MS_MAX, TimeUnit.MILLISECONDS).whenComplete((message, failure) -> {
      if (failure == null) {
        result.complete(message);
      } else if (failure instanceof TimeoutException) {
        task.cancel(true);
        result.completeExceptionally(new ReadRefused(RejectionKind.HANDLER_FAILED, what
            + " did not answer within " + TIME_MS_MAX + " ms on node " + nodeId
            + " and was interrupted; a query must be quick and must not block"));
      } else {
        result.completeExceptionally(failure);
      }
    });
    return result;
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
