package io.pachyderm.node.internal;

import com.google.protobuf.ByteString;
import io.pachyderm.protocol.CheckpointFile;
import io.pachyderm.protocol.SnapshotHeader;
import io.pachyderm.storage.SnapshotWriter;
import io.pachyderm.statestore.RocksStateStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DISK node's snapshot (issue 14): a RocksDB checkpoint, the directory {@code checkpoint.T_I}
 * in Ratis' state machine directory, beside the snapshot file {@code snapshot.T_I} (format 3: the
 * header; the de-duplication table and the outbox are in the checkpoint too when the header says
 * {@code dedup_in_checkpoint} and {@code outbox_in_checkpoint}, else in the file; the header lists
 * every checkpoint file with its MD5).
 *
 * <p>Crash story. The checkpoint is written as {@code checkpoint.T_I.tmp}, fsynced, renamed, and
 * only then is the snapshot file written (fsynced, renamed) and its MD5 saved: the snapshot exists
 * for Ratis once its file and MD5 do, and by then its checkpoint is whole. A kill -9 at any point
 * before leaves a directory no snapshot file names; it is deleted at the next snapshot or start,
 * and the previous snapshot stays the latest. The same sweep deletes the checkpoint of a snapshot
 * Ratis' retention deleted.
 *
 * <p>Damage. A checkpoint file whose MD5 differs from the header's refuses the load, naming the
 * file; the node does not fall back to the previous snapshot, because its table files are the same
 * files (hard links): damage to one is damage to both, and the log may no longer reach back far
 * enough. Moving the data directory aside re-seeds the node from the leader by snapshot install.
 */
final class CheckpointSnapshots {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointSnapshots.class);
  private static final String PREFIX = "checkpoint.";
  private static final String TMP_SUFFIX = ".tmp";
  /** A HEAP node reads a checkpoint out of a copy by this name, deleted after. */
  static final String READ_SUFFIX = ".read";
  private static final Pattern CHECKPOINT = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)_(\\d+)");

  private CheckpointSnapshots() {}

  static String dirName(TermIndex last) {
    return PREFIX + last.getTerm() + "_" + last.getIndex();
  }

  /**
   * Writes {@code disk}'s checkpoint for the snapshot at {@code last} into {@code smDir} and returns
   * the header fields that name it (format, directory, files with their MD5s). The caller writes
   * the snapshot file after this returns.
   */
  static SnapshotHeader.Builder writeCheckpoint(String nodeId, Path smDir, RocksStateStore disk, TermIndex last,
      CheckpointDigests digests) throws IOException {
    String name = dirName(last);
    Path dir = smDir.resolve(name);
    Path tmp = smDir.resolve(name + TMP_SUFFIX);
    deleteTree(tmp);
    // A snapshot at this index was taken before and cut short (the file is written last).
    deleteTree(dir);
    long held = disk.checkpoint(tmp);
    if (held > last.getIndex()) {
      throw new IllegalStateException(nodeId + ": the disk state store holds entry " + held
          + " but the snapshot is taken at " + last + ": a checkpoint must hold the state at the snapshot's index");
    }
    SnapshotHeader.Builder header = SnapshotHeader.newBuilder()
        .setFormatVersion(SnapshotWriter.CHECKPOINT_FORMAT_VERSION).setCheckpoint(name);
    for (Path file : regularFiles(tmp)) {
      MD5Hash md5 = digests.md5(file);
      header.addCheckpointFiles(CheckpointFile.newBuilder().setName(tmp.relativize(file).toString())
          .setBytes(Files.size(file)).setMd5(ByteString.copyFrom(md5.getDigest())));
    }
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    fsyncDirectory(smDir);
    digests.checkpointDone();
    return header;
  }

  /**
   * Checks that every file {@code header} lists is in {@code dir} with its size and MD5.
   *
   * @throws IOException naming the first file missing or different, and what to do
   */
  static void verify(String nodeId, Path dir, SnapshotHeader header) throws IOException {
    for (CheckpointFile f : header.getCheckpointFilesList()) {
      Path file = dir.resolve(f.getName());
      String problem = null;
      if (!Files.isRegularFile(file)) {
        problem = "is missing";
      } else if (Files.size(file) != f.getBytes()) {
        problem = "holds " + Files.size(file) + " bytes, the snapshot recorded " + f.getBytes();
      } else {
        MD5Hash actual = MD5FileUtil.computeMd5ForFile(file.toFile());
        MD5Hash recorded = MD5Hash.newInstance(f.getMd5().toByteArray());
        if (!actual.equals(recorded)) {
          problem = "has MD5 " + actual + ", the snapshot recorded " + recorded;
        }
      }
      if (problem != null) {
        throw new IOException(nodeId + ": checkpoint file " + file + " " + problem + ": the snapshot at index "
            + header.getLastAppliedIndex() + " is damaged and the node will not serve from it (earlier snapshots"
            + " share its table files); in a cluster, re-seed it from the leader: with it stopped, run"
            + " 'pachyderm reseed --data <its data directory> --peers ...', then start it (README, Re-seeding a node)");
      }
    }
  }

  /** What Ratis ships to install the snapshot {@code file} (format 3, header {@code header}): it, then every checkpoint file. */
  static List<FileInfo> files(FileInfo file, SnapshotHeader header) {
    Path dir = file.getPath().resolveSibling(header.getCheckpoint());
    List<FileInfo> files = new ArrayList<>();
    files.add(file);
    for (CheckpointFile f : header.getCheckpointFilesList()) {
      files.add(new FileInfo(dir.resolve(f.getName()), MD5Hash.newInstance(f.getMd5().toByteArray())));
    }
    return files;
  }

  /**
   * Deletes every checkpoint directory in {@code smDir} that no snapshot file names: one a crash
   * cut short, one whose snapshot Ratis' retention deleted, a HEAP node's read copy.
   */
  static void deleteOrphans(String nodeId, Path smDir) throws IOException {
    if (!Files.isDirectory(smDir)) {
      return;
    }
    List<Path> orphans = new ArrayList<>();
    try (Stream<Path> entries = Files.list(smDir)) {
      entries.filter(p -> p.getFileName().toString().startsWith(PREFIX)).forEach(p -> {
        Matcher m = CHECKPOINT.matcher(p.getFileName().toString());
        boolean named = m.matches()
            && Files.exists(smDir.resolve(SimpleStateMachineStorage.getSnapshotFileName(
                Long.parseLong(m.group(1)), Long.parseLong(m.group(2)))));
        if (!named) {
          orphans.add(p);
        }
      });
    }
    orphans.sort(null);
    for (Path orphan : orphans) {
      LOG.info("{}: deleting checkpoint {}: no snapshot file names it (cut short, or its snapshot was deleted)",
          nodeId, orphan);
      deleteTree(orphan);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static List<Path> regularFiles(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    }
  }

  private static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
