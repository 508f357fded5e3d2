package io.pachyderm.chaos.nemesis;

import io.pachyderm.chaos.net.Shell;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The storage nemesis's fault: a node's data filesystem filled to the last block with ballast,
 * then the ballast deleted. Meant for a data directory that is a filesystem of its own
 * ({@link io.pachyderm.chaos.nodes.DataDisks}); on a shared disk it would fill the machine.
 *
 * <p>How: {@code fallocate} takes all but a little of the free space at once (allocated, not
 * written: no IO, so filling is instant even on a busy machine), then zeros are written in
 * {@value #TOP_OFF_CHUNK_BYTES}-byte chunks until {@code write} fails, which takes the blocks
 * {@code fallocate} left for its own extent metadata. Written as root, so with a filesystem made
 * without a root reserve the node (also root) finds no space either.
 *
 * <p>Stateless; one ballast per data directory at a time.
 */
public final class DiskFill {
  /** The ballast's files in the filled directory; a node ignores files it does not know. */
  public static final String BALLAST_FILE = "chaos-ballast";
  public static final String TOP_OFF_FILE = "chaos-ballast-top-off";
  /** Left free by {@code fallocate} for its own extent tree, then taken by the top-off writes. */
  private static final long FALLOCATE_SLACK_BYTES = 1L << 20;
  private static final int TOP_OFF_CHUNK_BYTES = 4096;
  /** Bounds the top-off loop: fallocate left about {@link #FALLOCATE_SLACK_BYTES}, so 16x that is plenty. */
  private static final long TOP_OFF_BYTES_MAX = 16 * FALLOCATE_SLACK_BYTES;

  private DiskFill() {}

  /**
   * What a fill did.
   *
   * @param freeBytesBefore usable bytes before the fill
   * @param ballastBytes bytes the ballast took
   * @param freeBytesAfter usable bytes left (zero or a few blocks the filesystem keeps for itself)
   */
  public record Filled(Path dir, long freeBytesBefore, long ballastBytes, long freeBytesAfter) {
    @Override
    public String toString() {
      return "filled " + dir.getFileName() + ": " + mb(freeBytesBefore) + " free -> ballast " + mb(ballastBytes)
          + ", " + freeBytesAfter + " bytes free";
    }
  }

  /**
   * Fills the filesystem holding {@code dir} with ballast in {@code dir}.
   *
   * @throws IllegalStateException if a ballast is there already (two fills of one disk at once)
   *     or {@code fallocate} fails
   */
  public static Filled fill(Path dir) {
    Path ballast = dir.resolve(BALLAST_FILE);
    Path topOff = dir.resolve(TOP_OFF_FILE);
    if (Files.exists(ballast) || Files.exists(topOff)) {
      throw new IllegalStateException(dir + " is filled already (" + ballast + " exists)");
    }
    long before = usableBytes(dir);
    long allocate = before - FALLOCATE_SLACK_BYTES;
    if (allocate > 0) {
      Shell.run(List.of("fallocate", "-l", Long.toString(allocate), ballast.toString()));
    }
    topOff(topOff);
    long after = usableBytes(dir);
    return new Filled(dir, before, sizeOf(ballast) + sizeOf(topOff), after);
  }

  /**
   * Deletes the ballast of {@code dir}; returns the usable bytes after. Does nothing more when
   * there is no ballast.
   */
  public static long release(Path dir) {
    try {
      Files.deleteIfExists(dir.resolve(BALLAST_FILE));
      Files.deleteIfExists(dir.resolve(TOP_OFF_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the ballast in " + dir, e);
    }
    return usableBytes(dir);
  }

  /** Usable bytes of the filesystem holding {@code dir}. */
  public static long usableBytes(Path dir) {
    try {
      return Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the free space of " + dir, e);
    }
  }

  /** Writes zeros until the filesystem says no (ENOSPC) or {@link #TOP_OFF_BYTES_MAX}. */
  private static void topOff(Path file) {
    ByteBuffer zeros = ByteBuffer.allocate(TOP_OFF_CHUNK_BYTES);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long written = 0;
      while (written < TOP_OFF_BYTES_MAX) {
        zeros.clear();
        try {
          written += channel.write(zeros);
        } catch (IOException full) {
          // ENOSPC: the point of the exercise.
          return;
        }
      }
    } catch (IOException e) {
      // Closing may fail too when the filesystem is full; the space is taken either way.
    }
  }

  private static long sizeOf(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static String mb(long bytes) {
    return String.format("%.1f MB", bytes / 1048576.0);
  }
}
