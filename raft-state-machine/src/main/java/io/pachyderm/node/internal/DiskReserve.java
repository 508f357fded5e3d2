package io.pachyderm.node.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The free-space reserve of a node's storage (the Raft log and snapshots, the event journal): while
 * a directory's usable space is below {@code reserveBytes}, the leader refuses writes before they
 * reach the log, with a retryable error, instead of letting the log or journal write fail (which
 * stops the node) or corrupt. Reads are never refused. Writes resume once space is back.
 *
 * <p>Cheap: free space is asked of the file system at most once per {@code checkIntervalNs}
 * (monotonic time, passed in), not per command. Thread-safe; two threads may both ask the file
 * system at an interval's edge, which costs a syscall and nothing else.
 */
public final class DiskReserve {
  /** Asks a file system for the bytes usable in a directory; replaceable in tests. */
  interface FreeSpace {
    long usableBytes(Path dir) throws IOException;
  }

  /** How long an answer is reused: a few hundred commands at most run on a stale one. */
  static final long CHECK_INTERVAL_NS = 200_000_000L;

  private final String nodeId;
  private final List<Path> dirs;
  private final long reserveBytes;
  private final FreeSpace freeSpace;
  private final long checkIntervalNs;
  private volatile Checked last;

  private record Checked(long atNs, String shortfall) {}

  public DiskReserve(String nodeId, List<Path> dirs, long reserveBytes) {
    this(nodeId, dirs, reserveBytes, dir -> Files.getFileStore(dir).getUsableSpace(), CHECK_INTERVAL_NS);
  }

  DiskReserve(String nodeId, List<Path> dirs, long reserveBytes, FreeSpace freeSpace, long checkIntervalNs) {
    if (reserveBytes < 0) {
      throw new IllegalArgumentException("disk reserve must be >= 0 bytes: " + reserveBytes);
    }
    this.nodeId = Objects.requireNonNull(nodeId, "node id");
    this.dirs = List.copyOf(dirs);
    this.reserveBytes = reserveBytes;
    this.freeSpace = Objects.requireNonNull(freeSpace, "free space");
    this.checkIntervalNs = checkIntervalNs;
  }

  public long reserveBytes() {
    return reserveBytes;
  }

  /**
   * Why writes are refused now (naming the node, the directory, its free bytes and the reserve),
   * or null when every directory has at least the reserve free.
   *
   * @param nowNs {@code System.nanoTime()} of the caller
   */
  public String shortfall(long nowNs) {
    if (reserveBytes == 0) {
      return null;
    }
    Checked c = last;
    if (c != null && nowNs - c.atNs() < checkIntervalNs) {
      return c.shortfall();
    }
    String shortfall = check();
    last = new Checked(nowNs, shortfall);
    return shortfall;
  }

  private String check() {
    for (Path dir : dirs) {
      Path existing = dir;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent(); // a journal dir not yet created lives on its parent's store
      }
      if (existing == null) {
        continue;
      }
      long free;
      try {
        free = freeSpace.usableBytes(existing);
      } catch (IOException e) {
        return "node " + nodeId + " cannot tell the free space of " + dir + " (" + e.getMessage()
            + "), so it refuses writes until it can; reads still work";
      }
      if (free < reserveBytes) {
        return "node " + nodeId + " refuses writes: " + dir + " has " + free + " bytes free, below the reserve of "
            + reserveBytes + " bytes (diskReserveBytes, --disk-reserve). Nothing was written; free space there "
            + "and retry: writes resume on their own. Reads still work";
      }
    }
    return null;
  }
}
