package io.pachyderm.bench.versus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Failover trials (versus.sh --failover): under a steady write load of {@code callers} closed-loop
 * writers, {@code kill -9} of the leader's process, then the time to the first acknowledged write
 * and the unavailability window ({@link FailoverTrial}); then the killed member is started again
 * with its own command line and timed until it has caught up with the leader (its restart time
 * with the history the run has written). Repeated {@code trials} times; p50 and max printed.
 *
 * <p>The members' processes are the script's ({@code --pids}, in the order of the endpoints); a
 * member restarted here is this JVM's child, and its pid is appended to {@code --pid-file} so that
 * the script stops it too, however this JVM ends. Every wait is bounded.
 */
final class Failover {
  static final Duration STEADY = Duration.ofSeconds(2);
  static final Duration RECOVERY_MAX = Duration.ofSeconds(60);
  static final Duration CATCH_UP_MAX = Duration.ofSeconds(180);
  static final Duration POLL = Duration.ofMillis(50);

  /** One trial's row. */
  record Row(int trial, String killed, FailoverTrial.Outcome outcome, long historyIndex, double restartMs) {}

  private final VersusArgs a;
  private final Driver driver;
  private final LeaderProbe probe;
  private final List<Long> pids;
  private final Consumer<String> progress;

  Failover(VersusArgs a, Driver driver, LeaderProbe probe, Consumer<String> progress) {
    this.a = a;
    this.driver = driver;
    this.probe = probe;
    this.pids = new ArrayList<>(a.pids());
    this.progress = progress;
  }

  List<Row> run() throws Exception {
    if (a.history() > 0) {
      progress.accept("writing a history of " + a.history() + " updates first");
      ClosedLoop.Measured h = new ClosedLoop(driver, a.callers(), Workload.UNIFORM, a.entities(), a.seed() + 5)
          .run(a.history(), Duration.ofMinutes(10));
      progress.accept(String.format(Locale.ROOT, "history: %,d updates, %d errors", h.ops(), h.errors()));
    }
    List<Row> rows = new ArrayList<>();
    for (int t = 1; t <= a.trials(); t++) {
      int leader = awaitLeader();
      rows.add(trial(t, leader));
      Row r = rows.get(rows.size() - 1);
      progress.accept(String.format(Locale.ROOT, "trial %d: killed member %d; first write after %.0f ms, unavailable "
              + "%.0f ms, %d failed calls; restart with %,d entries took %.0f ms", t, leader + 1,
          r.outcome().firstWriteMs(), r.outcome().unavailableMs(), r.outcome().failedCalls(), r.historyIndex(),
          r.restartMs()));
    }
    return rows;
  }

  private int awaitLeader() throws InterruptedException {
    long deadlineNs = System.nanoTime() + RECOVERY_MAX.toNanos();
    while (System.nanoTime() < deadlineNs) {
      int leader = probe.leader();
      if (leader >= 0) {
        return leader;
      }
      Thread.sleep(POLL.toMillis());
    }
    throw new IllegalStateException("no leader within " + RECOVERY_MAX);
  }

  private Row trial(int t, int leader) throws Exception {
    ProcessHandle victim = ProcessHandle.of(pids.get(leader)).filter(ProcessHandle::isAlive)
        .orElseThrow(() -> new IllegalStateException("the leader's process " + pids.get(leader) + " is not running"));
    List<String> commandLine = commandLine(victim);
    List<FailoverTrial.Call> calls = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong killNs = new AtomicLong(Long.MAX_VALUE);
    List<Thread> writers = new ArrayList<>();
    for (int c = 0; c < a.callers(); c++) {
      int caller = c;
      SplittableRandom random = new SplittableRandom(a.seed() * 31 + t * 1_000 + c);
      KeyChooser chooser = Workload.UNIFORM.chooser(a.entities());
      Thread w = new Thread(() -> {
        // Bounded by stop, which the trial sets after a bounded wait; each call by the request timeout.
        while (!stop.get()) {
          long start = System.nanoTime();
          boolean ok;
          try {
            driver.update(caller, chooser.next(random));
            ok = true;
          } catch (Exception e) {
            ok = false;
          }
          synchronized (calls) {
            calls.add(new FailoverTrial.Call(start, System.nanoTime(), ok));
          }
        }
      }, "failover-writer-" + c);
      writers.add(w);
      w.start();
    }
    Thread.sleep(STEADY.toMillis());
    killNs.set(System.nanoTime());
    victim.destroyForcibly();
    long deadlineNs = killNs.get() + RECOVERY_MAX.toNanos();
    while (System.nanoTime() < deadlineNs && !recovered(calls, killNs.get())) {
      Thread.sleep(POLL.toMillis());
    }
    Thread.sleep(500);
    stop.set(true);
    for (Thread w : writers) {
      w.join(Versus.REQUEST_TIMEOUT.toMillis() + 5_000);
    }
    FailoverTrial.Outcome outcome;
    synchronized (calls) {
      outcome = FailoverTrial.measure(killNs.get(), List.copyOf(calls));
    }
    long history = probe.leaderIndex();
    double restartMs = restart(leader, commandLine, t);
    return new Row(t, "member " + (leader + 1), outcome, history, restartMs);
  }

  private static boolean recovered(List<FailoverTrial.Call> calls, long killNs) {
    synchronized (calls) {
      for (int i = calls.size() - 1; i >= 0; i--) {
        FailoverTrial.Call c = calls.get(i);
        if (c.ok() && c.startNs() > killNs) {
          return true;
        }
      }
    }
    return false;
  }

  /** Starts member {@code index} again with {@code commandLine}; the time until it has caught up, in ms. */
  private double restart(int index, List<String> commandLine, int trial) throws IOException, InterruptedException {
    Path log = a.pidFile().resolveSibling("restarted-" + (index + 1) + "-trial-" + trial + ".log");
    long startNs = System.nanoTime();
    Process p = new ProcessBuilder(commandLine).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    pids.set(index, p.pid());
    Files.writeString(a.pidFile(), p.pid() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    long deadlineNs = startNs + CATCH_UP_MAX.toNanos();
    while (System.nanoTime() < deadlineNs) {
      if (!p.isAlive()) {
        throw new IllegalStateException("member " + (index + 1) + " exited with " + p.exitValue()
            + " after its restart; its output is in " + log);
      }
      if (probe.caughtUp(index)) {
        return (System.nanoTime() - startNs) / 1e6;
      }
      Thread.sleep(POLL.toMillis());
    }
    return Double.NaN;
  }

  /**
   * The process's command line from {@code /proc/PID/cmdline} (NUL-separated, whole): the JDK's
   * {@code ProcessHandle.Info.arguments()} comes back empty for a JVM with a long class path.
   */
  private static List<String> commandLine(ProcessHandle process) throws IOException {
    Path cmdline = Path.of("/proc", Long.toString(process.pid()), "cmdline");
    List<String> line = new ArrayList<>();
    if (Files.isReadable(cmdline)) {
      for (String part : new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).split("\0")) {
        if (!part.isEmpty()) {
          line.add(part);
        }
      }
    }
    if (line.isEmpty()) {
      Optional<String> command = process.info().command();
      Optional<String[]> arguments = process.info().arguments();
      if (command.isEmpty() || arguments.isEmpty()) {
        throw new IllegalStateException("cannot read the command line of process " + process.pid()
            + " to start it again after the kill");
      }
      line.add(command.get());
      line.addAll(List.of(arguments.get()));
    }
    return line;
  }

  /** The trials and their summary as a table. */
  static String render(String system, List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%nfailover, %s: kill -9 of the leader under a steady write load%n", system));
    sb.append(String.format(Locale.ROOT, "%5s %-10s %14s %16s %8s %8s %12s %12s%n", "trial", "killed", "first write ms",
        "unavailable ms", "ok", "failed", "history", "restart ms"));
    List<Double> first = new ArrayList<>();
    List<Double> window = new ArrayList<>();
    List<Double> restart = new ArrayList<>();
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "%5d %-10s %14.0f %16.0f %,8d %,8d %,12d %12.0f%n", r.trial(), r.killed(),
          r.outcome().firstWriteMs(), r.outcome().unavailableMs(), r.outcome().okCalls(), r.outcome().failedCalls(),
          r.historyIndex(), r.restartMs()));
      first.add(r.outcome().firstWriteMs());
      window.add(r.outcome().unavailableMs());
      restart.add(r.restartMs());
    }
    sb.append(summaryLine("first write after the kill", FailoverTrial.Summary.of(first)));
    sb.append(summaryLine("unavailability window", FailoverTrial.Summary.of(window)));
    sb.append(summaryLine("restart until caught up", FailoverTrial.Summary.of(restart)));
    return sb.toString();
  }

  private static String summaryLine(String what, FailoverTrial.Summary s) {
    return String.format(Locale.ROOT, "  %-28s p50 %8.0f ms, max %8.0f ms over %d trials%s%n", what, s.p50(), s.max(),
        s.trials(), s.missing() == 0 ? "" : " (" + s.missing() + " without a figure: never recovered or caught up)");
  }
}
