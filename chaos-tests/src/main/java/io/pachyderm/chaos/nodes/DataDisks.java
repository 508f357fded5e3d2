package io.pachyderm.chaos.nodes;

import io.pachyderm.chaos.net.NetnsHosts;
import io.pachyderm.chaos.net.Shell;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Each node's data directory on a small filesystem of its own, so that one node's disk can be
 * filled without touching the others or the machine: node {@code n<i>}'s data directory
 * ({@code <runDir>/n<i>}) is the mount point of a loop-mounted ext4 image
 * ({@code <runDir>/n<i>-disk.ext4}, sparse: it costs only what is written).
 *
 * <p>Why ext4 on a loop device and not tmpfs: it is what a node's disk really is (block
 * allocation, delayed allocation reserving blocks at {@code write}, a journal, ENOSPC on a page
 * fault of an mmap'd hole), and the data outlives the unmount in the image, so a run's node data
 * can still be read afterwards ({@code mount -o loop,ro <runDir>/n1-disk.ext4 DIR}). Made with
 * {@code -m 0}: ext4 keeps 5% for root by default, and the nodes run as root, so a disk with the
 * default reserve would never look full to them.
 *
 * <p>Unmounted by {@link #close()} (after the nodes are gone), and by the hosts' teardown on a
 * harness crash ({@link NetnsHosts#onTeardown}, which kills the slot's processes first). A harness
 * killed with SIGKILL leaves its mounts listed in {@code /tmp/pachyderm-chaos/slot-<s>-disks.txt};
 * the next run that takes the slot unmounts them first, as {@link NetnsHosts} removes a crashed
 * run's namespaces.
 *
 * <p>Needs root, {@code mount} with loop support, {@code mkfs.ext4}; see {@link #unavailableReason()}.
 * Thread-safe.
 */
public final class DataDisks implements AutoCloseable {
  /**
   * Each node's filesystem size unless told otherwise: a 30-minute run writes some 40 MB per
   * node (log segments, two snapshots, the journal), so this leaves room for long runs and for a
   * node's free-space reserve (writes are refused below it, so the disk must be larger).
   */
  public static final long SIZE_BYTES_DEFAULT = 512L << 20;
  /** Smaller than this, ext4's own metadata (journal, inode tables) leaves no room for a node. */
  public static final long SIZE_BYTES_MIN = 32L << 20;
  /** The image file of node {@code n<i>} in the run directory is {@code n<i>}{@value #IMAGE_SUFFIX}. */
  public static final String IMAGE_SUFFIX = "-disk.ext4";
  private static final Path LIST_DIR = Path.of(System.getProperty("java.io.tmpdir"), "pachyderm-chaos");

  private final int slot;
  private final List<Path> mountPoints;
  private final long sizeBytes;
  private boolean closed;

  private DataDisks(int slot, List<Path> mountPoints, long sizeBytes) {
    this.slot = slot;
    this.mountPoints = List.copyOf(mountPoints);
    this.sizeBytes = sizeBytes;
  }

  /** Why data disks cannot be made here, or empty when they can: not root, or a tool missing. */
  public static Optional<String> unavailableReason() {
    for (String tool : List.of("mount", "umount", "mkfs.ext4", "losetup", "fallocate")) {
      if (!Shell.tryRun(List.of("sh", "-c", "command -v " + tool)).ok()) {
        return Optional.of("'" + tool + "' is not installed (apt-get install util-linux e2fsprogs)");
      }
    }
    Shell.Result loop = Shell.tryRun(List.of("losetup", "-f"));
    if (!loop.ok()) {
      return Optional.of("no free loop device: " + loop);
    }
    return Optional.empty();
  }

  /**
   * Makes and mounts one filesystem of {@code sizeBytes} per node of {@code hosts} at
   * {@code runDir/n<i>}, after unmounting whatever a crashed run of the same slot left.
   *
   * @throws IllegalArgumentException if {@code sizeBytes} is below {@link #SIZE_BYTES_MIN}
   * @throws IllegalStateException if a command fails (then nothing of this call stays mounted)
   */
  public static DataDisks mount(NetnsHosts hosts, Path runDir, long sizeBytes) {
    if (sizeBytes < SIZE_BYTES_MIN) {
      throw new IllegalArgumentException("a node's data disk must be at least " + (SIZE_BYTES_MIN >> 20) + " MB: "
          + sizeBytes + " bytes");
    }
    removeLeftovers(hosts.slot());
    List<Path> points = new ArrayList<>();
    for (int i = 1; i <= hosts.nodes(); i++) {
      points.add(runDir.resolve("n" + i).toAbsolutePath().normalize());
    }
    DataDisks disks = new DataDisks(hosts.slot(), points, sizeBytes);
    try {
      disks.mountAll(runDir);
    } catch (RuntimeException e) {
      disks.close();
      throw e;
    }
    hosts.onTeardown(disks::closeQuietly);
    return disks;
  }

  /** Node {@code i}'s mount point (1-based): its data directory. */
  public Path mountPoint(int i) {
    return mountPoints.get(i - 1);
  }

  public long sizeBytes() {
    return sizeBytes;
  }

  /** {@code 3 x 512 MB ext4 (loop)}, for the run's summary. */
  public String describe() {
    return mountPoints.size() + " x " + (sizeBytes >> 20) + " MB ext4 (loop), images " + "n<i>" + IMAGE_SUFFIX
        + " in the run dir";
  }

  private void mountAll(Path runDir) {
    for (int i = 1; i <= mountPoints.size(); i++) {
      Path point = mountPoint(i);
      Path image = runDir.resolve("n" + i + IMAGE_SUFFIX).toAbsolutePath().normalize();
      try {
        Files.createDirectories(point);
        Files.deleteIfExists(image);
        // A sparse file: the image costs only the blocks ext4 writes.
        try (var channel = java.nio.channels.FileChannel.open(image, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
          channel.truncate(0);
          channel.write(java.nio.ByteBuffer.allocate(1), sizeBytes - 1);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the data disk image " + image, e);
      }
      Shell.run(List.of("mkfs.ext4", "-q", "-F", "-m", "0", "-L", "pchy-n" + i, image.toString()));
      // Listed before mounting: a crash between the two leaves a line whose unmount fails harmlessly.
      appendToList(point);
      // "-o loop" attaches a loop device with autoclear: unmounting detaches it.
      Shell.run(List.of("mount", "-o", "loop", "-t", "ext4", image.toString(), point.toString()));
    }
  }

  /**
   * Unmounts every disk (the nodes must be gone: a running node keeps its mount busy, and then
   * the unmount is lazy — the filesystem goes when the node does). Idempotent.
   *
   * @throws IllegalStateException naming the mounts that could not be unmounted
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<String> failures = new ArrayList<>();
    for (Path point : mountPoints) {
      String failure = unmount(point);
      if (failure != null) {
        failures.add(failure);
      }
    }
    try {
      Files.deleteIfExists(listFile(slot));
    } catch (IOException e) {
      failures.add("cannot delete " + listFile(slot) + ": " + e.getMessage());
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("unmounting the data disks failed: " + String.join("; ", failures));
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      System.err.println("chaos: " + e.getMessage());
    }
  }

  /** True when {@code point} is a mount point now. */
  public static boolean isMounted(Path point) {
    return mountedPoints().contains(point.toAbsolutePath().normalize().toString());
  }

  /** Unmounts what {@code slot}'s list names (the leftovers of a harness that died without teardown). */
  static void removeLeftovers(int slot) {
    Path list = listFile(slot);
    if (!Files.exists(list)) {
      return;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(list, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + list, e);
    }
    List<String> failures = new ArrayList<>();
    for (String line : lines) {
      if (!line.isBlank()) {
        String failure = unmount(Path.of(line.strip()));
        if (failure != null) {
          failures.add(failure);
        }
      }
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("cannot unmount the data disks a crashed run of chaos slot " + slot
          + " left: " + String.join("; ", failures));
    }
    try {
      Files.deleteIfExists(list);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + list, e);
    }
  }

  /** Unmounts {@code point} if mounted (lazily when busy); returns what failed, or null. */
  private static String unmount(Path point) {
    if (!isMounted(point)) {
      return null;
    }
    Shell.Result r = Shell.tryRun(List.of("umount", point.toString()));
    if (r.ok()) {
      return null;
    }
    // Busy: a node process not yet reaped. Detach now; the kernel frees it when the last user goes.
    Shell.Result lazy = Shell.tryRun(List.of("umount", "-l", point.toString()));
    return lazy.ok() ? null : lazy.toString();
  }

  private static List<String> mountedPoints() {
    List<String> points = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mounts"), StandardCharsets.UTF_8)) {
        String[] fields = line.split(" ");
        if (fields.length > 1) {
          // /proc/self/mounts escapes blanks and a few other characters as octal.
          points.add(fields[1].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc/self/mounts", e);
    }
    return points;
  }

  private void appendToList(Path point) {
    try {
      Files.createDirectories(LIST_DIR);
      Files.writeString(listFile(slot), point + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + listFile(slot), e);
    }
  }

  private static Path listFile(int slot) {
    return LIST_DIR.resolve("slot-" + slot + "-disks.txt");
  }
}
