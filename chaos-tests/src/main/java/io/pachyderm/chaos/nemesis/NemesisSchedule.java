package io.pachyderm.chaos.nemesis;

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
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Runs the nemesis on its own thread: quiet for a while, one fault, heal, again — a fault drawn
 * at random from {@link #nemeses} each time. Every fault becomes a {@link NemesisInterval} on the
 * history's clock (its kind as the name, so reports group by kind) and a line in
 * {@code nemesis.log} with exactly what was done.
 *
 * <p>{@link #stopAndHeal()} ends the schedule and returns the cluster to health: the active
 * fault is healed, every DROP rule flushed, every paused node resumed, every dead node started.
 *
 * <p>Thread-safe. The schedule is seeded; the times at which faults land relative to client
 * operations are not reproducible (real processes), the sequence of choices is.
 */
public final class NemesisSchedule implements NemesisRun {
  /**
   * @param quietMin shortest healthy gap before a fault
   * @param quietMax longest healthy gap
   * @param faultMin shortest time a fault stays in force
   * @param faultMax longest time a fault stays in force
   */
  public record Timing(Duration quietMin, Duration quietMax, Duration faultMin, Duration faultMax) {
    /**
     * Faults of 4–10 s after 3–6 s of quiet. A pause or partition of 4 s is several election
     * timeouts (1–2 s on the chaos nodes), so a paused or cut-off leader is always deposed.
     */
    public static final Timing DEFAULT = new Timing(Duration.ofSeconds(3), Duration.ofSeconds(6),
        Duration.ofSeconds(4), Duration.ofSeconds(10));
  }

  private final ChaosCluster cluster;
  private final List<Nemesis> nemeses;
  private final Timing timing;
  private final SplittableRandom random;
  private final LongSupplier clockNs;
  private final Path log;
  private final List<NemesisInterval> intervals = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private final Object lock = new Object();
  private Thread thread;
  private boolean stopped;
  private Fault active;
  private String activeKind;
  private long activeStartNs;

  /**
   * @param clockNs the history's clock (nanoseconds since the run began)
   * @param log file to append one line per fault to
   */
  public NemesisSchedule(ChaosCluster cluster, List<Nemesis> nemeses, Timing timing, long seed, LongSupplier clockNs,
                         Path log) {
    this.cluster = cluster;
    this.nemeses = List.copyOf(nemeses);
    this.timing = timing;
    this.random = new SplittableRandom(seed);
    this.clockNs = clockNs;
    this.log = log;
  }

  /** Starts the schedule; with no nemeses it does nothing. */
  @Override
  public void start() {
    if (nemeses.isEmpty()) {
      return;
    }
    thread = new Thread(this::loop, "chaos-nemesis");
    thread.setDaemon(true);
    thread.start();
  }

  /** Faults so far (healed or active). */
  @Override
  public int faultsInjected() {
    synchronized (lock) {
      return intervals.size() + (active == null ? 0 : 1);
    }
  }

  /** What is in force now, for progress lines; null when healthy. */
  @Override
  public String activeFault() {
    synchronized (lock) {
      return active == null ? null : active.name();
    }
  }

  /** The finished fault windows, in order. */
  @Override
  public List<NemesisInterval> intervals() {
    synchronized (lock) {
      return List.copyOf(intervals);
    }
  }

  /** Failures to inject or heal (each also in nemesis.log); a run with any is not trustworthy. */
  @Override
  public List<String> errors() {
    synchronized (lock) {
      return List.copyOf(errors);
    }
  }

  /** Ends the schedule, heals whatever is in force, and returns every node to running. */
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
    healActive();
    healEverything(cluster);
  }

  /** Flushes every DROP rule, resumes every paused node, starts every dead one. */
  public static void healEverything(ChaosCluster cluster) {
    cluster.hosts().healAll();
    for (NodeProcess n : cluster.nodes()) {
      n.resume();
      n.start();
    }
  }

  private void loop() {
    try {
      while (sleep(between(timing.quietMin(), timing.quietMax()))) {
        Nemesis nemesis = nemeses.get(random.nextInt(nemeses.size()));
        inject(nemesis);
        if (!sleep(between(timing.faultMin(), timing.faultMax()))) {
          return;
        }
        healActive();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void inject(Nemesis nemesis) {
    long startNs = clockNs.getAsLong();
    try {
      Fault fault = nemesis.inject(cluster, random);
      synchronized (lock) {
        active = fault;
        activeKind = nemesis.name();
        activeStartNs = startNs;
      }
      note("inject " + fault.name());
    } catch (RuntimeException e) {
      error("inject " + nemesis.name() + " failed: " + e);
      // A half-applied fault (some DROP rules in) is healed at once.
      try {
        healEverything(cluster);
      } catch (RuntimeException again) {
        error("heal after a failed inject failed: " + again);
      }
    }
  }

  private void healActive() {
    Fault fault;
    String kind;
    long startNs;
    synchronized (lock) {
      fault = active;
      kind = activeKind;
      startNs = activeStartNs;
      active = null;
    }
    if (fault == null) {
      return;
    }
    try {
      fault.heal();
      String healed = fault.healed();
      note("heal " + fault.name() + (healed.isEmpty() ? "" : ": " + healed));
    } catch (RuntimeException e) {
      error("heal " + fault.name() + " failed: " + e);
    }
    long endNs = Math.max(startNs, clockNs.getAsLong());
    synchronized (lock) {
      intervals.add(new NemesisInterval(kind, startNs, endNs));
    }
  }

  /** Sleeps unless stopped first; false when stopped. */
  private boolean sleep(Duration d) throws InterruptedException {
    long untilNs = System.nanoTime() + d.toNanos();
    synchronized (lock) {
      while (!stopped) {
        long leftMs = (untilNs - System.nanoTime()) / 1_000_000;
        if (leftMs <= 0) {
          return true;
        }
        lock.wait(leftMs);
      }
      return false;
    }
  }

  private Duration between(Duration min, Duration max) {
    long span = max.toMillis() - min.toMillis();
    return min.plusMillis(span <= 0 ? 0 : random.nextLong(span + 1));
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
