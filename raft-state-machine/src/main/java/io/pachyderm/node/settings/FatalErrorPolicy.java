package io.pachyderm.node.settings;

/**
 * What a node does when it cannot go on safely (fail-stop): a {@code Throwable} while applying a log
 * entry (a journal write that failed for lack of space or a disk error, an {@code OutOfMemoryError},
 * a broken invariant), a failed write of the Raft log, or an unexpected error in the leader's work
 * loop. Continuing would leave a zombie: a leader that heartbeats but commits nothing, so the others
 * never take over. Either way the node logs one ERROR line naming the node, the cause and what to do,
 * and stops serving, so that the other nodes elect a new leader. Restarting it after the cause is
 * fixed recovers it from its snapshot and the Raft log.
 *
 * <p>Set with {@link io.pachyderm.node.PachydermNode.Builder#onFatalError}; the default is {@link #HALT_JVM}.
 */
public enum FatalErrorPolicy {
  /**
   * Ends the whole JVM with {@link #EXIT_CODE} ({@code Runtime.halt}, after the log line is written):
   * for a process that runs one node ({@code bin/pachyderm node}), so that a supervisor restarts it.
   * Halting skips shutdown hooks, which could block on the very thing that failed.
   */
  HALT_JVM,
  /**
   * Stops this node only: its Raft server is closed on a separate thread without waiting for an apply
   * that may be stuck, {@link io.pachyderm.node.PachydermNode#health()} reports it not live with the cause, and
   * {@link io.pachyderm.node.PachydermNode#close()} returns. For an application that embeds a node and must survive it,
   * and for tests that run several nodes in one JVM.
   */
  STOP_NODE;

  /**
   * The exit code of a JVM that {@link #HALT_JVM} ended: 70, {@code EX_SOFTWARE} in sysexits.h. A
   * supervisor that sees it should restart the node only once the logged cause is fixed (free disk
   * space, more memory, a healthy disk).
   */
  public static final int EXIT_CODE = 70;
}
