package io.pachyderm.storage.journal;

import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Ref;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Not a test: prints journal figures beside a raw Chronicle Queue baseline in the same process.
 * Usage: {@code JournalSpeed [records] [refs] [eventBytes] [dir]} (defaults 1000000 10000 100, a
 * temporary directory that is deleted at the end), or {@code JournalSpeed restart records refs
 * eventBytes tailRecords [dir]} for the restart figures: write {@code records} (streamed, not held
 * in memory), sync, saveIndex, append {@code tailRecords} more, then time open by full scan against
 * open from the saved index. Needs the Chronicle Queue JVM flags.
 */
public final class JournalSpeed {
  private JournalSpeed() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("restart")) {
      restart(args);
      return;
    }
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int refs = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int eventBytes = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    Path root = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("journal-speed");
    System.out.printf("records=%d refs=%d eventBytes=%d dir=%s cores=%d%n",
        records, refs, eventBytes, root, Runtime.getRuntime().availableProcessors());

    List<JournalRecord> data = generate(records, refs, eventBytes);
    System.out.printf("encoded record size: %d bytes%n", data.get(0).getSerializedSize() + 2);

    baseline(root.resolve("raw"), data);
    appendRun(root.resolve("nosync"), data, 0);
    appendRun(root.resolve("sync1000"), data.subList(0, Math.min(records, 200_000)), 1_000);
    appendRun(root.resolve("sync100"), data.subList(0, Math.min(records, 50_000)), 100);
    data = null; // so that the heap figure of the reopened index is not hidden by the test data
    reopenAndRead(root.resolve("nosync"), refs, records);
    if (args.length <= 3) {
      deleteTree(root);
    }
  }

  private static List<JournalRecord> generate(int records, int refs, int eventBytes) {
    Workload workload = new Workload(refs, eventBytes);
    List<JournalRecord> out = new ArrayList<>(records);
    for (long index = 1; out.size() < records; index++) {
      for (JournalRecord r : workload.entry(index)) {
        if (out.size() < records) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /** Raw Chronicle: the same bytes, no journal bookkeeping. */
  private static void baseline(Path dir, List<JournalRecord> data) {
    List<byte[]> bytes = new ArrayList<>(data.size());
    for (JournalRecord r : data) {
      bytes.add(r.toByteArray());
    }
    try (ChronicleQueue q = ChronicleQueue.singleBuilder(dir).rollCycle(RollCycles.FAST_DAILY).build();
         ExcerptAppender appender = q.createAppender()) {
      long start = System.nanoTime();
      for (byte[] b : bytes) {
        try (DocumentContext dc = appender.writingDocument()) {
          dc.wire().bytes().write(b);
        }
      }
      report("raw chronicle append (pre-encoded)", data.size(), System.nanoTime() - start);
    }
  }

  private static void appendRun(Path dir, List<JournalRecord> data, int syncEvery) throws Exception {
    try (EventJournal journal = EventJournal.open(dir, JournalOptions.defaults())) {
      long start = System.nanoTime();
      int sinceSync = 0;
      for (JournalRecord r : data) {
        journal.append(r);
        if (syncEvery > 0 && ++sinceSync == syncEvery) {
          journal.sync();
          sinceSync = 0;
        }
      }
      report("journal append" + (syncEvery == 0 ? ", no sync" : ", sync every " + syncEvery), data.size(),
          System.nanoTime() - start);
    }
  }

  private static void reopenAndRead(Path dir, int refs, int records) throws Exception {
    Runtime rt = Runtime.getRuntime();
    System.gc();
    System.gc();
    long heapBefore = rt.totalMemory() - rt.freeMemory();
    long start = System.nanoTime();
    try (EventJournal journal = EventJournal.open(dir, JournalOptions.defaults())) {
      long openNs = System.nanoTime() - start;
      System.gc();
      System.gc();
      long heapAfter = rt.totalMemory() - rt.freeMemory();
      System.out.printf("%-40s %8.0f ms for %d records (%.0f records/s); index heap ~%d MB (%.1f bytes/record)%n",
          "open (scan + rebuild index)", openNs / 1e6, journal.records(), journal.records() / (openNs / 1e9),
          (heapAfter - heapBefore) >> 20, (heapAfter - heapBefore) / (double) journal.records());

      start = System.nanoTime();
      long read = 0;
      try (JournalTailer tailer = journal.readFrom(1)) {
        for (int i = 0; i <= records; i++) {
          if (tailer.next() == null) {
            break;
          }
          read++;
        }
      }
      report("tailer read from index 1", read, System.nanoTime() - start);

      SplittableRandom random = new SplittableRandom(42);
      int calls = 200_000;
      long returned = 0;
      start = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        Ref ref = Workload.ref(random.nextInt(refs));
        returned += journal.history(ref, 1 + random.nextInt(50), 10).size();
      }
      long ns = System.nanoTime() - start;
      System.out.printf("%-40s %10.0f calls/s, %10.0f records/s (%d calls, limit 10)%n",
          "history(ref, random version, 10)", calls / (ns / 1e9), returned / (ns / 1e9), calls);
    }
  }

  private static void restart(String[] args) throws Exception {
    long records = Long.parseLong(args[1]);
    int refs = Integer.parseInt(args[2]);
    int eventBytes = Integer.parseInt(args[3]);
    long tailRecords = Long.parseLong(args[4]);
    Path root = args.length > 5 ? Path.of(args[5]) : Files.createTempDirectory("journal-restart");
    Path dir = root.resolve("journal");
    System.out.printf("restart: records=%d refs=%d eventBytes=%d tail=%d dir=%s cores=%d maxHeap=%d MB%n",
        records, refs, eventBytes, tailRecords, dir, Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    Workload workload = new Workload(refs, eventBytes);
    long nextIndex = 1;
    try (EventJournal journal = EventJournal.open(dir, JournalOptions.defaults())) {
      long start = System.nanoTime();
      nextIndex = appendStreamed(journal, workload, nextIndex, records);
      report("journal append, no sync (streamed)", journal.records(), System.nanoTime() - start);
      start = System.nanoTime();
      journal.sync();
      System.out.printf("%-40s %8.0f ms%n", "sync", (System.nanoTime() - start) / 1e6);
      for (int round = 0; round < 3; round++) {
        start = System.nanoTime();
        journal.saveIndex();
        long callerNs = System.nanoTime() - start;
        journal.awaitIndexWritten();
        long totalNs = System.nanoTime() - start;
        System.out.printf("%-40s %8.2f ms on the caller, %6.0f ms until the file is written and renamed%n",
            "saveIndex at " + journal.records() + " records", callerNs / 1e6, totalNs / 1e6);
      }
      long fileBytes = 0;
      for (Path p : IndexFile.listNewestFirst(dir.resolve(IndexFile.DIRECTORY))) {
        fileBytes = Math.max(fileBytes, Files.size(p));
      }
      System.out.printf("%-40s %8.1f MB (%.2f bytes/record)%n", "index file", fileBytes / 1e6,
          fileBytes / (double) journal.records());
      nextIndex = appendStreamed(journal, workload, nextIndex, tailRecords);
      System.out.printf("appended a tail of %d records after the save; last index %d%n", tailRecords, journal.lastIndex());
    }
    Path parked = root.resolve("index-parked");
    Files.move(dir.resolve(IndexFile.DIRECTORY), parked);
    timedOpen(dir, "open, full scan (no index file)");
    Files.move(parked, dir.resolve(IndexFile.DIRECTORY));
    timedOpen(dir, "open, saved index + tail scan");
    timedOpen(dir, "open, saved index + tail scan (again)");
    if (args.length <= 5) {
      deleteTree(root);
    }
  }

  /** Appends whole entries until {@code count} more records are journaled; returns the next log index. */
  private static long appendStreamed(EventJournal journal, Workload workload, long fromIndex, long count) {
    long target = journal.records() + count;
    long index = fromIndex;
    while (journal.records() < target) {
      for (JournalRecord r : workload.entry(index)) {
        journal.append(r);
      }
      index++;
    }
    return index;
  }

  private static void timedOpen(Path dir, String what) throws Exception {
    Runtime rt = Runtime.getRuntime();
    System.gc();
    System.gc();
    long heapBefore = rt.totalMemory() - rt.freeMemory();
    long start = System.nanoTime();
    try (EventJournal journal = EventJournal.open(dir, JournalOptions.defaults())) {
      long openNs = System.nanoTime() - start;
      System.gc();
      System.gc();
      long heapAfter = rt.totalMemory() - rt.freeMemory();
      System.out.printf("%-40s %8.0f ms for %d records (%d excerpts parsed); index heap ~%d MB (%.1f bytes/record)%n",
          what, openNs / 1e6, journal.records(), journal.excerptsScannedAtOpen(), (heapAfter - heapBefore) >> 20,
          (heapAfter - heapBefore) / (double) journal.records());
      SplittableRandom random = new SplittableRandom(42);
      Ref ref = Workload.ref(random.nextInt(journal.refs()));
      System.out.printf("%-40s %s: versions %s, %d records from its first%n", "  check", ref.getId(),
          journal.versions(ref), journal.history(ref, 1, 1_000_000).size());
    }
  }

  private static void report(String what, long count, long ns) {
    System.out.printf("%-40s %10.0f records/s (%d in %.0f ms)%n", what, count / (ns / 1e9), count, ns / 1e6);
  }

  private static void deleteTree(Path root) throws Exception {
    try (var paths = Files.walk(root)) {
      List<Path> all = new ArrayList<>();
      paths.forEach(all::add);
      for (int i = all.size() - 1; i >= 0; i--) {
        Files.deleteIfExists(all.get(i));
      }
    }
  }
}
