package io.pachyderm.node.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a half-written snapshot from turning a node into a zombie. Ratis' {@code
 * SimpleStateMachineStorage.loadLatestSnapshot()} returns null when the newest snapshot's MD5 file
 * cannot be read (an empty {@code .md5} is what a full disk leaves), so a node started empty over
 * a Raft log that no longer begins at index 1, and Ratis' updater then spun on the missing entry
 * without a log line (seen in a chaos {@code --nemesis storage} run). So: a snapshot whose MD5
 * cannot be saved is deleted before the failure is reported, and on load a newest snapshot whose
 * MD5 is unreadable is set aside (renamed, kept for inspection) so that the previous one loads;
 * the Raft log is kept well behind the newest snapshot ({@code logEntriesKeptForLaggingNodesMax}),
 * so the previous snapshot plus the log tail rebuilds the same state.
 */
final class SnapshotFiles {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotFiles.class);
  /** Appended to a snapshot file (and its MD5) set aside; Ratis' file pattern no longer matches it. */
  static final String SET_ASIDE_SUFFIX = ".unreadable";

  private SnapshotFiles() {}

  /**
   * Saves the MD5 of a snapshot just written; if that fails, deletes the snapshot and whatever MD5
   * was written and reports an {@link IOException} (Ratis takes the next snapshot later).
   */
  static MD5Hash saveMd5OrDelete(String nodeId, File snapshot) throws IOException {
    try {
      return MD5FileUtil.computeAndSaveMd5ForFile(snapshot);
    } catch (RuntimeException e) {
      Files.deleteIfExists(md5Of(snapshot.toPath()));
      Files.deleteIfExists(snapshot.toPath());
      throw new IOException(nodeId + ": could not save the MD5 of snapshot " + snapshot
          + " (deleted it; the previous snapshot stays the latest): " + e.getMessage(), e);
    }
  }

  /**
   * Sets aside, newest first, every snapshot in {@code dir} whose MD5 file exists but cannot be
   * read, until the newest one left is readable (or none is left).
   *
   * @return the files set aside, newest first
   */
  static List<Path> setAsideUnreadable(String nodeId, Path dir) throws IOException {
    List<Path> setAside = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return setAside;
    }
    List<Path> snapshots = new ArrayList<>();
    try (var files = Files.list(dir)) {
      files.filter(p -> SimpleStateMachineStorage.SNAPSHOT_REGEX.matcher(p.getFileName().toString()).matches())
          .forEach(snapshots::add);
    }
    snapshots.sort(Comparator.comparingLong(SnapshotFiles::index).reversed());
    for (Path snapshot : snapshots) {
      Path md5 = md5Of(snapshot);
      if (!Files.exists(md5) || readable(snapshot)) {
        break;
      }
      Files.move(md5, md5.resolveSibling(md5.getFileName() + SET_ASIDE_SUFFIX), StandardCopyOption.REPLACE_EXISTING);
      Path moved = snapshot.resolveSibling(snapshot.getFileName() + SET_ASIDE_SUFFIX);
      Files.move(snapshot, moved, StandardCopyOption.REPLACE_EXISTING);
      LOG.warn("{}: snapshot {} has an unreadable MD5 file (a write cut short, e.g. by a full disk); set it aside"
          + " as {} and loading the previous snapshot, the Raft log replays the rest", nodeId, snapshot, moved);
      setAside.add(moved);
    }
    return setAside;
  }

  /** Whether any snapshot file (Ratis' name pattern) is in {@code dir}. */
  static boolean any(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (var files = Files.list(dir)) {
      return files.anyMatch(p -> SimpleStateMachineStorage.SNAPSHOT_REGEX.matcher(p.getFileName().toString()).matches());
    }
  }

  private static boolean readable(Path snapshot) {
    try {
      return MD5FileUtil.readStoredMd5ForFile(snapshot.toFile()) != null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static Path md5Of(Path snapshot) {
    return snapshot.resolveSibling(snapshot.getFileName() + MD5FileUtil.MD5_SUFFIX);
  }

  private static long index(Path snapshot) {
    Matcher m = SimpleStateMachineStorage.SNAPSHOT_REGEX.matcher(snapshot.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a snapshot file: " + snapshot);
    }
    return Long.parseLong(m.group(2));
  }
}
