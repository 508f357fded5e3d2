package io.pachyderm.node;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a directory, for tests of a full disk: a real file system that runs out
 * of space. Mounting needs root ({@code mount -t tmpfs}); without it the test is skipped with a
 * message that says so. {@link #close()} unmounts (lazily, so a file a failed node still maps does
 * not keep the mount).
 */
final class Tmpfs implements AutoCloseable {
  private final Path dir;

  private Tmpfs(Path dir) {
    this.dir = dir;
  }

  /** Mounts a tmpfs of {@code size} (mount's syntax: 3m, 64m) on {@code dir}, creating it. */
  static Tmpfs mount(Path dir, String size) {
    try {
      Files.createDirectories(dir);
      String out = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
      assumeTrue(out == null, "this test needs root to mount a " + size + " tmpfs on " + dir
          + " (mount -t tmpfs) and could not: " + out);
      return new Tmpfs(dir);
    } catch (IOException e) {
      assumeTrue(false, "this test needs mount(8) to make a small tmpfs: " + e.getMessage());
      throw new AssertionError(e);
    }
  }

  Path dir() {
    return dir;
  }

  /** Grows (or shrinks) the mounted tmpfs to {@code size} in place: space comes back without unmounting. */
  void resize(String size) throws IOException {
    String out = run("mount", "-o", "remount,size=" + size, dir.toString());
    if (out != null) {
      throw new IOException("remounting " + dir + " with size " + size + " failed: " + out);
    }
  }

  long usableBytes() throws IOException {
    return Files.getFileStore(dir).getUsableSpace();
  }

  @Override
  public void close() throws IOException {
    String out = run("umount", "-l", dir.toString());
    if (out != null) {
      throw new IOException("umount -l " + dir + " failed: " + out);
    }
  }

  /** Null on success, else the command's output and exit code. */
  private static String run(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return String.join(" ", command) + " did not finish within 30 s";
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
  }
}
