package io.pachyderm.storage.journal;

import com.google.protobuf.ByteString;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.Ref;
import io.pachyderm.protocol.RequestId;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Not a test: prints the ref index's figures for both kinds in one process, heap (today's) first
 * as the baseline: heap retained per ref (heap used after GC with the journal open, minus before),
 * append cost per record, {@code saveIndex} time, and open time after a save, for each ref count
 * given. Each record is one new ref (an entity's creation, the case that grows the index).
 * Usage: {@code RefIndexFigures [refs...]} (default 100000 1000000), in a temporary directory
 * deleted at the end. Needs the Chronicle Queue JVM flags; figures on a loaded machine are
 * indicative only.
 */
public final class RefIndexFigures {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private RefIndexFigures() {}

  public static void main(String[] args) throws Exception {
    List<Integer> counts = new ArrayList<>();
    for (String a : args) {
      counts.add(Integer.parseInt(a));
    }
    if (counts.isEmpty()) {
      counts = List.of(100_000, 1_000_000);
    }
    Path root = Files.createTempDirectory("ref-index-figures");
    System.out.printf("cores=%d maxHeap=%d MB load=%.1f%n", Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.println("kind refs | append us/record | heap bytes/ref (measured) | index estimate bytes/ref"
        + " | saveIndex ms (written ms) | open ms (excerpts scanned) | ref-index MB on disk");
    try {
      for (int refs : counts) {
        for (JournalOptions.IndexKind kind : JournalOptions.IndexKind.values()) {
          run(root.resolve(kind + "-" + refs), kind, refs);
        }
      }
    } finally {
      deleteTree(root);
    }
  }

  private static void run(Path dir, JournalOptions.IndexKind kind, int refs) throws Exception {
    JournalOptions options = JournalOptions.builder().indexKind(kind).build();
    long heapBefore = usedAfterGc();
    long appendNs;
    long heapPerRef;
    long estimatePerRef;
    long saveMs;
    long writtenMs;
    try (EventJournal journal = EventJournal.open(dir, options)) {
      long t0 = System.nanoTime();
      for (int i = 1; i <= refs; i++) {
        journal.append(record(i));
      }
      appendNs = System.nanoTime() - t0;
      heapPerRef = (usedAfterGc() - heapBefore) / refs;
      estimatePerRef = journal.indexHeapBytes() / refs;
      journal.sync();
      long s0 = System.nanoTime();
      journal.saveIndex();
      saveMs = (System.nanoTime() - s0) / 1_000_000;
      journal.awaitIndexWritten();
      writtenMs = (System.nanoTime() - s0) / 1_000_000;
      // A second save after 1,000 more records: what each snapshot after the first costs.
      for (int i = refs + 1; i <= refs + 1_000; i++) {
        journal.append(record(i));
      }
      journal.sync();
      s0 = System.nanoTime();
      journal.saveIndex();
      long secondMs = (System.nanoTime() - s0) / 1_000_000;
      journal.awaitIndexWritten();
      long secondWrittenMs = (System.nanoTime() - s0) / 1_000_000;
      System.out.printf("  (%s %d: second save after 1,000 records: %d ms, written %d ms)%n", kind, refs, secondMs,
          secondWrittenMs);
    }
    long o0 = System.nanoTime();
    long scanned;
    try (EventJournal journal = EventJournal.open(dir, options)) {
      scanned = journal.excerptsScannedAtOpen();
    }
    long openMs = (System.nanoTime() - o0) / 1_000_000;
    System.out.printf("%s %d | %.2f | %d | %d | %d (%d) | %d (%d) | %.1f%n", kind, refs, appendNs / 1000.0 / refs,
        heapPerRef, estimatePerRef, saveMs, writtenMs, openMs, scanned, sizeOf(dir.resolve(DiskRefIndex.DIRECTORY)) / 1e6);
  }

  private static JournalRecord record(long i) {
    Ref ref = Ref.newBuilder().setEcosystem("default").setType("counter").setId("c-" + i).build();
    return JournalRecord.newBuilder().setRef(ref).setVersion(1).setLogIndex(i).setTerm(1).setEntrySeq(0)
        .setEntryEvents(1).setTimestampMs(1_700_000_000_000L + i)
        .setRequest(RequestId.newBuilder().setClientHi(7).setClientLo(i).setSequence(0))
        .setEvent(Payload.newBuilder().setType("Created").setSchemaVersion(1).setData(ByteString.copyFromUtf8("{}")))
        .build();
  }

  private static long usedAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  private static long sizeOf(Path root) throws Exception {
    if (!Files.exists(root)) {
      return 0;
    }
    long total = 0;
    try (var paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        if (Files.isRegularFile(p)) {
          total += Files.size(p);
        }
      }
    }
    return total;
  }

  private static void deleteTree(Path root) throws Exception {
    List<Path> all = new ArrayList<>();
    try (var paths = Files.walk(root)) {
      paths.forEach(all::add);
    }
    for (int i = all.size() - 1; i >= 0; i--) {
      Files.deleteIfExists(all.get(i));
    }
  }
}
