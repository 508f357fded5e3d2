package io.pachyderm.api;

/**
 * The asked-for versions of an entity's history are not held by any reachable node: dropped by
 * journal retention, or never journaled on the nodes that answered (a node that caught up by
 * snapshot installation holds only what followed the snapshot).
 */
public final class HistoryUnavailableException extends PachydermException {
  private static final long serialVersionUID = 1L;

  private final long oldestVersion;

  public HistoryUnavailableException(String message, long oldestVersion) {
    super(message);
    this.oldestVersion = oldestVersion;
  }

  /** The oldest version some node could serve, or 0 when none holds any. */
  public long oldestVersion() {
    return oldestVersion;
  }
}
