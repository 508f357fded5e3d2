package io.pachyderm.bench.statestore;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 14's measurements of the entity state store, every figure printed for each store of the
 * run on adjacent lines: (1) N counters created and read back on one local node in a small heap;
 * (2) call latency while the node takes snapshots, at several entity counts; (3) restart time of
 * a populated node and snapshot install time into an empty follower. Each measurement runs in a
 * child JVM ({@link StoreChild}, {@link InstallChild}) under a {@link Watchdog}; a child that runs
 * out of memory or stops making progress is a result, not a hang. See benchmarks/README.md.
 */
@Command(name = "state-store",
    description = "Entity state stores side by side: many entities in a small heap, latency while snapshots happen,"
        + " snapshot time and size, restart and snapshot install (benchmarks/README.md).")
public final class StateStoreBenchmark implements Callable<Integer> {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Option(names = "--quick", description = "100,000 entities in the small-heap run; counts 10k,100k.")
  boolean quick;

  @Option(names = "--entities", description = "Counters of the small-heap run (e.g. 10M). Default 10,000,000, quick 100,000.")
  String entities;

  @Option(names = "--counts", split = ",", description = "Entity counts of the snapshot, restart and install runs."
      + " Default 10k,1M,10M, quick 10k,100k.")
  List<String> counts;

  @Option(names = "--store", split = ",", description = "State stores to measure, side by side (heap, disk)."
      + " Default: every store this build has.")
  List<String> stores;

  @Option(names = "--parts", split = ",", description = "Which of many,snapshots,install to run. Default all.")
  List<String> parts;

  @Option(names = "--heap", defaultValue = "512m", description = "-Xmx of the small-heap run. Default ${DEFAULT-VALUE}.")
  String manyHeap;

  @Option(names = "--counts-heap", defaultValue = "2g",
      description = "-Xmx of the snapshot, restart and install runs. Default ${DEFAULT-VALUE}.")
  String countsHeap;

  @Option(names = "--callers", defaultValue = "64", description = "Concurrent blocking callers. Default ${DEFAULT-VALUE}.")
  int callers;

  @Option(names = "--stall-seconds", defaultValue = "60",
      description = "A child that completes no call for this long is killed and reported stalled. Default ${DEFAULT-VALUE}.")
  long stallSeconds;

  @Option(names = "--snapshot-entries", defaultValue = "500",
      description = "Snapshot threshold (log entries) of the node in the latency run. Default ${DEFAULT-VALUE}.")
  long snapshotEntries;

  @Option(names = "--snapshots-min", defaultValue = "5", description = "Snapshots the latency run crosses. Default ${DEFAULT-VALUE}.")
  int snapshotsMin;

  @Option(names = "--latency-calls-min", defaultValue = "20000",
      description = "Calls the latency run makes at least. Default ${DEFAULT-VALUE}.")
  long latencyCallsMin;

  @Option(names = "--latency-seconds-max", description = "Time limit of each latency run. Default 900, quick 180.")
  Long latencySecondsMax;

  @Option(names = "--dir", description = "Where the data directories go (each deleted after its run). Default the"
      + " system temporary directory.")
  Path dir;

  @Option(names = "--keep", description = "Keep the data directories.")
  boolean keep;

  public static void main(String[] args) {
    System.exit(new CommandLine(new StateStoreBenchmark()).execute(args));
  }

  /** The run these options describe; refuses bad options with a message naming the option. */
  Plan plan() {
    List<StoreKind> kinds = stores == null ? StoreKind.available() : StoreKind.parseList(stores);
    long many = entities != null ? single(Plan.parseCounts(List.of(entities))) : quick ? Plan.QUICK_ENTITIES
        : Plan.FULL_ENTITIES;
    List<Long> runCounts = counts != null ? Plan.parseCounts(counts) : quick ? Plan.QUICK_COUNTS : Plan.FULL_COUNTS;
    return new Plan(kinds, parts == null ? Plan.PARTS : new HashSet<>(parts), many, runCounts, manyHeap, countsHeap,
        callers, stallSeconds, snapshotEntries, snapshotsMin, latencyCallsMin,
        latencySecondsMax != null ? latencySecondsMax : quick ? 180 : 900);
  }

  private static long single(List<Long> values) {
    return values.get(0);
  }

  @Override
  public Integer call() throws Exception {
    Plan plan;
    try {
      plan = plan();
    } catch (IllegalArgumentException e) {
      System.err.println("state-store: " + e.getMessage());
      return 2;
    }
    String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    List<StoreTables.Row> many = new ArrayList<>();
    List<StoreTables.Row> latency = new ArrayList<>();
    List<StoreTables.Row> restart = new ArrayList<>();
    if (plan.has("many")) {
      for (StoreKind store : plan.stores()) {
        ChildRun.Outcome o = populate(plan, store, plan.manyEntities(), plan.manyHeap(), null);
        many.add(new StoreTables.Row(store, plan.manyEntities(), o.figures(), o.verdict().cell()));
      }
    }
    for (long count : plan.counts()) {
      for (StoreKind store : plan.stores()) {
        Map<String, String> restartFigures = new LinkedHashMap<>();
        List<String> verdicts = new ArrayList<>();
        if (plan.has("snapshots")) {
          runSnapshots(plan, store, count, latency, restartFigures, verdicts);
        }
        if (plan.has("install")) {
          ChildRun.Outcome o = install(plan, store, count);
          restartFigures.putAll(o.figures());
          verdicts.add("install " + o.verdict().cell());
        }
        restart.add(new StoreTables.Row(store, count, restartFigures, String.join("; ", verdicts)));
      }
    }
    print(System.out, plan, started, many, latency, restart);
    return 0;
  }

  /** Populates a directory, then reopens it for the latency run (whose first call times the restart). */
  private void runSnapshots(Plan plan, StoreKind store, long count, List<StoreTables.Row> latency,
                            Map<String, String> restartFigures, List<String> verdicts) throws Exception {
    Path data = Files.createTempDirectory(root(), "state-store-" + store.flag() + "-" + count + "-");
    try {
      ChildRun.Outcome populated = populate(plan, store, count, plan.countsHeap(), data);
      if (!populated.completed()) {
        latency.add(new StoreTables.Row(store, count, Map.of(), "populate " + populated.verdict().cell()));
        verdicts.add("populate " + populated.verdict().cell());
        return;
      }
      progress(store, count, "latency while snapshots happen (reopening: the restart is timed)");
      ChildRun.Outcome o = ChildRun.run(StoreChild.class, List.of("latency", "--dir", data.toString(),
              "--store", store.flag(), "--entities", Long.toString(count), "--callers", Integer.toString(plan.callers()),
              "--snapshot-entries", Long.toString(plan.snapshotEntries()), "--snapshots-min",
              Integer.toString(plan.snapshotsMin()), "--calls-min", Long.toString(plan.latencyCallsMin()),
              "--seconds-max", Long.toString(plan.latencySecondsMax())),
          plan.countsHeap(), plan.stallSeconds() * 1000);
      latency.add(new StoreTables.Row(store, count, o.figures(), o.verdict().cell()));
      restartFigures.putAll(o.figures());
      if (o.firstCallMs() >= 0) {
        restartFigures.put("restart-ms", Long.toString(o.firstCallMs()));
      }
      verdicts.add("restart " + o.verdict().cell());
    } finally {
      delete(data);
    }
  }

  /** Creates and reads back {@code count} counters in a child; {@code data} null: a directory of its own. */
  private ChildRun.Outcome populate(Plan plan, StoreKind store, long count, String heap, Path data) throws Exception {
    Path d = data != null ? data : Files.createTempDirectory(root(), "state-store-" + store.flag() + "-many-");
    progress(store, count, "creating and reading back " + count + " counters, -Xmx" + heap);
    try {
      return ChildRun.run(StoreChild.class, List.of("populate", "--dir", d.toString(), "--store", store.flag(),
          "--entities", Long.toString(count), "--callers", Integer.toString(plan.callers())), heap,
          plan.stallSeconds() * 1000);
    } finally {
      if (data == null) {
        delete(d);
      }
    }
  }

  private ChildRun.Outcome install(Plan plan, StoreKind store, long count) throws Exception {
    Path d = Files.createTempDirectory(root(), "state-store-" + store.flag() + "-install-" + count + "-");
    progress(store, count, "snapshot install into an empty follower (3 in-process nodes)");
    try {
      return ChildRun.run(InstallChild.class, List.of("--dir", d.toString(), "--store", store.flag(), "--entities",
          Long.toString(count), "--callers", Integer.toString(plan.callers())), plan.countsHeap(),
          plan.stallSeconds() * 1000);
    } finally {
      delete(d);
    }
  }

  static void print(PrintStream out, Plan plan, String started, List<StoreTables.Row> many,
                    List<StoreTables.Row> latency, List<StoreTables.Row> restart) {
    out.println();
    out.println("===== Pachyderm state-store benchmark =====");
    out.printf(Locale.ROOT, "started %s; %s %s, %d processors; stores: %s; callers: %d; watchdog: %d s%n", started,
        System.getProperty("java.vm.name"), System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(), plan.stores().stream().map(StoreKind::flag).toList(),
        plan.callers(), plan.stallSeconds());
    if (!many.isEmpty()) {
      out.println();
      out.printf(Locale.ROOT, "1. Many entities in a small heap: one local node, -Xmx%s, counters created by call(Increment(1))"
          + " from %d callers, then each read back (stale read on the only node: version 1, count 1)%n",
          plan.manyHeap(), plan.callers());
      StoreTables.printMany(out, many);
      out.println("heap MB: heap used after a full GC, node up, every counter created. disk: du of the data directory"
          + " after close (log, snapshots, journal).");
    }
    if (!latency.isEmpty()) {
      out.println();
      out.printf(Locale.ROOT, "2. Latency while snapshots happen: the populated node reopened (-Xmx%s, snapshot every %,d"
          + " log entries), call(Increment(1)) on uniformly chosen existing counters from %d callers until %d snapshots"
          + " and %,d calls (limit %d s)%n", plan.countsHeap(), plan.snapshotEntries(), plan.callers(),
          plan.snapshotsMin(), plan.latencyCallsMin(), plan.latencySecondsMax());
      StoreTables.printLatency(out, latency);
      out.println("snaps: snapshots taken during the run (! = fewer than asked: time limit); snap ms / max: their mean"
          + " and longest duration,");
      out.println("  and snap MB the last one's size, from the node's pachyderm.snapshot.* metrics. The goal (issue"
          + " 14): p99 and max do not grow with entities.");
    }
    if (!restart.isEmpty()) {
      out.println();
      out.println("3. Restart and snapshot install");
      StoreTables.printRestart(out, restart);
      out.println("restart ms: child process start to its first successful call on the reopened node (JVM start"
          + " included); open ms: LocalPachyderm.open() alone;");
      out.println("  restored: that call found the counter's populated state. install ms: three PachydermNodes IN ONE"
          + " JVM (not processes), n3 joins empty");
      out.println("  after the leader purged its log: n3.start() to n3 applying the leader's index; by snap: n3 holds"
          + " snapshot files; reads: a stale read on n3 is right.");
    }
    out.println();
    out.println("Figures from a shared 2-core machine are indicative only; compare stores within one run.");
    out.flush();
  }

  private Path root() throws IOException {
    Path r = dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir"));
    Files.createDirectories(r);
    return r;
  }

  private void delete(Path d) {
    if (keep) {
      System.err.println("[driver] kept " + d);
      return;
    }
    try (Stream<Path> paths = Files.walk(d)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("[driver] cannot delete " + d + ": " + e);
    }
  }

  private static void progress(StoreKind store, long count, String what) {
    System.err.printf(Locale.ROOT, "[driver] %s, %,d entities: %s%n", store.flag(), count, what);
  }
}
