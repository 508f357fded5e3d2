package io.pachyderm.cli;

import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.Transport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "cluster",
    description = "A local cluster of node processes on 127.0.0.1, for trying things out.",
    subcommands = {ClusterCommand.Start.class, ClusterCommand.Stop.class, ClusterCommand.Status.class})
final class ClusterCommand implements Runnable {
  static final String DATA_DEFAULT = ".pachyderm/cluster";
  /** The default metrics ports sit this far above the nodes' own ports. */
  static final int METRICS_PORT_OFFSET = 2000;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing subcommand: start, stop or status");
  }

  @Command(name = "start",
      description = {
          "Starts N node processes n1..nN, waits until one is leader, and prints the --peers to use.",
          "Each node serves Raft peers, clients and the admin API on ports of their own (3N consecutive ports "
              + "from --base-port: peer ports, then client ports, then admin ports); --one-port for one each.",
          "Data, logs (nX.log) and pid files go under --data."})
  static final class Start implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "3", paramLabel = "N",
        description = "Nodes, 1.." + LocalCluster.NODES_MAX + ". Default: ${DEFAULT-VALUE}.")
    int nodes;

    @Option(names = "--base-port", defaultValue = "7001", paramLabel = "PORT",
        description = "Peer port of n1; nX's peer port is PORT+X-1, its client port PORT+N+X-1 and its admin port "
            + "PORT+2N+X-1. Default: ${DEFAULT-VALUE}.")
    int basePort;

    @Option(names = "--one-port", description = "Serve peers, clients and the admin API on one port per node "
        + "(nX on PORT+X-1), as before separate ports; for development only. Implied by --transport netty, "
        + "which cannot serve separate ports.")
    boolean onePort;

    @Option(names = "--data", defaultValue = DATA_DEFAULT, paramLabel = "DIR",
        description = "Default: ${DEFAULT-VALUE} (under the current directory).")
    Path data;

    @Option(names = "--metrics-base-port", paramLabel = "PORT",
        description = "Port of n1's metrics and health endpoint (http://127.0.0.1:PORT/metrics); nX's is PORT+X-1. "
            + "Default: --base-port + " + METRICS_PORT_OFFSET + " (9001 with the default --base-port).")
    Integer metricsBasePort;

    @Option(names = "--transport", defaultValue = "grpc", paramLabel = "grpc|netty",
        description = "Default: ${DEFAULT-VALUE}.")
    Transport transport;

    @Option(names = "--snapshot-threshold", paramLabel = "ENTRIES",
        description = "Log entries between automatic snapshots. Default: the node's (10000).")
    Long snapshotThresholdEntries;

    @Option(names = "--tls", description = {"Mutual TLS between nodes and for clients, with a throwaway CA and "
        + "certificates made now in DIR/tls (node, client and admin; see README, Security).",
        "Prints the client options (--tls-cert, --tls-key, --tls-ca) to use."})
    boolean tls;

    @Option(names = "--wait-seconds", defaultValue = "60", paramLabel = "S",
        description = "How long to wait for a leader before stopping the nodes again. Default: ${DEFAULT-VALUE}.")
    long waitSeconds;

    @Override
    public Integer call() throws InterruptedException {
      validate();
      LocalCluster cluster = new LocalCluster(data);
      List<LocalCluster.Recorded> running = cluster.recorded().stream().filter(LocalCluster.Recorded::alive).toList();
      if (!running.isEmpty()) {
        throw new CliFailure("a cluster is already running in " + cluster.dir() + " ("
            + String.join(", ", running.stream().map(r -> r.id() + " pid " + r.pid()).toList())
            + "); stop it with: pachyderm cluster stop --data " + cluster.dir());
      }
      List<Peer> peers = LocalCluster.peers(nodes, basePort, separatePorts());
      LocalCluster.requirePortsFree(peers);
      Map<String, Integer> metricsPorts = LocalCluster.metricsPorts(peers, metricsBasePort());
      for (int port : metricsPorts.values()) {
        LocalCluster.requirePortFree(LocalCluster.HOST, port, "--metrics-base-port");
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("starting " + nodes + " node(s) in " + cluster.dir() + (tls ? " with mutual TLS" : ""));
      out.flush();
      LocalTls certificates = null;
      if (tls) {
        certificates = LocalTls.create(cluster.dir(), peers);
      } else {
        // A plaintext start must not leave the last --tls start's client certificate for status to use.
        LocalTls.remove(cluster.dir(), peers);
      }
      Map<String, Process> started = cluster.start(peers, transport, snapshotThresholdEntries, certificates,
          metricsPorts);
      String leader;
      try {
        leader = cluster.awaitLeader(peers, transport, started, Duration.ofSeconds(waitSeconds));
      } catch (RuntimeException | InterruptedException e) {
        cluster.abort(started, Duration.ofSeconds(10));
        throw e;
      }
      for (Peer p : peers) {
        String ports = p.separatePorts()
            ? "peer " + p.address() + "  client " + p.clientAddress() + "  admin " + p.adminAddress()
            : p.address();
        out.printf("  %s  pid %d  %s  log %s  metrics http://%s:%d/metrics%n", p.id(), started.get(p.id()).pid(),
            ports, cluster.logFile(p.id()), LocalCluster.HOST, metricsPorts.get(p.id()));
      }
      out.println("leader: " + leader + "; stop with: pachyderm cluster stop --data " + cluster.dir());
      if (certificates != null) {
        out.println("client TLS options: " + String.join(" ", LocalTls.options(certificates.client())));
        out.println("sample authorization policy (node --auth-policy): "
            + cluster.dir().resolve(LocalTls.DIR_NAME).resolve(LocalTls.POLICY_SAMPLE));
      }
      out.println("--peers " + String.join(",", peers.stream().map(Peer::toString).toList()));
      out.flush();
      return PachydermCli.EXIT_OK;
    }

    /** Netty in Ratis 3.3.0 serves everything on the peer port, so it always means one port. */
    private boolean separatePorts() {
      return !onePort && transport == Transport.GRPC;
    }

    private int metricsBasePort() {
      return metricsBasePort != null ? metricsBasePort : basePort + METRICS_PORT_OFFSET;
    }

    private void validate() {
      if (nodes < 1 || nodes > LocalCluster.NODES_MAX) {
        throw new ParameterException(spec.commandLine(),
            "--nodes must be 1.." + LocalCluster.NODES_MAX + ", was " + nodes);
      }
      int lastPort = basePort + nodes * LocalCluster.portsPerNode(separatePorts()) - 1;
      if (basePort < 1024 || lastPort > 65535) {
        throw new ParameterException(spec.commandLine(), "--base-port " + basePort + " leaves ports "
            + basePort + ".." + lastPort + " outside 1024..65535");
      }
      if (snapshotThresholdEntries != null && snapshotThresholdEntries < 1) {
        throw new ParameterException(spec.commandLine(),
            "--snapshot-threshold must be >= 1, was " + snapshotThresholdEntries);
      }
      int metricsPort = metricsBasePort();
      if (metricsPort < 1024 || metricsPort + nodes - 1 > 65535) {
        throw new ParameterException(spec.commandLine(), "--metrics-base-port " + metricsPort + " leaves ports "
            + metricsPort + ".." + (metricsPort + nodes - 1) + " outside 1024..65535");
      }
      if (metricsPort <= lastPort && basePort <= metricsPort + nodes - 1) {
        throw new ParameterException(spec.commandLine(), "--metrics-base-port " + metricsPort
            + " overlaps the nodes' ports " + basePort + ".." + lastPort);
      }
      if (waitSeconds < 1) {
        throw new ParameterException(spec.commandLine(), "--wait-seconds must be >= 1, was " + waitSeconds);
      }
      if (tls && transport != Transport.GRPC) {
        throw new ParameterException(spec.commandLine(),
            "--tls needs --transport grpc: Ratis 3.3.0's Netty transport has no TLS");
      }
    }
  }

  @Command(name = "stop",
      description = "Stops the nodes of a local cluster (SIGTERM, then SIGKILL after --timeout-seconds); "
          + "keeps their data and logs.")
  static final class Stop implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", defaultValue = DATA_DEFAULT, paramLabel = "DIR",
        description = "Default: ${DEFAULT-VALUE}.")
    Path data;

    @Option(names = "--timeout-seconds", defaultValue = "15", paramLabel = "S",
        description = "How long a node may take to stop after SIGTERM before it gets SIGKILL. "
            + "Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Override
    public Integer call() {
      if (timeoutSeconds < 0) {
        throw new ParameterException(spec.commandLine(), "--timeout-seconds must be >= 0, was " + timeoutSeconds);
      }
      LocalCluster cluster = new LocalCluster(data);
      PrintWriter out = spec.commandLine().getOut();
      List<LocalCluster.Stopped> stopped = cluster.stopAll(Duration.ofSeconds(timeoutSeconds));
      if (stopped.isEmpty()) {
        out.println("no cluster in " + cluster.dir() + " (no pid files)");
      }
      for (LocalCluster.Stopped s : stopped) {
        out.printf("  %s  pid %d  %s%n", s.id(), s.pid(), s.outcome());
      }
      out.flush();
      return PachydermCli.EXIT_OK;
    }
  }

  @Command(name = "status",
      description = "Shows which node processes of a local cluster run, then the cluster status table. "
          + "Exits 1 when no node runs or none is leader.")
  static final class Status implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", defaultValue = DATA_DEFAULT, paramLabel = "DIR",
        description = "Default: ${DEFAULT-VALUE}.")
    Path data;

    @Option(names = "--transport", defaultValue = "grpc", paramLabel = "grpc|netty",
        description = "The one the cluster was started with. Default: ${DEFAULT-VALUE}.")
    Transport transport;

    @Override
    public Integer call() throws IOException {
      LocalCluster cluster = new LocalCluster(data);
      PrintWriter out = spec.commandLine().getOut();
      List<LocalCluster.Recorded> nodes = cluster.recorded();
      if (nodes.isEmpty() || !Files.exists(cluster.peersFile())) {
        throw new CliFailure("no cluster in " + cluster.dir()
            + " (no pid files); start one with: pachyderm cluster start");
      }
      for (LocalCluster.Recorded n : nodes) {
        out.printf("  %s  pid %d  %s%n", n.id(), n.pid(), n.alive() ? "running" : "not running");
      }
      if (nodes.stream().noneMatch(LocalCluster.Recorded::alive)) {
        throw new CliFailure("no node of " + cluster.dir()
            + " is running; start them with: pachyderm cluster start --data " + cluster.dir());
      }
      String peers = Files.readString(cluster.peersFile(), StandardCharsets.UTF_8).strip();
      List<NodeView> views;
      try (PachydermClient client = ClientOptions.connect(ClientOptions.parsePeers(peers), transport,
          PachydermClient.REQUEST_TIMEOUT_DEFAULT, LocalTls.existing(cluster.dir()).map(LocalTls::client).orElse(null))) {
        views = client.status();
      }
      StatusCommand.printTable(out, views);
      out.println("--peers " + peers);
      out.flush();
      if (StatusCommand.leaders(views) == 0) {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": no node reports itself leader (yet)");
        return PachydermCli.EXIT_FAILURE;
      }
      return PachydermCli.EXIT_OK;
    }
  }
}
