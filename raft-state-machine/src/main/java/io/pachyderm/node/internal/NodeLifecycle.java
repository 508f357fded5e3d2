package io.pachyderm.node.internal;

import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.tls.TlsMaterial;
import io.pachyderm.node.settings.FatalErrorPolicy;
import io.pachyderm.node.status.NodeHealth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.ratis.server.RaftServer;

/**
 * A node's start and close sequences: the checks before start, the Raft server, the TLS reload and
 * the metrics endpoint in order, everything undone when start fails, and the close that differs
 * after a fatal error (fail-stop). Thread-safe as the node is: start once, close from any thread.
 */
public final class NodeLifecycle {
  /** The node's logger, so these lines read as the node's. */
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.pachyderm.node.PachydermNode");
  /** How long {@link #close()} waits for a Raft server that is closing after a fatal error. */
  private static final long CLOSE_AFTER_FAILURE_WAIT_MS = 10_000;
  private final String nodeId;
  private final Path dataDir;
  private final Peer self;
  private final RaftServer server;
  private final EntityStateMachine stateMachine;
  private final FailStop failStop;
  private final NodeMeters meters;
  /** Null without TLS. */
  private final TlsMaterial tls;
  private final Duration tlsReloadInterval;
  /** Stops looking for rotated TLS files; null without TLS or before {@link #start}. */
  private volatile java.io.Closeable tlsReload;
  /** Closes the Raft server after a fatal error ({@link FatalErrorPolicy#STOP_NODE}); done when closed. */
  private final CompletableFuture<Void> stoppedAfterFailure = new CompletableFuture<>();

  /** @param tls null without TLS */
  public NodeLifecycle(String nodeId, Path dataDir, Peer self, RaftServer server, EntityStateMachine stateMachine,
                       FailStop failStop, NodeMeters meters, TlsMaterial tls, Duration tlsReloadInterval) {
    this.nodeId = nodeId;
    this.dataDir = dataDir;
    this.self = self;
    this.server = server;
    this.stateMachine = stateMachine;
    this.failStop = failStop;
    this.meters = meters;
    this.tls = tls;
    this.tlsReloadInterval = tlsReloadInterval;
  }

  /**
   * Starts serving; returns once the server is up (not necessarily with a leader elected), and
   * the metrics and health endpoint too when it has a port.
   *
   * @throws UncheckedIOException naming the address or the cause (see {@link StartFailure})
   */
  public void start(Supplier<NodeHealth> health) {
    NodeChecks.requirePortsFree(nodeId, self);
    try {
      server.start();
      if (tls != null) {
        tlsReload = tls.reloadEvery(tlsReloadInterval, certificate -> NodeChecks.requireNodeCertificate(nodeId, self,
            tls.files(), certificate));
      }
      meters.startEndpoint(health);
    } catch (IOException | RuntimeException e) {
      try {
        if (tlsReload != null) {
          tlsReload.close();
        }
        stateMachine.closeRequested();
        server.close();
      } catch (IOException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      meters.close();
      if (e instanceof UncheckedIOException metricsPortTaken) {
        throw metricsPortTaken;
      }
      throw new UncheckedIOException(StartFailure.describe(nodeId, dataDir, e),
          e instanceof IOException io ? io : new IOException(e));
    }
    stateMachine.running();
  }

  /**
   * {@link FatalErrorPolicy#STOP_NODE}, on the fail-stop's own thread: the Raft server stops serving
   * (heartbeats and votes end, so the others elect a leader). Ratis' close may wait for an apply that
   * is stuck; {@link #close()} then does not wait for it.
   */
  public void stopAfterFailure() {
    try {
      server.close();
      stoppedAfterFailure.complete(null);
    } catch (IOException | RuntimeException e) {
      stoppedAfterFailure.completeExceptionally(e);
    }
  }

  /** Stops the TLS reload, the Raft server (and so the state machine), then the meters. */
  public void close() {
    if (failStop.failed()) {
      closeAfterFailure();
      return;
    }
    if (tlsReload != null) {
      try {
        tlsReload.close();
      } catch (IOException e) {
        // Only stops a timer; the server still needs closing.
      }
    }
    stateMachine.closeRequested();
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("node " + nodeId + ": close failed", e);
    } finally {
      meters.close();
    }
  }

  /**
   * After a fatal error the Raft server is already closing on the fail-stop's thread; its close can
   * block on the failed apply, so this waits a bounded time and returns either way.
   */
  private void closeAfterFailure() {
    try {
      if (tlsReload != null) {
        tlsReload.close();
      }
      stoppedAfterFailure.get(CLOSE_AFTER_FAILURE_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.warn("node {}: its Raft server did not finish closing within {} ms after the fatal error; returning "
          + "anyway (threads of the failed apply may linger until the JVM ends)", nodeId, CLOSE_AFTER_FAILURE_WAIT_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | java.util.concurrent.ExecutionException e) {
      LOG.warn("node {}: closing after the fatal error failed: {}", nodeId, e.toString());
    } finally {
      meters.close();
    }
  }
}
