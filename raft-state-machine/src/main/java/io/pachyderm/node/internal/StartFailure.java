package io.pachyderm.node.internal;

import io.pachyderm.storage.SnapshotFormatException;
import io.pachyderm.storage.journal.JournalCorruptException;
import java.net.BindException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;

/**
 * Says why a node could not start, from the exception Ratis' start threw. Ratis wraps the cause
 * two or three levels deep (IOException of a CompletionException of the real one), so a message
 * built from the outer exception read the same for a corrupt snapshot and a port conflict; this
 * walks the chain for causes an operator can act on and says what to do about each.
 */
public final class StartFailure {
  private StartFailure() {}

  /** One line naming the cause and what to do, beginning "node {nodeId}: cannot start: ". */
  public static String describe(String nodeId, Path dataDir, Throwable failure) {
    String prefix = "node " + nodeId + ": cannot start: ";
    Throwable root = failure;
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      root = t;
      String cause = cause(dataDir, t);
      if (cause != null) {
        return prefix + cause;
      }
    }
    return prefix + root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  private static String cause(Path dataDir, Throwable t) {
    String message = String.valueOf(t.getMessage());
    if (t instanceof SnapshotFormatException) {
      // The message starts with the snapshot's path.
      return "corrupt snapshot: " + message + ". The node cannot rebuild its state from it. In a cluster, "
          + "re-seed it from the leader: 'pachyderm reseed --data " + dataDir + " --peers ...', then start it "
          + "(README, Re-seeding a node). A single node must be restored from a backup of its data directory";
    }
    if (t instanceof JournalCorruptException) {
      return "corrupt event journal: " + message + ". In a cluster, stop this node, move its data directory "
          + dataDir + " aside and start it empty to catch up from the leader";
    }
    if (t instanceof OverlappingFileLockException || message.contains("Failed to lock storage")) {
      return "the data directory " + dataDir + " is locked: another node, in this process or another, is using "
          + "it. Stop that node, or give this one its own data directory";
    }
    if (t instanceof BindException) {
      return "a port is in use (" + message + "): stop what holds it or choose other ports";
    }
    if (t instanceof AccessDeniedException || message.contains("Permission denied")) {
      return "permission denied: " + message + ". The user running the node needs read and write access to its "
          + "data directory " + dataDir;
    }
    if (message.contains("No space left on device")) {
      return "the disk holding " + dataDir + " is full (" + message + "): free space and start again";
    }
    return null;
  }
}
