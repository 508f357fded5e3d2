package io.pachyderm.client.internal;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * What one send of a write batch (one blocking Ratis call, with Ratis' own retries inside) is
 * known to have done: whether any attempt may have reached a node, and why each peer tried failed.
 * Ratis reports each failed attempt to its retry policy on the calling thread
 * ({@link DeliveryRetryPolicy}), which records it here through {@link #current()}.
 *
 * <p>"Never delivered" is claimed only for failures before a connection existed: a refused or
 * timed-out TCP connect, an unknown host, no route. Anything else (a reply of any kind, a timeout
 * on an open connection, a reset, an unclassified exception) may have delivered the request.
 * Thread-safe.
 */
public final class Delivery {
  private static final ThreadLocal<Delivery> CURRENT = new ThreadLocal<>();

  private final long deadlineNs;
  private final CompletableFuture<Void> settled = new CompletableFuture<>();
  /** Guarded by {@code this}; sorted so messages list peers in a stable order. */
  private final Map<String, String> reasonsByPeer = new TreeMap<>();
  private boolean mayHaveArrived;

  public Delivery(long deadlineNs) {
    this.deadlineNs = deadlineNs;
  }

  /** The delivery the calling thread is sending, or null. */
  static Delivery current() {
    return CURRENT.get();
  }

  /** Runs a blocking send with this delivery as the thread's current one. */
  <T, X extends Exception> T during(ThrowingSupplier<T, X> send) throws X {
    CURRENT.set(this);
    try {
      return send.get();
    } finally {
      CURRENT.remove();
    }
  }

  interface ThrowingSupplier<T, X extends Exception> {
    T get() throws X;
  }

  boolean pastDeadline() {
    return System.nanoTime() - deadlineNs >= 0;
  }

  /** A node answered (any answer, even a refusal): the request reached it. */
  public synchronized void reached() {
    mayHaveArrived = true;
  }

  /** An attempt to {@code peer} (null when unknown) failed with {@code failure}. */
  public synchronized void failed(String peer, Throwable failure) {
    String reason = neverDelivered(failure);
    if (reason == null) {
      mayHaveArrived = true;
      return;
    }
    reasonsByPeer.put(peer == null ? "?" : peer, reason);
  }

  /** The blocking call returned or threw: no attempt of this send is still on its way. */
  public void settle() {
    settled.complete(null);
  }

  /** Completes when the send is over. */
  public CompletableFuture<Void> settled() {
    return settled;
  }

  /** True when the send is over and no attempt can have reached a node (at least one failed). */
  public synchronized boolean certainlyNotSent() {
    return settled.isDone() && !mayHaveArrived && !reasonsByPeer.isEmpty();
  }

  /** False once any attempt may have reached a node; a send in progress can still turn it false. */
  public synchronized boolean notSentSoFar() {
    return !mayHaveArrived;
  }

  public synchronized Map<String, String> reasonsByPeer() {
    return new TreeMap<>(reasonsByPeer);
  }

  /**
   * The reason when {@code failure} happened before any connection to the node existed, else null.
   * gRPC reports a refused connect as UNAVAILABLE with the connect exception as its cause, also
   * when it fails a call at once during its reconnect backoff, so the cause chain is searched.
   */
  static String neverDelivered(Throwable failure) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
      if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
        return "connect failed: " + t.getMessage();
      }
      if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
        return "unknown host: " + t.getMessage();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
