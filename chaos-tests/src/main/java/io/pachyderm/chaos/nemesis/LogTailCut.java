package io.pachyderm.chaos.nemesis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The control run's planted fault: on a stopped node, cut the tail off the newest Raft log
 * segment — what a disk that lied about fsync would leave behind. Ratis keeps the log under
 * {@code <data>/raft/<group-id>/current/} as closed segments {@code log_<start>-<end>} and one
 * open segment {@code log_inprogress_<start>}; the open one holds the newest entries.
 *
 * <p>Done on every node, the cluster cannot survive it: entries acknowledged to clients are gone
 * from every copy of the log, and the checkers must report lost writes. Only for nodes that are
 * not running.
 *
 * <p>Ratis preallocates the open segment (zeros after the last entry), so the cut is a fraction
 * of the <i>written</i> length — up to the last non-zero byte — not of the file size. The
 * 8-byte header ({@code RaftLog1}) is always kept, so the node still recognises the file and
 * drops the partial entry at the cut as a torn write.
 */
public final class LogTailCut {
  private LogTailCut() {}

  private static final int HEADER_BYTES = 8;
  private static final int SCAN_CHUNK_BYTES = 64 << 10;

  /** What was cut from one file: its written length before, and the length kept. */
  public record Cut(Path segment, long writtenBytes, long keptBytes) {
    @Override
    public String toString() {
      return segment.getFileName() + " " + writtenBytes + " -> " + keptBytes + " bytes written";
    }
  }

  /**
   * Truncates the newest segment under {@code dataDir} to {@code keepFraction} of its written
   * length.
   *
   * @throws IllegalStateException if the node has no Raft log segment
   */
  public static Cut cutNewestSegment(Path dataDir, double keepFraction) {
    if (keepFraction < 0 || keepFraction >= 1) {
      throw new IllegalArgumentException("keepFraction must be in [0, 1): " + keepFraction);
    }
    Path segment = newestSegment(dataDir);
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long written = writtenLength(channel);
      long kept = Math.max(Math.min(HEADER_BYTES, written), (long) (written * keepFraction));
      channel.truncate(kept);
      channel.force(true);
      return new Cut(segment, written, kept);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot truncate " + segment, e);
    }
  }

  /** One past the last non-zero byte. */
  static long writtenLength(FileChannel channel) throws IOException {
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(SCAN_CHUNK_BYTES);
    long end = channel.size();
    while (end > 0) {
      long start = Math.max(0, end - SCAN_CHUNK_BYTES);
      buffer.clear().limit((int) (end - start));
      long position = start;
      while (buffer.hasRemaining()) {
        int n = channel.read(buffer, position);
        if (n < 0) {
          break;
        }
        position += n;
      }
      for (int i = buffer.position() - 1; i >= 0; i--) {
        if (buffer.get(i) != 0) {
          return start + i + 1;
        }
      }
      end = start;
    }
    return 0;
  }

  static Path newestSegment(Path dataDir) {
    Path raft = dataDir.resolve("raft");
    List<Path> segments = new ArrayList<>();
    try (Stream<Path> files = Files.walk(raft)) {
      files.filter(p -> p.getParent() != null && p.getParent().getFileName().toString().equals("current"))
          .filter(p -> p.getFileName().toString().startsWith("log_"))
          .forEach(segments::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + raft, e);
    }
    // The open segment is the newest; otherwise the closed one with the highest start index.
    return segments.stream()
        .max(Comparator.comparing((Path p) -> p.getFileName().toString().startsWith("log_inprogress_"))
            .thenComparingLong(LogTailCut::startIndex))
        .orElseThrow(() -> new IllegalStateException("no Raft log segment under " + raft));
  }

  /** {@code log_inprogress_17} and {@code log_17-42} both start at 17. */
  static long startIndex(Path segment) {
    String name = segment.getFileName().toString();
    String rest = name.startsWith("log_inprogress_") ? name.substring("log_inprogress_".length())
        : name.substring("log_".length());
    int dash = rest.indexOf('-');
    try {
      return Long.parseLong(dash >= 0 ? rest.substring(0, dash) : rest);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
