package io.pachyderm.local;

import io.pachyderm.entity.EntityTypes;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;

/**
 * The child JVM of {@link LocalKillNineRepairTest}: opens a local store and appends to
 * {@value #KEYS} logs as fast as it can, {@value #INFLIGHT_MAX} appends in flight (so that log
 * entries carry several events), printing {@code ack <key> <version> <element>} for each
 * acknowledged append, until it is killed.
 *
 * <p>Arguments: data directory, snapshot threshold (entries), round (makes elements unique
 * across rounds).
 */
public final class LocalCrashWriter {
  static final int KEYS = 4;
  static final int INFLIGHT_MAX = 32;
  static final long ELEMENTS_PER_ROUND = 1_000_000_000L;

  private LocalCrashWriter() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long snapshotThreshold = Long.parseLong(args[1]);
    long round = Long.parseLong(args[2]);
    LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(EntityTypes.of(CrashLog.TYPE))
        .snapshotThresholdEntries(snapshotThreshold).open();
    System.out.println("open");
    System.out.flush();
    Semaphore inflight = new Semaphore(INFLIGHT_MAX);
    Object out = new Object();
    // Runs until SIGKILL: the store is never closed, on purpose.
    for (long seq = 0; ; seq++) {
      inflight.acquire();
      String key = "k" + (seq % KEYS);
      long element = round * ELEMENTS_PER_ROUND + seq;
      local.sendAsync(CrashLog.TYPE.ref(key), new CrashLog.Append(element)).whenComplete((version, failure) -> {
        inflight.release();
        if (failure == null) {
          synchronized (out) {
            System.out.println("ack " + key + " " + version + " " + element);
            System.out.flush();
          }
        }
      });
    }
  }
}
