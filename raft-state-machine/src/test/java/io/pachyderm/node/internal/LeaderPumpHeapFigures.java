package io.pachyderm.node.internal;

import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.TestBlob;
import io.pachyderm.node.settings.EffectRetry;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.RequestId;
import io.pachyderm.protocol.TimerOp;
import io.pachyderm.protocol.TimerSchedule;
import io.pachyderm.replica.HeapStateStore;
import io.pachyderm.replica.Replica;
import io.pachyderm.replica.ReplicatedTableLimits;
import io.pachyderm.replica.StateStore;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.statestore.RocksStateStore;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * Heap the leader's pumps take when the node becomes leader over an outbox of N pending timers, all
 * due a day from now (issue 14): the replica applies N timers, then a {@link LeaderWork} on its
 * outbox is activated and takes its turns until it has nothing to do; heap after full GCs before and
 * after the activation. Before the pumps paged, the timer pump held every timer (a TreeSet entry
 * each); now it holds a window.
 *
 * <p>A main, not a test (nothing here can fail but the sizes). Usage: {@code LeaderPumpHeapFigures
 * heap|disk N}, one kind per JVM, with the module's test classpath. Indicative only on a shared
 * machine.
 */
final class LeaderPumpHeapFigures {
  private static final int RECORDS_PER_ENTRY = 100;
  private static final long DAY_MS = 86_400_000L;

  private LeaderPumpHeapFigures() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2 || !args[0].matches("heap|disk")) {
      throw new IllegalArgumentException("usage: LeaderPumpHeapFigures heap|disk N");
    }
    boolean disk = args[0].equals("disk");
    int n = Integer.parseInt(args[1].replace("_", ""));
    EntityTypes types = EntityTypes.of(TestBlob.TYPE);
    Path dir = Files.createTempDirectory("leader-pump-heap-figures");
    StateStore store = disk ? RocksStateStore.open(dir.resolve("state"), types, 0) : new HeapStateStore();
    ReplicatedTableLimits limits = ReplicatedTableLimits.DEFAULT.withOutboxItemsMax(Math.max(n, 1));
    Replica replica = new Replica(args[0], types, store, 1, limits, false);
    long dueMs = NodeClock.SYSTEM.wallMs() + DAY_MS;
    long index = 0;
    for (int done = 0; done < n; ) {
      LogEntry.Builder entry = LogEntry.newBuilder();
      for (int i = 0; i < RECORDS_PER_ENTRY && done < n; i++, done++) {
        entry.addRecords(timer(done, dueMs + done % 1_000));
      }
      replica.apply(1, ++index, entry.build(), false);
    }
    long before = usedAfterGc();
    AttemptRunner noAttempts = (handler, task, timeoutMs) -> CompletableFuture.completedFuture(null);
    LeaderWork work = new LeaderWork("n1", replica.outbox(), batch -> new CompletableFuture<BatchReply>(),
        (source, effect, ctx) -> { }, () -> true, EffectRetry.DEFAULT, 1_000, 100_000, noAttempts, NodeClock.SYSTEM,
        new SplittableRandom(1), e -> {
          throw new IllegalStateException(e);
        });
    long startNs = System.nanoTime();
    work.activate();
    // Bounded: a takeover of timers a day away takes a few turns.
    for (int turn = 0; turn < 1_000_000 && work.doWork() > 0; turn++) {
      // the turns run the takeover
    }
    long takeOverMs = (System.nanoTime() - startNs) / 1_000_000;
    long after = usedAfterGc();
    System.out.printf("%-5s %,10d pending timers: leader pumps' heap %,8.1f MB (%,6.1f bytes per timer), takeover"
        + " %,d ms%n", args[0], n, (after - before) / 1e6, (after - before) / (double) n, takeOverMs);
    Reference.reachabilityFence(work);
    work.close();
    if (store instanceof AutoCloseable c) {
      c.close();
    }
  }

  private static Record timer(long i, long dueMs) {
    return Record.newBuilder().setRequestId(RequestId.newBuilder().setClientHi(17).setClientLo(19).setSequence(i + 1))
        .setRef(Protos.ref(new EntityKey("default", "blob", "b" + (i % 1_000)))).setTimestampMs(1)
        .addTimers(TimerOp.newBuilder().setName("t" + i).setSchedule(TimerSchedule.newBuilder()
            .setTarget(Protos.ref(new EntityKey("default", "blob", "b"))).setDueMs(dueMs)
            .setPayload(Protos.payload(TestBlob.TYPE.codec().encode(new TestBlob.Replace("x")))))).build();
  }

  private static long usedAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
