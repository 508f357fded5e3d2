package io.pachyderm.chaos.nemesis;

import io.pachyderm.chaos.net.NetnsHosts;
import io.pachyderm.chaos.nodes.ChaosCluster;
import io.pachyderm.chaos.nodes.NodeProcess;
import io.pachyderm.chaos.report.NemesisInterval;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Runs a {@link ChaosSchedule} against a cluster on its own thread: each fault starts at its time
 * after {@link #start()} and is healed when it has lasted its time. Every fault becomes a
 * {@link NemesisInterval} named by its {@linkplain FaultAction#kind() kind} and a pair of lines in
 * {@code nemesis.log} (which nodes, which schedule line).
 *
 * <p>When two events fall on the same instant, heals go first, so that one partition can follow
 * another without a gap. An inject or heal that takes long (a leader lookup, a kill waiting for
 * the process to go) delays the events after it; the intervals record when things really
 * happened.
 *
 * <p>Thread-safe. Random choices (the random node, partition shapes) come from the seed.
 */
public final class ScheduledNemesis implements NemesisRun {
  /** One thing to do at one time. */
  private record Event(long atNs, boolean inject, int entry) {}

  private final ChaosCluster cluster;
  private final ChaosSchedule schedule;
  private final SplittableRandom random;
  private final LongSupplier clockNs;
  private final Path log;
  private final List<NemesisInterval> intervals = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  /** Faults in force by entry index; sorted, so that progress lines and stopAndHeal are deterministic. */
  private final TreeMap<Integer, Fault> active = new TreeMap<>();
  private final TreeMap<Integer, Long> activeStartNs = new TreeMap<>();
  private final Object lock = new Object();
  private int injected;
  private long startNanoTime;
  private long startClockNs = -1;
  private Thread thread;
  private boolean stopped;

  /**
   * @param clockNs the history's clock (nanoseconds since the run began)
   * @param log file to append one line per inject and heal to
   */
  public ScheduledNemesis(ChaosCluster cluster, ChaosSchedule schedule, long seed, LongSupplier clockNs, Path log) {
    schedule.requireFits(cluster.nodes().size(), Duration.ofDays(365));
    this.cluster = cluster;
    this.schedule = schedule;
    this.random = new SplittableRandom(seed);
    this.clockNs = clockNs;
    this.log = log;
  }

  @Override
  public void start() {
    synchronized (lock) {
      startNanoTime = System.nanoTime();
      startClockNs = clockNs.getAsLong();
    }
    note("schedule started (" + schedule.entries().size() + " faults)");
    thread = new Thread(this::loop, "chaos-scheduled-nemesis");
    thread.setDaemon(true);
    thread.start();
  }

  /** When {@link #start()} ran, on the history's clock; -1 before. Scheduled times count from here. */
  public long startClockNs() {
    synchronized (lock) {
      return startClockNs;
    }
  }

  @Override
  public int faultsInjected() {
    synchronized (lock) {
      return injected;
    }
  }

  @Override
  public String activeFault() {
    synchronized (lock) {
      if (active.isEmpty()) {
        return null;
      }
      List<String> names = new ArrayList<>();
      for (Fault f : active.values()) {
        names.add(f.name());
      }
      return String.join(" + ", names);
    }
  }

  @Override
  public List<NemesisInterval> intervals() {
    synchronized (lock) {
      return List.copyOf(intervals);
    }
  }

  @Override
  public List<String> errors() {
    synchronized (lock) {
      return List.copyOf(errors);
    }
  }

  @Override
  public void stopAndHeal() throws InterruptedException {
    synchronized (lock) {
      stopped = true;
      lock.notifyAll();
    }
    if (thread != null) {
      thread.join(Duration.ofSeconds(60).toMillis());
      if (thread.isAlive()) {
        note("ERROR the nemesis thread did not stop within 60 s");
        thread.interrupt();
      }
    }
    List<Integer> open;
    synchronized (lock) {
      open = new ArrayList<>(active.keySet());
    }
    for (int entry : open) {
      heal(entry, "run ended");
    }
    NemesisSchedule.healEverything(cluster);
  }

  private void loop() {
    List<Event> events = new ArrayList<>();
    List<ChaosSchedule.Entry> entries = schedule.entries();
    for (int i = 0; i < entries.size(); i++) {
      events.add(new Event(entries.get(i).at().toNanos(), true, i));
      events.add(new Event(entries.get(i).end().toNanos(), false, i));
    }
    events.sort(Comparator.comparingLong(Event::atNs).thenComparing(Event::inject).thenComparingInt(Event::entry));
    try {
      for (Event e : events) {
        if (!sleepUntil(e.atNs())) {
          return;
        }
        if (e.inject()) {
          inject(e.entry());
        } else {
          heal(e.entry(), "after " + ChaosSchedule.format(entries.get(e.entry()).lasting()));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void inject(int entry) {
    ChaosSchedule.Entry e = schedule.entries().get(entry);
    long startNs = clockNs.getAsLong();
    try {
      Fault fault = inject(e.fault(), cluster, random);
      synchronized (lock) {
        active.put(entry, fault);
        activeStartNs.put(entry, startNs);
        injected++;
      }
      note("inject " + fault.name() + "  [" + source(e) + "]");
    } catch (RuntimeException ex) {
      error("inject " + e.fault().text() + " [" + source(e) + "] failed: " + ex);
      try {
        NemesisSchedule.healEverything(cluster);
      } catch (RuntimeException again) {
        error("heal after a failed inject failed: " + again);
      }
    }
  }

  private void heal(int entry, String why) {
    Fault fault;
    long startNs;
    synchronized (lock) {
      fault = active.remove(entry);
      Long s = activeStartNs.remove(entry);
      startNs = s == null ? 0 : s;
    }
    if (fault == null) {
      return;
    }
    try {
      fault.heal();
      String healed = fault.healed();
      note("heal " + fault.name() + " (" + why + ")" + (healed.isEmpty() ? "" : ": " + healed));
    } catch (RuntimeException e) {
      error("heal " + fault.name() + " failed: " + e);
    }
    long endNs = Math.max(startNs, clockNs.getAsLong());
    synchronized (lock) {
      intervals.add(new NemesisInterval(schedule.entries().get(entry).fault().kind(), startNs, endNs));
    }
  }

  /** Does what {@code action} says to the nodes it targets now; the returned fault undoes it. */
  static Fault inject(FaultAction action, ChaosCluster cluster, RandomGenerator random) {
    NetnsHosts hosts = cluster.hosts();
    if (action instanceof FaultAction.Partition p) {
      Grudge grudge = switch (p.shape()) {
        case HALVES -> Grudge.randomHalves(hosts.nodes(), random);
        case MAJORITIES_RING -> Grudge.majoritiesRing(hosts.nodes(), random);
        case BRIDGE -> Grudge.bridge(hosts.nodes(), random);
      };
      return PartitionNemesis.apply(hosts, grudge);
    }
    if (action instanceof FaultAction.Isolate i) {
      Targets.Target t = Targets.resolve(i.target(), cluster, random).get(0);
      Fault f = PartitionNemesis.apply(hosts, Grudge.isolate(hosts.nodes(), t.node().index()));
      return Fault.of("isolate " + t.node().id() + " (" + t.why() + "): " + f.name(), f::heal);
    }
    List<Targets.Target> hit = Targets.resolve(targetOf(action), cluster, random);
    List<NodeProcess> nodes = new ArrayList<>();
    for (Targets.Target t : hit) {
      nodes.add(t.node());
    }
    String who = Targets.describe(hit);
    if (action instanceof FaultAction.FillDisk) {
      return DiskFullFault.inject(nodes, who);
    }
    if (action instanceof FaultAction.Pause) {
      nodes.forEach(NodeProcess::pause);
      return Fault.of("pause " + who, () -> nodes.forEach(NodeProcess::resume));
    }
    nodes.forEach(NodeProcess::kill);
    if (action instanceof FaultAction.CutLogTail c) {
      List<String> cuts = new ArrayList<>();
      for (NodeProcess n : nodes) {
        cuts.add(n.id() + ": " + LogTailCut.cutNewestSegment(n.dataDir(), c.keepFraction()));
      }
      return Fault.of("cut-log-tail " + who + " " + String.join("; ", cuts), () -> nodes.forEach(NodeProcess::start));
    }
    return Fault.of("kill " + who, () -> nodes.forEach(NodeProcess::start));
  }

  private static FaultTarget targetOf(FaultAction action) {
    if (action instanceof FaultAction.Kill k) {
      return k.target();
    }
    if (action instanceof FaultAction.Pause p) {
      return p.target();
    }
    if (action instanceof FaultAction.FillDisk f) {
      return f.target();
    }
    return ((FaultAction.CutLogTail) action).target();
  }

  private static String source(ChaosSchedule.Entry e) {
    return (e.line() > 0 ? "line " + e.line() + ": " : "") + e.text();
  }

  /** Sleeps until {@code offsetNs} after start unless stopped first; false when stopped. */
  private boolean sleepUntil(long offsetNs) throws InterruptedException {
    synchronized (lock) {
      long untilNs = startNanoTime + offsetNs;
      while (!stopped) {
        long leftNs = untilNs - System.nanoTime();
        if (leftNs <= 0) {
          return true;
        }
        lock.wait(Math.max(1, leftNs / 1_000_000));
      }
      return false;
    }
  }

  private void error(String message) {
    synchronized (lock) {
      errors.add(message);
    }
    note("ERROR " + message);
  }

  private void note(String message) {
    String line = String.format("%10.3f s  %s%n", clockNs.getAsLong() / 1e9, message);
    try {
      Files.writeString(log, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + log, e);
    }
  }
}
