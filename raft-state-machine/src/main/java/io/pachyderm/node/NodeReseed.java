package io.pachyderm.node;

import io.pachyderm.node.internal.ClusterIdFile;
import io.pachyderm.node.internal.StateStores;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Prepares a stopped node's data directory to be re-seeded from the leader's snapshot (README,
 * "Re-seeding a node"): its snapshots ({@code raft/<group>/sm}, with any directory a killed install
 * left beside it), its Raft log segments and its live disk store are moved into one new directory
 * {@code <data>/reseed-<UTC time>}, nothing is deleted. What the node must keep stays: the cluster
 * id, its Raft metadata (term and vote: a node that forgot its vote could vote twice in a term), the
 * group's configuration (its peers), and its event journal (the history it serves; see below).
 *
 * <p>The node then starts with no snapshot and an empty log. The leader sends it a snapshot only
 * once it sees that the node's log starts below its own; a leader that received this node's
 * acknowledgements before it stopped keeps their position for its whole term and resends from there
 * to a log that no longer holds it (Ratis 3.3.0, {@code LogAppenderBase.getNextIndexForInconsistency},
 * never moves a follower's next index below its match index), so the node waits until leadership
 * changes or the leader's log moves past that index (with the default lag bound, 200,000 entries
 * later; a quiet cluster, never). A new term clears it: the caller has the leader step
 * down while this node is still down (the {@code reseed} command does), so that only nodes holding
 * every committed entry vote and the new leader knows nothing of this node's old log.
 *
 * <p>The journal is kept: the snapshot's range that it lacks is marked as a gap at the install
 * (EventJournal#markGap), after which an entity's history on this node restarts at the first
 * version past the gap instead of serving a hole; records it already holds are skipped on replay.
 *
 * <p>Not thread-safe; refuses (IllegalStateException) while a process holds the directory.
 */
public final class NodeReseed {
  /** Where the moved-aside files go: beside {@code raft}, never under it (Ratis reads every dir there as a group). */
  static final String MOVED_ASIDE_PREFIX = "reseed-";
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  /** One file or directory moved from where the node had it to where it is kept. */
  public record Moved(Path from, Path to) {}

  /**
   * What was done: every move, the directory holding them (null when there was nothing to move),
   * and what was left in place on purpose.
   */
  public record Result(List<Moved> moved, Path movedAsideDir, List<Path> kept) {
    public Result {
      moved = List.copyOf(moved);
      kept = List.copyOf(kept);
    }
  }

  private NodeReseed() {}

  /**
   * Moves aside what a re-seed replaces, in {@code dataDir}.
   *
   * @param nowUtc names the directory the files move to
   * @throws IllegalArgumentException naming what is missing, when {@code dataDir} is not a node's data directory
   * @throws IllegalStateException naming the lock, when a process holds {@code dataDir} (the node runs)
   * @throws IOException when a move fails; what was moved before it is in place under {@code movedAsideDir}
   */
  public static Result moveAside(Path dataDir, ZonedDateTime nowUtc) throws IOException {
    Path group = check(dataDir);
    Path state = StateStores.directory(dataDir);

    List<Path> sources = new ArrayList<>();
    Path sm = group.resolve("sm");
    try (Stream<Path> beside = Files.list(group)) {
      // sm and Ratis' moved-aside copies of it (sm.tmp<time>): left in place, a copy would be moved back at start.
      beside.filter(p -> p.getFileName().toString().startsWith("sm")).sorted().forEach(sources::add);
    }
    try (Stream<Path> current = Files.list(group.resolve("current"))) {
      current.filter(p -> p.getFileName().toString().startsWith("log_")).sorted().forEach(sources::add);
    }
    if (Files.exists(state)) {
      sources.add(state);
    }
    List<Path> kept = keptPaths(dataDir, group);
    if (sources.isEmpty() || sources.equals(List.of(sm)) && isEmptyDir(sm)) {
      // Already re-seeded (the command run again after a failed step-down), or nothing to replace.
      Files.createDirectories(sm);
      return new Result(List.of(), null, kept);
    }
    Path aside = freshDir(dataDir, nowUtc.withZoneSameInstant(ZoneOffset.UTC));
    List<Moved> moved = new ArrayList<>();
    for (Path from : sources) {
      Path to = aside.resolve(dataDir.relativize(from));
      Files.createDirectories(to.getParent());
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      moved.add(new Moved(from, to));
    }
    // Empty, as a node that never took a snapshot has it.
    Files.createDirectories(sm);
    return new Result(moved, aside, kept);
  }

  /**
   * Checks, moving nothing, that {@code dataDir} is a stopped node's data directory: what
   * {@link #moveAside} refuses, it refuses too (so a caller can check the cluster in between).
   *
   * @return the node's Raft group directory
   * @throws IllegalArgumentException naming what is missing, when {@code dataDir} is not a node's data directory
   * @throws IllegalStateException naming the lock, when a process holds {@code dataDir} (the node runs)
   */
  public static Path check(Path dataDir) throws IOException {
    Path group = groupDir(dataDir);
    refuseIfHeld(group.resolve("in_use.lock"));
    refuseIfHeld(StateStores.directory(dataDir).resolve("LOCK"));
    refuseIfHeld(dataDir.resolve("journal").resolve("ref-index").resolve("LOCK"));
    return group;
  }

  /** The one Raft group directory of {@code dataDir}, or a clear refusal naming what is missing. */
  private static Path groupDir(Path dataDir) throws IOException {
    if (!Files.isDirectory(dataDir)) {
      throw new IllegalArgumentException(dataDir + " is not a directory");
    }
    Path clusterId = dataDir.resolve(ClusterIdFile.FILE_NAME);
    Path raft = dataDir.resolve("raft");
    if (!Files.isRegularFile(clusterId) || !Files.isDirectory(raft)) {
      throw new IllegalArgumentException(dataDir + " is not a Pachyderm node's data directory: it has no "
          + (Files.isRegularFile(clusterId) ? raft : clusterId));
    }
    List<Path> groups;
    try (Stream<Path> dirs = Files.list(raft)) {
      groups = dirs.filter(Files::isDirectory).sorted().toList();
    }
    if (groups.size() != 1) {
      throw new IllegalArgumentException(dataDir + " is not a Pachyderm node's data directory: " + raft + " holds "
          + groups.size() + " Raft group directories, a node has exactly one");
    }
    Path group = groups.get(0);
    Path meta = group.resolve("current").resolve("raft-meta");
    if (!Files.isRegularFile(meta)) {
      throw new IllegalArgumentException(dataDir + " is not a Pachyderm node's data directory: it has no " + meta
          + " (the node's term and vote)");
    }
    return group;
  }

  /**
   * Refuses when another holder has {@code lockFile}: Ratis' lock (held while the node runs, by
   * this JVM or another) or RocksDB's. A file that does not exist is held by nobody.
   */
  private static void refuseIfHeld(Path lockFile) throws IOException {
    if (!Files.exists(lockFile)) {
      return;
    }
    try (RandomAccessFile file = new RandomAccessFile(lockFile.toFile(), "rw");
         FileChannel channel = file.getChannel()) {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new IllegalStateException("a node is running on this data directory: " + lockFile + " is locked"
            + holder(lockFile) + "; stop it first");
      }
      lock.release();
    }
  }

  /** Ratis writes its process' name (pid@host) into its lock file. */
  private static String holder(Path lockFile) {
    try {
      String text = Files.readString(lockFile, StandardCharsets.UTF_8).trim();
      return text.isEmpty() || text.length() > 200 ? "" : ", held by " + text;
    } catch (IOException | java.io.UncheckedIOException e) {
      return "";
    }
  }

  private static List<Path> keptPaths(Path dataDir, Path group) {
    List<Path> kept = new ArrayList<>();
    for (Path p : List.of(dataDir.resolve(ClusterIdFile.FILE_NAME), group.resolve("current").resolve("raft-meta"),
        group.resolve("current").resolve("raft-meta.conf"), dataDir.resolve("journal"))) {
      if (Files.exists(p)) {
        kept.add(p);
      }
    }
    return kept;
  }

  private static boolean isEmptyDir(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private static Path freshDir(Path dataDir, ZonedDateTime nowUtc) throws IOException {
    String base = MOVED_ASIDE_PREFIX + STAMP.format(nowUtc);
    Path dir = dataDir.resolve(base);
    for (int n = 2; Files.exists(dir); n++) {
      if (n > 1000) {
        throw new IOException("cannot find a free name for " + dataDir.resolve(base) + " (1000 taken)");
      }
      dir = dataDir.resolve(base + "-" + n);
    }
    Files.createDirectory(dir);
    return dir;
  }
}
