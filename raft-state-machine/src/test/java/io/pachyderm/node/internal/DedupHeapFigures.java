package io.pachyderm.node.internal;

import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.TestBlob;
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
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Heap used by the replicated tables on a HEAP and a DISK replica (issue 14): {@code dedup}
 * remembers N request ids (N entries of 100 commands, each a rejection: an outcome and no entity),
 * {@code timers} schedules N timers. Heap after full GCs, before and after, divided by N.
 *
 * <p>A main, not a test (nothing here can fail but the sizes). Usage: {@code DedupHeapFigures
 * heap|disk dedup|timers N}, one kind per JVM so that one run's garbage does not count in the
 * other's, with the module's test classpath. Indicative only on a shared machine.
 */
final class DedupHeapFigures {
  private static final int RECORDS_PER_ENTRY = 100;

  private DedupHeapFigures() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3 || !args[0].matches("heap|disk") || !args[1].matches("dedup|timers")) {
      throw new IllegalArgumentException("usage: DedupHeapFigures heap|disk dedup|timers N");
    }
    boolean disk = args[0].equals("disk");
    boolean dedup = args[1].equals("dedup");
    int n = Integer.parseInt(args[2].replace("_", ""));
    EntityTypes types = EntityTypes.of(TestBlob.TYPE);
    Path dir = Files.createTempDirectory("dedup-heap-figures");
    StateStore store = disk ? RocksStateStore.open(dir.resolve("state"), types, 0) : new HeapStateStore();
    ReplicatedTableLimits limits = ReplicatedTableLimits.DEFAULT.withDedup(4L << 30, 200_000, 16L << 20)
        .withOutboxItemsMax(Math.max(n, 1));
    // The timers' commands are remembered too: a table of one entry keeps them out of that figure.
    Replica replica = new Replica(args[0], types, store, dedup ? Math.max(n, 1) : 1, limits, false);
    long before = usedAfterGc();
    long startNs = System.nanoTime();
    long index = 0;
    for (int done = 0; done < n; ) {
      LogEntry.Builder entry = LogEntry.newBuilder();
      for (int i = 0; i < RECORDS_PER_ENTRY && done < n; i++, done++) {
        entry.addRecords(dedup ? rejected(done) : timer(done));
      }
      replica.apply(1, ++index, entry.build(), false);
    }
    long applyMs = (System.nanoTime() - startNs) / 1_000_000;
    long after = usedAfterGc();
    System.out.printf("%-5s %-6s %,12d items: heap %,8.1f MB, %,6.1f bytes per item; apply %,d ms (dedup %,d, timers %,d)%n",
        args[0], args[1], n, (after - before) / 1e6, (after - before) / (double) n, applyMs, replica.dedupEntries(),
        replica.outbox().timerCount());
    if (store instanceof AutoCloseable c) {
      c.close();
    }
  }

  private static Record rejected(long i) {
    return Record.newBuilder().setRequestId(RequestId.newBuilder().setClientHi(11).setClientLo(13).setSequence(i + 1))
        .setRef(Protos.ref(new EntityKey("default", "blob", "b"))).setTimestampMs(1)
        .setRejection(Protos.rejection(io.pachyderm.api.RejectionKind.INVALID_REQUEST, "no")).build();
  }

  private static Record timer(long i) {
    return Record.newBuilder().setRequestId(RequestId.newBuilder().setClientHi(17).setClientLo(19).setSequence(i + 1))
        .setRef(Protos.ref(new EntityKey("default", "blob", "b" + (i % 1_000)))).setTimestampMs(1)
        .addTimers(TimerOp.newBuilder().setName("t" + i).setSchedule(TimerSchedule.newBuilder()
            .setTarget(Protos.ref(new EntityKey("default", "blob", "b"))).setDueMs(i)
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
