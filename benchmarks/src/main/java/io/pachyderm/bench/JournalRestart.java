package io.pachyderm.bench;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.local.LocalPachyderm;
import io.pachyderm.protocol.EntitySnapshot;
import io.pachyderm.storage.SnapshotReader;
import io.pachyderm.storage.journal.EventJournal;
import io.pachyderm.storage.journal.JournalOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * How fast a node that has applied N events serves again: writes N events through
 * {@link LocalPachyderm} (default settings: snapshots every 10,000 log entries, journal on),
 * closes it, reopens it and times the way back, first with the journal's saved index, then with
 * the index files removed (the journal is rebuilt by a full scan: the baseline). Also prints the
 * sizes on disk, the snapshot's content (bounded by entities, not events) and, with the node
 * closed, the journal's and the snapshot's open times on their own.
 *
 * <p>The node's phases come from its own log lines ("loaded snapshot", "opened its journal", "is
 * leader and ready"), captured in-process with their logback time stamps (ms).
 */
@Command(name = "journal-restart", description = "Restart time of a local node after N events, with the journal's "
    + "saved index and, as the baseline, with a full journal scan.")
public final class JournalRestart implements Callable<Integer> {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Parameters(index = "0", arity = "0..1", description = "Events to write. Default ${DEFAULT-VALUE}.")
  long events = 10_000_000;

  @Option(names = "--events-per-call", description = "Events one call emits (one command). Default ${DEFAULT-VALUE}.")
  int eventsPerCall = 10;

  @Option(names = "--entities", description = "Entities the calls are spread over. Default ${DEFAULT-VALUE}.")
  int entities = 10_000;

  @Option(names = "--threads", description = "Threads issuing blocking calls. Default ${DEFAULT-VALUE}.")
  int threads = 32;

  @Option(names = "--dir", description = "Where the store's temporary directory goes. Default ${DEFAULT-VALUE}.")
  Path parent = Path.of("/tmp");

  @Option(names = "--keep", description = "Keep the store (its path is printed) instead of deleting it.")
  boolean keep;

  @Option(names = "--crash", description = "Write from a child JVM and kill -9 it once the last call returned: no "
      + "close, so no snapshot at stop, and the first restart replays the Raft log since the last automatic "
      + "snapshot (up to 10,000 entries).")
  boolean crash;

  /** The child of --crash: writes into --store, prints WRITTEN, then waits to be killed. */
  @Option(names = "--write-only", hidden = true)
  boolean writeOnly;

  @Option(names = "--store", hidden = true)
  Path storeForChild;

  /** The entity written first, whose history each restart reads: its records are the journal's oldest. */
  private static final String OLD_ENTITY = "old-0";
  private static final long PROGRESS_EVERY_NS = 10_000_000_000L;
  private static final Pattern JOURNAL_RECORDS = Pattern.compile("opened its journal .* \\((\\d+) records");

  private final List<ILoggingEvent> nodeLog = new CopyOnWriteArrayList<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new JournalRestart()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (events < eventsPerCall || eventsPerCall < 1 || eventsPerCall > BenchLog.EVENTS_PER_COMMAND_MAX
        || entities < 1 || threads < 1 || threads > 64) {
      System.err.println("journal-restart: need events >= events-per-call (1.." + BenchLog.EVENTS_PER_COMMAND_MAX
          + "), entities >= 1, threads 1..64");
      return 2;
    }
    if (writeOnly) {
      Write w = write(storeForChild, false);
      System.out.printf(Locale.ROOT, "WRITTEN %d %d %.3f%n", w.calls(), w.failed(), w.seconds());
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
      return 0;
    }
    captureNodeLog();
    Path dir = Files.createTempDirectory(parent, "pachyderm-restart-");
    Path store = dir.resolve("store");
    PrintStream out = System.out;
    try {
      Write w = crash ? writeAndCrash(store) : write(store, true);
      Sizes sizes = Sizes.of(store);
      SnapshotContent snap = readSnapshot(sizes.snapshot);
      Restart withIndex1 = restart(store, "saved index");
      Restart withIndex2 = restart(store, "saved index, again");
      double journalOpenMs = timeJournalOpen(store.resolve("journal"));
      long indexFilesRemoved = removeIndex(store.resolve("journal").resolve("index"));
      double journalScanMs = timeJournalOpen(store.resolve("journal"));
      removeIndex(store.resolve("journal").resolve("index"));
      Restart scan = restart(store, "index removed: full scan");
      report(out, w, sizes, snap, List.of(withIndex1, withIndex2, scan), journalOpenMs, journalScanMs,
          indexFilesRemoved);
      return 0;
    } finally {
      if (keep) {
        System.err.println("journal-restart: store kept in " + store);
      } else {
        deleteTree(dir);
      }
    }
  }

  private record Write(long calls, long failed, double seconds, long events) {}

  /**
   * Runs the write in a child JVM (same flags and classpath) and kills it (SIGKILL) once it has
   * written: the store is left as after a crash, with no snapshot taken at stop.
   */
  private Write writeAndCrash(Path store) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), JournalRestart.class.getName(),
        Long.toString(events), "--events-per-call", Integer.toString(eventsPerCall), "--entities",
        Integer.toString(entities), "--threads", Integer.toString(threads), "--write-only", "--store",
        store.toString()));
    Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(
        child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("WRITTEN ")) {
          child.destroyForcibly();
          child.waitFor();
          Progress.line("write", "child killed (SIGKILL) after writing");
          String[] f = line.split(" ");
          long calls = Long.parseLong(f[1]);
          return new Write(calls, Long.parseLong(f[2]), Double.parseDouble(f[3]), calls * eventsPerCall);
        }
        System.out.println(line);
      }
    } finally {
      child.destroyForcibly();
    }
    throw new IllegalStateException("the writing child ended without writing (exit " + child.waitFor() + ")");
  }

  /**
   * Writes the old entity's events, then the bulk from {@code threads} threads; closes the store
   * when {@code close} (else leaves it open for the kill).
   */
  private Write write(Path store, boolean close) throws Exception {
    EntityRef<BenchLog.State, BenchLog.Command> old = BenchLog.TYPE.ref(OLD_ENTITY);
    long calls = (events - eventsPerCall + eventsPerCall - 1) / eventsPerCall;
    AtomicLong next = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    BenchLog.Append append = new BenchLog.Append(eventsPerCall);
    List<EntityRef<BenchLog.State, BenchLog.Command>> refs = new ArrayList<>(entities);
    for (int i = 0; i < entities; i++) {
      refs.add(BenchLog.TYPE.ref("e-" + i));
    }
    long startNs;
    long endNs;
    LocalPachyderm local = open(store);
    try {
      local.call(old, append);
      Progress.line("write", String.format(Locale.ROOT, "%,d events: %,d calls of %d events over %,d entities from"
          + " %d threads", events, calls + 1, eventsPerCall, entities, threads));
      startNs = System.nanoTime();
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread worker = new Thread(() -> {
          for (long i = next.getAndIncrement(); i < calls; i = next.getAndIncrement()) {
            try {
              local.call(refs.get((int) (i % entities)), append);
              ok.incrementAndGet();
            } catch (RuntimeException e) {
              if (failed.incrementAndGet() <= 5) {
                System.err.println("journal-restart: call failed: " + e);
              }
            }
          }
        }, "restart-writer-" + t);
        worker.start();
        workers.add(worker);
      }
      long lastNs = startNs;
      long lastOk = 0;
      while (workers.stream().anyMatch(Thread::isAlive)) {
        workers.get(0).join(200);
        long now = System.nanoTime();
        if (now - lastNs >= PROGRESS_EVERY_NS) {
          long o = ok.get();
          Progress.line("write", String.format(Locale.ROOT, "%,d of %,d calls, %,.0f events/s lately",
              o, calls, (o - lastOk) * eventsPerCall / ((now - lastNs) / 1e9)));
          lastNs = now;
          lastOk = o;
        }
      }
      endNs = System.nanoTime();
    } finally {
      if (close) {
        local.close();
      }
    }
    double seconds = (endNs - startNs) / 1e9;
    Progress.line("write", String.format(Locale.ROOT, "done: %,d calls in %.1f s, %,.0f events/s, %d failed",
        ok.get(), seconds, ok.get() * eventsPerCall / seconds, failed.get()));
    return new Write(ok.get() + 1, failed.get(), seconds, (ok.get() + 1) * eventsPerCall);
  }

  /**
   * One restart: the time from calling open() until it returns (the node is leader and ready),
   * until a first write succeeds, and until a history read of the oldest entity succeeds; the
   * node's own phases from its log lines; heap after a full GC with the node up.
   */
  private record Restart(String label, double openMs, double firstCallMs, double historyMs, int historyEvents,
                         double snapshotLoadedMs, double journalOpenedMs, double readyMs, long journalRecords,
                         double heapMb) {}

  private Restart restart(Path store, String label) {
    System.gc();
    nodeLog.clear();
    long t0Ms = System.currentTimeMillis();
    long t0 = System.nanoTime();
    double openMs;
    double firstMs;
    double historyMs;
    int historyEvents;
    double heapMb;
    try (LocalPachyderm local = open(store)) {
      openMs = (System.nanoTime() - t0) / 1e6;
      local.call(BenchLog.TYPE.ref("probe"), new BenchLog.Append(1));
      firstMs = (System.nanoTime() - t0) / 1e6;
      List<HistoryEvent> history = local.history(BenchLog.TYPE.ref(OLD_ENTITY), 1);
      historyMs = (System.nanoTime() - t0) / 1e6;
      historyEvents = history.size();
      if (historyEvents != eventsPerCall || history.get(0).version() != 1) {
        throw new IllegalStateException("history of " + OLD_ENTITY + " holds " + historyEvents + " events from version "
            + (history.isEmpty() ? "-" : history.get(0).version()) + ", expected " + eventsPerCall + " from 1");
      }
      heapMb = heapUsedAfterGcMb();
    }
    double snapshotMs = logTimeMs("loaded snapshot", t0Ms);
    double journalMs = logTimeMs("opened its journal", t0Ms);
    double readyMs = logTimeMs("is leader and ready", t0Ms);
    long records = -1;
    for (ILoggingEvent e : nodeLog) {
      Matcher m = JOURNAL_RECORDS.matcher(e.getFormattedMessage());
      if (m.find()) {
        records = Long.parseLong(m.group(1));
      }
    }
    Restart r = new Restart(label, openMs, firstMs, historyMs, historyEvents, snapshotMs, journalMs, readyMs,
        records, heapMb);
    Progress.line("restart", String.format(Locale.ROOT, "%s: serving after %.0f ms, history after %.0f ms", label,
        firstMs, historyMs));
    return r;
  }

  /** Time of the node's first log line containing {@code text}, from {@code t0Ms}; -1 when none. */
  private double logTimeMs(String text, long t0Ms) {
    for (ILoggingEvent e : nodeLog) {
      if (e.getFormattedMessage().contains(text)) {
        return e.getTimeStamp() - t0Ms;
      }
    }
    return -1;
  }

  private void captureNodeLog() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent e) {
        if (e.getLoggerName().startsWith("io.pachyderm")) {
          nodeLog.add(e);
        }
      }
    };
    appender.setContext(root.getLoggerContext());
    appender.start();
    root.addAppender(appender);
  }

  /** Opens the journal on its own (node closed) and closes it; ms for the open. */
  private static double timeJournalOpen(Path journalDir) throws IOException {
    long t0 = System.nanoTime();
    EventJournal j = EventJournal.open(journalDir, JournalOptions.defaults());
    double ms = (System.nanoTime() - t0) / 1e6;
    Progress.line("journal", String.format(Locale.ROOT, "open on its own: %.0f ms, %,d records", ms, j.records()));
    j.close();
    return ms;
  }

  private static long removeIndex(Path indexDir) throws IOException {
    if (!Files.isDirectory(indexDir)) {
      return 0;
    }
    long removed = 0;
    try (Stream<Path> files = Files.list(indexDir)) {
      for (Path p : files.toList()) {
        Files.delete(p);
        removed++;
      }
    }
    return removed;
  }

  /** What the latest snapshot holds, and how long reading (parsing, not decoding states) it takes. */
  private record SnapshotContent(long entities, long dedup, long versionSum, double readMs) {}

  private static SnapshotContent readSnapshot(Path file) throws IOException {
    if (file == null) {
      return new SnapshotContent(0, 0, 0, -1);
    }
    long t0 = System.nanoTime();
    long n = 0;
    long versions = 0;
    long dedup = 0;
    try (SnapshotReader reader = new SnapshotReader(file)) {
      for (EntitySnapshot e = reader.nextEntity(); e != null; e = reader.nextEntity()) {
        n++;
        versions += e.getVersion();
      }
      while (reader.nextDedup() != null) {
        dedup++;
      }
      while (reader.nextOutbox() != null) {
        // Counted in the file size only.
      }
      reader.verify();
    }
    return new SnapshotContent(n, dedup, versions, (System.nanoTime() - t0) / 1e6);
  }

  /** Bytes on disk by part of the store; {@code snapshot} is the latest snapshot file. */
  private record Sizes(long journalBytes, long journalAllocatedBytes, long indexBytes, long raftLogBytes,
                       long snapshotBytes, Path snapshot, long snapshots) {
    static Sizes of(Path store) throws IOException {
      Path journal = store.resolve("journal");
      long journalBytes = 0;
      long indexBytes = 0;
      long raftBytes = 0;
      Path latest = null;
      long snapshots = 0;
      try (Stream<Path> files = Files.walk(store)) {
        for (Path p : files.filter(Files::isRegularFile).toList()) {
          long size = Files.size(p);
          String name = p.getFileName().toString();
          if (p.startsWith(journal.resolve("index"))) {
            indexBytes += size;
          } else if (p.startsWith(journal)) {
            journalBytes += size;
          } else if (name.startsWith("snapshot.") && !name.endsWith(".md5")) {
            snapshots++;
            if (latest == null || snapshotIndex(name) > snapshotIndex(latest.getFileName().toString())) {
              latest = p;
            }
          } else if (name.startsWith("log_")) {
            raftBytes += size;
          }
        }
      }
      long allocated = allocatedBytes(journal) - allocatedBytes(journal.resolve("index"));
      return new Sizes(journalBytes, allocated, indexBytes, raftBytes, latest == null ? 0 : Files.size(latest), latest,
          snapshots);
    }

    /**
     * Disk blocks in use under {@code dir} ({@code du -sk}), or -1 when du fails: Chronicle Queue
     * files are sparse, so their length overstates what the journal holds until a cycle is done.
     */
    private static long allocatedBytes(Path dir) {
      try {
        Process du = new ProcessBuilder("du", "-sk", dir.toString()).redirectErrorStream(true).start();
        String line = new String(du.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return du.waitFor() == 0 ? Long.parseLong(line.trim().split("\\s+")[0]) * 1024 : -1;
      } catch (IOException | NumberFormatException e) {
        return -1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    }

    /** Ratis names snapshots snapshot.TERM_INDEX. */
    private static long snapshotIndex(String name) {
      return Long.parseLong(name.substring(name.lastIndexOf('_') + 1));
    }
  }

  private void report(PrintStream out, Write w, Sizes s, SnapshotContent snap, List<Restart> restarts,
                      double journalOpenMs, double journalScanMs, long indexFilesRemoved) {
    out.println();
    out.println("===== Pachyderm restart after N events (LocalPachyderm, default settings) =====");
    out.println(crash ? "the writer was killed (SIGKILL) after its last call: the first restart is a crash recovery"
        : "the writer closed the store (Ratis takes a snapshot at stop): every restart is a clean one");
    out.printf(Locale.ROOT, "%s %s, %d processors, max heap %d MB%n", System.getProperty("java.vm.name"),
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    out.printf(Locale.ROOT, "write: %,d events (%,d calls of Append(%d) over %,d entities, %d threads) in %.1f s:"
            + " %,.0f events/s, %d failed calls%n", w.events(), w.calls(), eventsPerCall, entities + 1, threads,
        w.seconds(), (w.events() - eventsPerCall) / w.seconds(), w.failed());
    out.printf(Locale.ROOT, "on disk: journal %,.1f MB in blocks (%.1f B/event; file length %,.1f MB, Chronicle files"
            + " are sparse), journal index %,.1f MB, Raft log %,.1f MB, latest snapshot %,.2f MB (%d snapshot files"
            + " kept)%n", mb(s.journalAllocatedBytes()), (double) s.journalAllocatedBytes() / w.events(),
        mb(s.journalBytes()), mb(s.indexBytes()), mb(s.raftLogBytes()), mb(s.snapshotBytes()), s.snapshots());
    out.printf(Locale.ROOT, "snapshot: %,d entities, %,d dedup entries, %,d events before it (so %,d events in the"
            + " log tail replayed at open); read on its own in %.0f ms%n", snap.entities(), snap.dedup(),
        snap.versionSum(), w.events() - snap.versionSum(), snap.readMs());
    out.printf(Locale.ROOT, "journal open on its own (node closed): %.0f ms with the saved index, %.0f ms by a full"
        + " scan (%d index files removed)%n", journalOpenMs, journalScanMs, indexFilesRemoved);
    out.println();
    String format = "%-28s %9s %12s %12s %11s %12s %10s %12s %8s%n";
    out.printf(Locale.ROOT, format, "restart", "snapshot", "journal open", "ready (open)", "first call",
        "history(old)", "replay", "records", "heap MB");
    for (Restart r : restarts) {
      double journalOpen = r.journalOpenedMs() >= 0 && r.snapshotLoadedMs() >= 0
          ? r.journalOpenedMs() - r.snapshotLoadedMs() : -1;
      out.printf(Locale.ROOT, format, r.label(), ms(r.snapshotLoadedMs()), ms(journalOpen), ms(r.openMs()),
          ms(r.firstCallMs()), ms(r.historyMs()), ms(r.readyMs() - r.journalOpenedMs()),
          String.format(Locale.ROOT, "%,d", r.journalRecords()), String.format(Locale.ROOT, "%.0f", r.heapMb()));
    }
    out.println("All times in ms from the call to open(). snapshot: until the node logged 'loaded snapshot' (Ratis"
        + " start + reading it).");
    out.println("  journal open: from that line to 'opened its journal'. ready (open): open() returned, the node being"
        + " leader and ready.");
    out.println("  first call: a write (Append(1) on a new entity) succeeded. history(old): history of the first"
        + " entity written");
    out.println("  (" + eventsPerCall + " events, the journal's oldest records) was read. replay: from 'opened its"
        + " journal' to 'is leader and ready'");
    out.println("  (the Raft log after the snapshot applied again, plus the election). heap: after a full GC, node"
        + " up.");
  }

  private static String ms(double v) {
    return v < 0 ? "-" : String.format(Locale.ROOT, "%,.0f", v);
  }

  private static double mb(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  private static double heapUsedAfterGcMb() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
  }

  private static LocalPachyderm open(Path store) {
    return LocalPachyderm.builder(store).entityTypes(EntityTypes.of(BenchLog.TYPE)).open();
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
