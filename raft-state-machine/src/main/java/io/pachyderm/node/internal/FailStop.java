package io.pachyderm.node.internal;

import io.pachyderm.node.settings.FatalErrorPolicy;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's fail-stop: the first fatal error is logged once (one ERROR line naming the node, where
 * it happened, the cause and what to do) and then, per {@link FatalErrorPolicy}, the JVM halts or the
 * node's stop action runs on a thread of its own. Later reports only return: a failing loop must not
 * log once per turn (issue 12 saw a stuck node log about 17,000 lines a second).
 *
 * <p>Thread-safe: any thread may report, and the apply thread, the Raft log worker and the leader's
 * loop may do so at once.
 */
public final class FailStop {
  private static final Logger LOG = LoggerFactory.getLogger(FailStop.class);

  /** Ends the JVM; a field so that a test can see the halt without losing its own JVM. */
  interface Halt {
    void halt(int exitCode);
  }

  private final String nodeId;
  private final FatalErrorPolicy policy;
  private final Halt halt;
  private final AtomicReference<String> failure = new AtomicReference<>();
  private volatile Runnable stopNode = () -> { };

  public FailStop(String nodeId, FatalErrorPolicy policy) {
    this(nodeId, policy, code -> Runtime.getRuntime().halt(code));
  }

  FailStop(String nodeId, FatalErrorPolicy policy, Halt halt) {
    this.nodeId = Objects.requireNonNull(nodeId, "node id");
    this.policy = Objects.requireNonNull(policy, "fatal error policy");
    this.halt = halt;
  }

  /** What {@link FatalErrorPolicy#STOP_NODE} runs (on a thread of its own): closes the Raft server. */
  public void onStopNode(Runnable stop) {
    this.stopNode = Objects.requireNonNull(stop, "stop action");
  }

  /**
   * Reports a fatal error; returns (with {@link FatalErrorPolicy#STOP_NODE}, or after the first
   * report) so that the caller can end its own work, normally by rethrowing.
   *
   * @param where what the node was doing, e.g. "applying log entry (t:3, i:1207)"
   */
  public void fatal(String where, Throwable cause) {
    String summary = where + " failed: " + describe(cause);
    if (!failure.compareAndSet(null, summary)) {
      return;
    }
    String action = policy == FatalErrorPolicy.HALT_JVM
        ? "halting the JVM with exit code " + FatalErrorPolicy.EXIT_CODE
        : "stopping this node (its Raft server closes; the JVM stays up)";
    LOG.error("node {} stops (fail-stop), {}: {}. The other nodes elect a new leader and serve without it. "
        + "Fix the cause (free disk space, more heap, a failing disk), then restart the node: it recovers "
        + "from its snapshot and the Raft log", nodeId, action, summary, cause);
    if (policy == FatalErrorPolicy.HALT_JVM) {
      System.out.flush();
      System.err.flush();
      halt.halt(FatalErrorPolicy.EXIT_CODE);
      return;
    }
    Thread stopper = new Thread(stopNode, "pachyderm-fail-stop-" + nodeId);
    stopper.setDaemon(true);
    stopper.start();
  }

  /** Why the node stopped, or null while it has not. */
  public String failure() {
    return failure.get();
  }

  public boolean failed() {
    return failure.get() != null;
  }

  private static String describe(Throwable cause) {
    StringBuilder s = new StringBuilder(String.valueOf(cause));
    Throwable c = cause.getCause();
    for (int depth = 0; c != null && c != cause && depth < 4; depth++, c = c.getCause()) {
      s.append(" (caused by ").append(c).append(')');
    }
    return s.toString();
  }
}
