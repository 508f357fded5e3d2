package io.pachyderm.cli;

import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A cluster of node processes on {@value #HOST}, kept in one directory:
 *
 * <pre>
 * DIR/peers     the --peers string, for scripts: --peers "$(cat DIR/peers)"
 * DIR/n1/       node n1's data
 * DIR/n1.log    node n1's stdout and stderr, appended across starts
 * DIR/n1.pid    node n1's process id while it runs
 * DIR/tls/      with --tls: a throwaway CA's ca.crt, nX.crt/nX.key, client.crt/key, admin.crt/key, policy-sample.txt
 * </pre>
 *
 * <p>Each node is a separate JVM running this launcher's {@code node} command with the
 * launcher's own classpath and JVM flags, so the Chronicle flags and the logging config carry
 * over. Not thread-safe: one launcher at a time manages a directory.
 */
final class LocalCluster {
  static final String HOST = "127.0.0.1";
  static final int NODES_MAX = 9;
  private static final Duration LEADER_POLL_INTERVAL = Duration.ofMillis(500);
  /** After SIGKILL the kernel frees the process at once; this only bounds a wait that should not happen. */
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private final Path dir;

  LocalCluster(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  Path dir() {
    return dir;
  }

  Path peersFile() {
    return dir.resolve("peers");
  }

  Path logFile(String id) {
    return dir.resolve(id + ".log");
  }

  private Path pidFile(String id) {
    return dir.resolve(id + ".pid");
  }

  /**
   * Nodes n1..nN on ports from {@code basePort}: with {@code separatePorts}, 3N consecutive ports,
   * peer ports first, then client ports, then admin ports (n1 of three nodes from 7001: peer 7001,
   * client 7004, admin 7007); else one port per node.
   */
  static List<Peer> peers(int nodes, int basePort, boolean separatePorts) {
    List<Peer> peers = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      int peerPort = basePort + i - 1;
      peers.add(separatePorts
          ? new Peer("n" + i, HOST + ":" + peerPort, HOST + ":" + (peerPort + nodes), HOST + ":" + (peerPort + 2 * nodes))
          : new Peer("n" + i, HOST + ":" + peerPort));
    }
    return List.copyOf(peers);
  }

  /** Ports a start needs: 3 per node with separate ports, else 1. */
  static int portsPerNode(boolean separatePorts) {
    return separatePorts ? 3 : 1;
  }

  /** A node with a pid file; {@code process} is empty when that pid is gone or is not a node. */
  record Recorded(String id, long pid, Optional<ProcessHandle> process) {
    boolean alive() {
      return process.isPresent() && process.get().isAlive();
    }
  }

  /** The nodes with a pid file, ordered by id. */
  List<Recorded> recorded() {
    List<Recorded> nodes = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return nodes;
    }
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(dir, "*.pid")) {
      for (Path p : pids) {
        String name = p.getFileName().toString();
        String id = name.substring(0, name.length() - ".pid".length());
        long pid;
        try {
          pid = Long.parseLong(Files.readString(p, StandardCharsets.UTF_8).strip());
        } catch (NumberFormatException e) {
          nodes.add(new Recorded(id, -1, Optional.empty()));
          continue;
        }
        nodes.add(new Recorded(id, pid, ProcessHandle.of(pid).filter(LocalCluster::isNodeProcess)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the pid files in " + dir, e);
    }
    nodes.sort((a, b) -> a.id().compareTo(b.id()));
    return nodes;
  }

  /**
   * A pid file can outlive its process (kill -9, reboot) and the pid be reused by an unrelated
   * process; never signal one whose command line we can read and is not a launcher.
   */
  private static boolean isNodeProcess(ProcessHandle p) {
    Optional<String> commandLine = p.info().commandLine();
    return commandLine.isEmpty() || commandLine.get().contains(NODE_MARKER)
        || commandLine.get().contains(PachydermCli.class.getName());
  }

  /** A harmless system property that marks the JVMs this class starts as cluster nodes. */
  private static final String NODE_MARKER = "-Dpachyderm.cluster.node=true";

  /** Fails naming the first port of {@code peers} that something already listens on. */
  static void requirePortsFree(List<Peer> peers) {
    for (Peer p : peers) {
      for (String address : new java.util.LinkedHashSet<>(List.of(p.address(), p.clientAddress(), p.adminAddress()))) {
        requirePortFree(address.substring(0, address.lastIndexOf(':')),
            Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)), "--base-port");
      }
    }
  }

  /** Fails naming {@code port} when something already listens on it, and the option that chose it. */
  static void requirePortFree(String host, int port, String option) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new CliFailure("port " + port + " on " + host + " is in use (" + e.getMessage()
          + "); choose another " + option);
    }
  }

  /** Metrics ports n1..nN from {@code basePort}: node id to port. */
  static Map<String, Integer> metricsPorts(List<Peer> peers, int basePort) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (int i = 0; i < peers.size(); i++) {
      ports.put(peers.get(i).id(), basePort + i);
    }
    return ports;
  }

  /** Starts one node process per peer; returns them by id. */
  Map<String, Process> start(List<Peer> peers, Transport transport, Long snapshotThresholdEntries) {
    return start(peers, transport, snapshotThresholdEntries, null);
  }

  /** As above; with {@code tls} not null, each node serves mutual TLS with its certificate from it. */
  Map<String, Process> start(List<Peer> peers, Transport transport, Long snapshotThresholdEntries, LocalTls tls) {
    return start(peers, transport, snapshotThresholdEntries, tls, Map.of());
  }

  /** As above; each node with an entry in {@code metricsPorts} serves its metrics endpoint there. */
  Map<String, Process> start(List<Peer> peers, Transport transport, Long snapshotThresholdEntries, LocalTls tls,
                             Map<String, Integer> metricsPorts) {
    String peerList = String.join(",", peers.stream().map(Peer::toString).toList());
    Map<String, Process> started = new LinkedHashMap<>();
    try {
      Files.createDirectories(dir);
      Files.writeString(peersFile(), peerList + "\n", StandardCharsets.UTF_8);
      for (Peer peer : peers) {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(List.of("node", "--id", peer.id(), "--peers", peerList,
            "--data", dir.resolve(peer.id()).toString(), "--transport", transport.name().toLowerCase(Locale.ROOT)));
        if (snapshotThresholdEntries != null) {
          command.addAll(List.of("--snapshot-threshold", snapshotThresholdEntries.toString()));
        }
        if (tls != null) {
          command.addAll(LocalTls.options(tls.node(peer.id())));
        }
        if (metricsPorts.containsKey(peer.id())) {
          command.addAll(List.of("--metrics-port", metricsPorts.get(peer.id()).toString()));
        }
        Path log = logFile(peer.id());
        Files.writeString(log, "--- " + Instant.now() + " started by pachyderm cluster start\n",
            StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        // A node never reads stdin; closing the pipe keeps the launcher from holding it open.
        process.getOutputStream().close();
        started.put(peer.id(), process);
        Files.writeString(pidFile(peer.id()), process.pid() + "\n", StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      abort(started, Duration.ofSeconds(10));
      throw new UncheckedIOException("cannot start the nodes in " + dir, e);
    }
    return started;
  }

  /**
   * This JVM's own java, flags and classpath. The JDWP agent is left out: a second JVM cannot
   * listen on the same debug port, and a node would not start.
   */
  private static List<String> javaCommand() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!flag.startsWith("-agentlib:jdwp")) {
        command.add(flag);
      }
    }
    // Before the classpath: the JDK reads only the first part of a long /proc command line, so
    // a marker behind a long classpath can be cut off (see isNodeProcess).
    command.add(NODE_MARKER);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), PachydermCli.class.getName()));
    return command;
  }

  /**
   * Waits until some node reports itself leader; returns its id. Fails at once if a node process
   * exits, and after {@code wait}.
   */
  String awaitLeader(List<Peer> peers, Transport transport, Map<String, Process> processes, Duration wait)
      throws InterruptedException {
    long deadlineNs = System.nanoTime() + wait.toNanos();
    try (PachydermClient client = ClientOptions.connect(peers, transport, PachydermClient.REQUEST_TIMEOUT_DEFAULT,
        LocalTls.existing(dir).map(LocalTls::client).orElse(null))) {
      while (true) {
        for (Map.Entry<String, Process> e : processes.entrySet()) {
          if (!e.getValue().isAlive()) {
            Path log = logFile(e.getKey());
            throw new CliFailure("node " + e.getKey() + " exited with code " + e.getValue().exitValue()
                + " before a leader was elected: " + lastLine(log) + " (log: " + log + ")");
          }
        }
        for (NodeView v : client.status()) {
          if ("LEADER".equals(v.role())) {
            return v.nodeId();
          }
        }
        if (System.nanoTime() >= deadlineNs) {
          throw new CliFailure("no leader elected within " + wait.toSeconds() + " s; see the logs in " + dir);
        }
        Thread.sleep(LEADER_POLL_INTERVAL.toMillis());
      }
    }
  }

  private static String lastLine(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (!lines.get(i).isBlank()) {
          return lines.get(i).strip();
        }
      }
      return "(empty log)";
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  /** What happened to one recorded node on stop. */
  record Stopped(String id, long pid, String outcome) {}

  /**
   * Stops every recorded node: SIGTERM, then SIGKILL for those still running after {@code grace}.
   * Removes the pid files; keeps data and logs.
   */
  List<Stopped> stopAll(Duration grace) {
    List<Recorded> nodes = recorded();
    List<ProcessHandle> live = nodes.stream().filter(Recorded::alive).map(n -> n.process().orElseThrow()).toList();
    Map<Long, String> outcomes = stop(live, grace);
    List<Stopped> result = new ArrayList<>();
    for (Recorded n : nodes) {
      result.add(new Stopped(n.id(), n.pid(), outcomes.getOrDefault(n.pid(), "was not running")));
      try {
        Files.deleteIfExists(pidFile(n.id()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove " + pidFile(n.id()), e);
      }
    }
    return result;
  }

  /** Outcome per pid: "stopped" or "killed after N s". */
  private static Map<Long, String> stop(List<ProcessHandle> processes, Duration grace) {
    Map<Long, String> outcomes = new LinkedHashMap<>();
    for (ProcessHandle p : processes) {
      p.destroy();
    }
    long deadlineNs = System.nanoTime() + grace.toNanos();
    for (ProcessHandle p : processes) {
      long leftNs = Math.max(0, deadlineNs - System.nanoTime());
      if (awaitExit(p, leftNs)) {
        outcomes.put(p.pid(), "stopped");
        continue;
      }
      p.destroyForcibly();
      boolean gone = awaitExit(p, KILL_WAIT.toNanos());
      outcomes.put(p.pid(), gone ? "killed after " + grace.toSeconds() + " s"
          : "still running after SIGKILL (pid " + p.pid() + ")");
    }
    return outcomes;
  }

  private static boolean awaitExit(ProcessHandle p, long timeoutNs) {
    try {
      p.onExit().get(timeoutNs, TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !p.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !p.isAlive();
    }
  }

  /** Kills the given just-started processes (a failed start) and removes their pid files. */
  void abort(Map<String, Process> started, Duration grace) {
    stop(started.values().stream().map(Process::toHandle).toList(), grace);
    for (String id : started.keySet()) {
      try {
        Files.deleteIfExists(pidFile(id));
      } catch (IOException e) {
        // The stale pid file is harmless: its process is gone, and start and stop both skip it.
      }
    }
  }
}
