package io.pachyderm.chaos.workload;

import io.pachyderm.client.PachydermClient;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The client the workload's processes share, optionally rebuilt when it has closed itself.
 *
 * <p>Why: a Ratis async client whose request runs out of retries fails its sliding window for
 * good ({@code SlidingWindow.Client.fail} keeps the exception), and every later request through
 * that window fails at once with {@code AlreadyClosedException ... is closed}. Early runs of this
 * suite saw a {@link PachydermClient} stop working for good after the first leader kill; the
 * client now replaces its Ratis client when a write meets a closed window (commit dd25afa), but
 * not when a read does. By default the harness keeps the client it has, so runs measure the real
 * client, and counts the operations that failed on a closed window ({@link #closedFailures()});
 * with {@code rebuild} on it replaces the client like a Jepsen client reopening its connection,
 * counted in {@link #rebuilds()}.
 *
 * <p>Thread-safe.
 */
public final class ClientSource implements AutoCloseable {
  private final Supplier<PachydermClient> factory;
  private final boolean rebuild;
  private final AtomicInteger rebuilds = new AtomicInteger();
  private final AtomicInteger closedFailures = new AtomicInteger();
  private PachydermClient current;
  private boolean closed;

  public ClientSource(Supplier<PachydermClient> factory, boolean rebuild) {
    this.factory = factory;
    this.rebuild = rebuild;
    this.current = factory.get();
  }

  public synchronized PachydermClient current() {
    if (closed) {
      throw new IllegalStateException("client source is closed");
    }
    return current;
  }

  /** Reports that an operation through {@code used} failed with {@code failure}. */
  public void failed(PachydermClient used, Throwable failure) {
    if (!isClosedClient(failure)) {
      return;
    }
    closedFailures.incrementAndGet();
    if (!rebuild) {
      return;
    }
    PachydermClient old;
    synchronized (this) {
      if (closed || used != current) {
        return;
      }
      old = current;
      current = factory.get();
      rebuilds.incrementAndGet();
    }
    closeQuietly(old);
  }

  /** Operations that failed because the client's Ratis window was closed. */
  public int closedFailures() {
    return closedFailures.get();
  }

  /** Times the client was replaced because it had closed itself. */
  public int rebuilds() {
    return rebuilds.get();
  }

  /** Whether {@code failure} says the Ratis client (its sliding window) is closed for good. */
  public static boolean isClosedClient(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getClass().getSimpleName().equals("AlreadyClosedException")
          || String.valueOf(t.getMessage()).contains("AlreadyClosedException")) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  @Override
  public void close() {
    PachydermClient last;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      last = current;
    }
    closeQuietly(last);
  }

  private static void closeQuietly(PachydermClient client) {
    try {
      client.close();
    } catch (RuntimeException e) {
      // A client that closed itself may complain again on close; it is discarded either way.
    }
  }
}
