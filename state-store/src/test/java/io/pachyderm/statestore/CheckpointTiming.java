package io.pachyderm.statestore;

import io.pachyderm.entity.EntityTypes;
import io.pachyderm.replica.Versioned;
import io.pachyderm.runtime.EntityKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * How long a DISK node's snapshot takes at a given entity count (issue 14): the RocksDB
 * checkpoint (memtable flush + hard links), the MD5 of its files (the snapshot lists them for
 * Ratis' install), and a restart's {@code replaceWith} (links into the live store, then open);
 * next to it, in the same run, the baseline the checkpoint replaced: visiting and re-encoding every
 * entity, what a one-file snapshot of a DISK store did on the apply thread.
 *
 * <p>A main, not a test (nothing here can fail but the sizes): it lives beside the store's tests
 * because the store's package is exported to the node only. Usage: {@code CheckpointTiming
 * [entities...]} (default 10000 100000 1000000), with the module's test classpath. The figures are
 * wall-clock times on this machine, indicative only when it is shared.
 */
final class CheckpointTiming {
  private CheckpointTiming() {}

  public static void main(String[] args) throws Exception {
    List<Integer> counts = new ArrayList<>();
    for (String a : args) {
      counts.add(Integer.parseInt(a.replace("_", "")));
    }
    if (counts.isEmpty()) {
      counts = List.of(10_000, 100_000, 1_000_000);
    }
    EntityTypes types = Counter.TYPES;
    System.out.printf("%10s %14s %10s %10s %12s %14s %12s%n", "entities", "checkpointMs", "md5Ms", "files",
        "bytes", "replaceWithMs", "reencodeMs");
    for (int n : counts) {
      if (n <= 0) {
        throw new IllegalArgumentException("entity counts must be positive; got " + n);
      }
      Path root = Files.createTempDirectory("checkpoint-timing");
      try {
        row(types, root, n);
      } finally {
        deleteTree(root);
      }
    }
  }

  private static void row(EntityTypes types, Path root, int n) throws Exception {
    try (RocksStateStore store = RocksStateStore.open(root.resolve("live"), types, 0)) {
      for (int i = 0; i < n; i++) {
        store.put(new EntityKey("default", "counter", "c" + i), new Versioned(new Counter.Count(i, "n"), 1, i));
        if (i % 1_000 == 999) {
          store.commit(i + 1);
        }
      }
      store.commit(n + 1);
      long reencodeNs = System.nanoTime();
      long[] encodedBytes = {0};
      store.forEachInOrder((key, v) -> encodedBytes[0] += Counter.TYPE.codec().encode(v.state()).data().length);
      reencodeNs = System.nanoTime() - reencodeNs;

      Path checkpoint = root.resolve("checkpoint");
      long checkpointNs = System.nanoTime();
      store.checkpoint(checkpoint);
      checkpointNs = System.nanoTime() - checkpointNs;

      long md5Ns = System.nanoTime();
      List<Path> files = files(checkpoint);
      long bytes = 0;
      for (Path f : files) {
        bytes += Files.size(f);
        md5(f);
      }
      md5Ns = System.nanoTime() - md5Ns;

      try (RocksStateStore restarted = RocksStateStore.open(root.resolve("restarted"), types, 0)) {
        long replaceNs = System.nanoTime();
        restarted.replaceWith(checkpoint);
        replaceNs = System.nanoTime() - replaceNs;
        if (restarted.size() != n) {
          throw new IllegalStateException("the restarted store holds " + restarted.size() + " entities, not " + n);
        }
        System.out.printf("%10d %14.1f %10.1f %10d %12d %14.1f %12.1f%n", n, checkpointNs / 1e6, md5Ns / 1e6,
            files.size(), bytes, replaceNs / 1e6, reencodeNs / 1e6);
      }
    }
  }

  private static byte[] md5(Path f) throws IOException, NoSuchAlgorithmException {
    MessageDigest md = MessageDigest.getInstance("MD5");
    try (var in = Files.newInputStream(f)) {
      byte[] buf = new byte[1 << 16];
      for (int r = in.read(buf); r > 0; r = in.read(buf)) {
        md.update(buf, 0, r);
      }
    }
    return md.digest();
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
