package io.pachyderm.chaos.nodes;

import io.pachyderm.chaos.net.NetnsHosts;
import io.pachyderm.chaos.net.Shell;
import io.pachyderm.cluster.Peer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One chaos node's process, started with {@code ip netns exec <ns> java ... ChaosNode}. The
 * {@code ip} command execs the JVM in place, so the process id is the JVM's and signals reach the
 * node itself. Output is appended to {@code <id>.log} across restarts.
 *
 * <p>Thread-safe: the nemesis and the harness may both act on a node; every method is
 * synchronized.
 */
public final class NodeProcess {
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private final Peer peer;
  private final int index;
  private final NetnsHosts hosts;
  private final String peerList;
  private final Path dataDir;
  private final Path dispatchLog;
  private final Path logFile;
  private final List<String> extraArgs;
  private final NodeCode code;
  private Process process;
  private boolean paused;
  private boolean killed;
  private int starts;
  private final List<String> unexpectedExits = new ArrayList<>();
  private final List<String> acceptedExits = new ArrayList<>();

  NodeProcess(Peer peer, int index, NetnsHosts hosts, String peerList, Path runDir, List<String> extraArgs,
              NodeCode code) {
    this.code = code;
    this.peer = peer;
    this.index = index;
    this.hosts = hosts;
    this.peerList = peerList;
    this.dataDir = runDir.resolve(peer.id());
    this.dispatchLog = runDir.resolve(peer.id() + "-dispatch.jsonl");
    this.logFile = runDir.resolve(peer.id() + ".log");
    this.extraArgs = List.copyOf(extraArgs);
  }

  public String id() {
    return peer.id();
  }

  public Peer peer() {
    return peer;
  }

  /** 1-based position among the hosts. */
  public int index() {
    return index;
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path dispatchLog() {
    return dispatchLog;
  }

  public Path logFile() {
    return logFile;
  }

  /** Starts the node unless it is running. Returns without waiting for the server to be up. */
  public synchronized void start() {
    if (alive()) {
      return;
    }
    // A restart (the nemesis heals by starting every dead node) must not hide a crash.
    Integer crashed = diedOnItsOwn();
    if (crashed != null) {
      unexpectedExits.add("start #" + starts + " exited on its own with code " + crashed);
    }
    List<String> command = new ArrayList<>(NodeLauncher.javaCommand(code.classpath()));
    command.addAll(List.of("--entity-types", code.entityTypes().getName(), "--id", peer.id(), "--peers", peerList, "--data", dataDir.toString(),
        "--dispatch-log", dispatchLog.toString(), "--parent-pid", Long.toString(ProcessHandle.current().pid())));
    command.addAll(extraArgs);
    try {
      Files.createDirectories(dataDir);
      Files.writeString(logFile, "--- " + Instant.now() + " start #" + (++starts) + " by the chaos harness\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      process = new ProcessBuilder(hosts.inNamespace(index, command))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .start();
      process.getOutputStream().close();
      paused = false;
      killed = false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + peer.id(), e);
    }
  }

  /** {@code kill -9}: the node gets no chance to flush or close anything. Waits until it is gone. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    killed = true;
    process.destroyForcibly();
    try {
      if (!process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("node " + peer.id() + " (pid " + process.pid() + ") survived SIGKILL for "
            + KILL_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing node " + peer.id(), e);
    }
    paused = false;
  }

  /** {@code SIGSTOP}: the node freezes (no heartbeats, no replies) until {@link #resume()}. */
  public synchronized void pause() {
    if (!alive() || paused) {
      return;
    }
    Shell.run(List.of("kill", "-STOP", Long.toString(process.pid())));
    paused = true;
  }

  /** {@code SIGCONT} after {@link #pause()}. */
  public synchronized void resume() {
    if (!alive() || !paused) {
      return;
    }
    Shell.run(List.of("kill", "-CONT", Long.toString(process.pid())));
    paused = false;
  }

  public synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  public synchronized boolean paused() {
    return paused && alive();
  }

  /** Every time this node exited without the harness killing it, the current process included. */
  public synchronized List<String> unexpectedExits() {
    List<String> all = new ArrayList<>(unexpectedExits);
    Integer code = diedOnItsOwn();
    if (code != null) {
      all.add("start #" + starts + " exited on its own with code " + code);
    }
    return all;
  }

  /**
   * If the node has exited on its own, records that exit as one a fault made it take ({@code why},
   * e.g. a fail-stop while its disk was full) instead of a crash, and returns its exit code; null
   * when the node is running or was killed by the harness.
   */
  public synchronized Integer acceptExit(String why) {
    Integer code = diedOnItsOwn();
    if (code == null) {
      return null;
    }
    acceptedExits.add("start #" + starts + " exited with code " + code + " " + why);
    // Not a crash: the next start() must not report it, nor unexpectedExits().
    killed = true;
    return code;
  }

  /** The exits {@link #acceptExit} recorded, in order. */
  public synchronized List<String> acceptedExits() {
    return List.copyOf(acceptedExits);
  }

  /** Exit code of a node that died without the harness killing it, or null. */
  public synchronized Integer diedOnItsOwn() {
    return process == null || process.isAlive() || killed ? null : process.exitValue();
  }

  public synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  /** Times this node was started. */
  public synchronized int starts() {
    return starts;
  }

  @Override
  public synchronized String toString() {
    return peer.id() + "@" + peer.address() + (process == null ? " (not started)"
        : " pid " + process.pid() + (process.isAlive() ? (paused ? " paused" : " running") : " exited"));
  }
}
