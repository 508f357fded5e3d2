package io.pachyderm.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** fsync for the files this module makes durable: snapshots, the journal and its index. */
public final class Fsync {
  private Fsync() {}

  /** Forces {@code file}'s data and metadata to stable storage. */
  public static void file(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** Forces {@code dir}'s entries: a created or renamed file is durable only once its directory is. */
  public static void directory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
