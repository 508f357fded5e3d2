package io.pachyderm.node.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.ratis.util.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs what a kill -9 during a snapshot install leaves in Ratis' storage, before the state
 * machine reads it. Ratis 3.3.0 finishes an install from the leader in {@code
 * SnapshotManager.finalizeSnapshot} with two renames and a delete:
 *
 * <ol>
 *   <li>the state machine dir {@code sm} is moved aside to {@code sm.tmp<yyyyMMdd-HHmmss_SSS>};
 *   <li>the received files, complete in {@code tmp/snapshot-<request id>}, are moved to {@code sm};
 *   <li>the moved-aside dir is deleted; then the log is reset to the snapshot's index.
 * </ol>
 *
 * A kill between 1 and 2 leaves no {@code sm}. Left alone, the node starts with no snapshot at
 * all and the leader re-seeds it with a full install (seen in {@code SnapshotInstallCrashTest}),
 * while the moved-aside dir stays on disk for good: Ratis never looks at it again, and its
 * checkpoints' table files, hard links, keep their space however far the live store compacts.
 * The log has not been touched yet at that point, so the moved-aside dir is exactly the state that
 * matches it: it is moved back, the previous snapshot loads, and the node catches up from there
 * (by log or by a new install, as the leader decides). A kill between 2 and 3 leaves a complete
 * {@code sm} and the old one beside it: the old one is deleted, as Ratis would have. Received
 * files in {@code tmp} are Ratis' to clear (it deletes a request's dir when the install starts
 * over).
 *
 * <p>Called once per start, before Ratis reads {@code sm}; not thread-safe.
 */
final class InstallLeftovers {
  private static final Logger LOG = LoggerFactory.getLogger(InstallLeftovers.class);
  /** Ratis' suffix for the moved-aside dir: {@code SnapshotManager.TMP} and {@code StringUtils.DATE_TIME}. */
  private static final Pattern MOVED_ASIDE = Pattern.compile("\\.tmp\\d{8}-\\d{6}_\\d{3}");

  private InstallLeftovers() {}

  /**
   * Restores or deletes the dirs Ratis moved {@code smDir} aside to.
   *
   * @return the dir moved back to {@code smDir}, or null when {@code smDir} was in place
   */
  static Path repair(String nodeId, Path smDir) throws IOException {
    List<Path> movedAside = movedAside(smDir);
    if (movedAside.isEmpty()) {
      return null;
    }
    Path restored = null;
    if (!Files.exists(smDir)) {
      // Newest last (the names sort by time): an older one is from an install killed before that.
      restored = movedAside.remove(movedAside.size() - 1);
      Files.move(restored, smDir, StandardCopyOption.ATOMIC_MOVE);
      LOG.warn("{}: a snapshot install was killed after Ratis moved the state machine dir aside and before it "
          + "moved the received snapshot in; moved {} back to {} (the leader installs its snapshot again)",
          nodeId, restored.getFileName(), smDir);
    }
    for (Path stale : movedAside) {
      LOG.info("{}: deleting {}, the state machine dir a finished snapshot install replaced", nodeId, stale);
      FileUtils.deleteFully(stale);
    }
    return restored;
  }

  /** Ratis' moved-aside copies of {@code smDir}, oldest first. */
  private static List<Path> movedAside(Path smDir) throws IOException {
    List<Path> found = new ArrayList<>();
    Path parent = smDir.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      return found;
    }
    String prefix = smDir.getFileName().toString();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (name.startsWith(prefix) && MOVED_ASIDE.matcher(name.substring(prefix.length())).matches()
            && Files.isDirectory(p)) {
          found.add(p);
        }
      }
    }
    found.sort(null);
    return found;
  }
}
