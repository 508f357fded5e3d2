package io.pachyderm.node.internal;

import io.pachyderm.protocol.CheckpointFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.util.MD5FileUtil;

/**
 * The MD5s of checkpoint files, remembered from one checkpoint to the next so that a snapshot
 * reads only the files that are new since the last one. Without it every snapshot read every
 * table file back (its time grew with the bytes on disk, ~10 s near a million entities on a loaded
 * machine), which is what checkpoints are meant to avoid.
 *
 * <p>Why remembering is safe: RocksDB never rewrites a table file, and a checkpoint is hard links,
 * so a file of the new checkpoint that is the same inode (same size, same modification time) as a
 * file of the previous one has the same bytes. The previous checkpoint still links every inode
 * remembered here (retention keeps it until a newer snapshot exists), so none can have been freed
 * and reused by another file. Only the last checkpoint's files are remembered. Apply thread only.
 */
final class CheckpointDigests {
  /** A file's inode as the JDK names it, with its size and modification time. */
  private record Identity(Object inode, long bytes, long modifiedNs) {
    static Identity of(Path file) throws IOException {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Identity(a.fileKey(), a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
    }
  }

  private Map<Identity, MD5Hash> previous = new HashMap<>();
  private Map<Identity, MD5Hash> current = new HashMap<>();
  private long filesRead;

  /** The MD5 of {@code file}, a file of the checkpoint being written; read only when not seen before. */
  MD5Hash md5(Path file) throws IOException {
    Identity id = Identity.of(file);
    MD5Hash md5 = id.inode() == null ? null : previous.get(id);
    if (md5 == null) {
      md5 = MD5FileUtil.computeMd5ForFile(file.toFile());
      filesRead++;
    }
    if (id.inode() != null) {
      current.put(id, md5);
    }
    return md5;
  }

  /**
   * Remembers the files of a checkpoint just loaded, whose MD5s were checked against the bytes
   * ({@code CheckpointSnapshots.verify}): the first snapshot after a start then reads only the
   * files new since, as every later one does (at 10 million entities it read all ~220 MB: 1.2 s
   * on the apply thread, the slowest call of the run). The loaded checkpoint stays on disk until
   * a newer snapshot exists, so its inodes are not reused meanwhile.
   */
  void rememberLoaded(Path dir, List<CheckpointFile> files) throws IOException {
    forget();
    for (CheckpointFile f : files) {
      Identity id = Identity.of(dir.resolve(f.getName()));
      if (id.inode() != null) {
        previous.put(id, MD5Hash.newInstance(f.getMd5().toByteArray()));
      }
    }
  }

  /** Ends a checkpoint: from now on, only its files are remembered. */
  void checkpointDone() {
    previous = current;
    current = new HashMap<>();
  }

  /** Forgets everything (the checkpoint was cut short, or the store was replaced). */
  void forget() {
    previous = new HashMap<>();
    current = new HashMap<>();
  }

  /** Files whose bytes were read so far (for tests: a second checkpoint reads only new files). */
  long filesRead() {
    return filesRead;
  }
}
