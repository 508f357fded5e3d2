package io.pachyderm.node;

import io.pachyderm.local.LocalPachyderm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Creates entities until its small heap runs out, for {@link OutOfMemoryExitTest}: a local node and
 * {@link #ENTITIES_MAX} counters (each call a new entity, its state and a de-duplication entry kept).
 * Args: data dir. Prints "created N" every 10,000 and "survived" if it ever gets to the end.
 */
public final class MemoryHogMain {
  static final int ENTITIES_MAX = 3_000_000;
  private static final int WAVE = 512;

  public static void main(String[] args) throws Exception {
    try (LocalPachyderm local = LocalPachyderm.builder(Path.of(args[0])).entityTypes(TestCounter.TYPES)
        .snapshotThresholdEntries(1_000_000).open()) {
      System.out.println("started");
      for (int created = 0; created < ENTITIES_MAX; ) {
        List<CompletableFuture<?>> wave = new ArrayList<>(WAVE);
        for (int i = 0; i < WAVE; i++, created++) {
          wave.add(local.callAsync(TestCounter.TYPE.ref("e" + created), new TestCounter.Add(1)));
        }
        for (CompletableFuture<?> f : wave) {
          try {
            f.get(60, TimeUnit.SECONDS);
          } catch (Exception e) {
            // A thread of the node died: the zombie case. Keep going; the test watches the process.
          }
        }
        if (created % 10_240 == 0) {
          System.out.println("created " + created);
        }
      }
      System.out.println("survived");
    }
  }
}
