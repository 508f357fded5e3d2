package io.pachyderm.statestore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** File moves of checkpoints: fsync a directory tree, link or copy one into a store's directory. */
final class StoreFiles {
  /** Ratis' checksum files beside installed snapshot files: not RocksDB's. */
  static final String MD5_SUFFIX = ".md5";

  private StoreFiles() {}

  /** Fsyncs every regular file under {@code dir}, then the directory itself. */
  static void fsyncTree(Path dir) throws IOException {
    for (Path file : regularFiles(dir)) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * Fills {@code to} (created if missing) with the files of {@code from}: table files ({@code
   * .sst}, {@code .blob}) as hard links, since RocksDB never writes one again; every other file
   * as a copy, since RocksDB appends to its MANIFEST and a link would change the checkpoint. A
   * file system without hard links (or a checkpoint on another one) gets copies.
   */
  static void linkOrCopyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    for (Path file : regularFiles(from)) {
      String name = file.getFileName().toString();
      if (name.endsWith(MD5_SUFFIX)) {
        continue;
      }
      Path target = to.resolve(from.relativize(file).toString());
      Files.createDirectories(target.getParent());
      if (immutable(name)) {
        try {
          Files.createLink(target, file);
          continue;
        } catch (UnsupportedOperationException | FileSystemException e) {
          // Another file system, or none with links: a copy is slower, not wrong.
        }
      }
      Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
    }
    fsyncTree(to);
  }

  private static boolean immutable(String name) {
    return name.endsWith(".sst") || name.endsWith(".blob");
  }

  /** Every regular file under {@code dir}, in path order. */
  static List<Path> regularFiles(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile).sorted().forEach(files::add);
    }
    return files;
  }
}
