package io.pachyderm.bench;

import io.pachyderm.bench.statestore.StoreKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A scenario's deployment in its own temporary directory, its nodes on the given state store;
 * closing stops it and deletes the directory.
 */
final class TempDeployment implements AutoCloseable {
  private final Target target;
  private final Path dir;

  private TempDeployment(Target target, Path dir) {
    this.target = target;
    this.dir = dir;
  }

  static TempDeployment open(Scenario s, Duration requestTimeout, StoreKind store) {
    Path dir;
    try {
      dir = Files.createTempDirectory("pachyderm-bench-" + s.id() + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory", e);
    }
    try {
      Target target = switch (s.deployment()) {
        case CLUSTER, SINGLE -> InProcessCluster.start(dir, s, requestTimeout, store);
        case LOCAL -> LocalTarget.open(dir, requestTimeout, store);
      };
      return new TempDeployment(target, dir);
    } catch (RuntimeException e) {
      deleteRecursively(dir);
      throw e;
    }
  }

  Target target() {
    return target;
  }

  /** Stops the deployment, then deletes its directory even when stopping failed. */
  @Override
  public void close() {
    try {
      target.close();
    } finally {
      deleteRecursively(dir);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      // Not a durability path: a leftover temporary directory is worth a line, not the results.
      System.err.println("load-benchmark: cannot delete " + dir + ": " + e);
    }
  }
}
