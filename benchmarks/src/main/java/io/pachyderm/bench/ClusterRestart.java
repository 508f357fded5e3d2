package io.pachyderm.bench;

import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.examples.counter.Counter;
import io.pachyderm.node.PachydermNode;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Full-cluster crash and restart: three node processes (each a JVM like {@code bin/pachyderm
 * node}), some data written, then, {@code --runs} times: kill -9 of every node, all restarted at
 * once, and the time until the first ready leader and the first acknowledged write, broken down
 * from the nodes' own log lines (JVM start, server open with its snapshot load and journal open,
 * the wait for the first election timeout, the election, leader readiness).
 *
 * <p>All times are ms from the moment the driver spawned the first restarted JVM. The nodes log
 * with UTC millisecond time stamps in files under the run directory ({@code --keep} keeps them).
 * A node prints {@code PHASE main <epoch ms>} as its main method starts and {@code PHASE started
 * <epoch ms>} when {@link PachydermNode#start()} returned.
 */
@Command(name = "cluster-restart", description = "Time to the first ready leader and first acknowledged write "
    + "after kill -9 of every node of a 3-node cluster and a restart of all.")
public final class ClusterRestart implements Callable<Integer> {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Option(names = "--runs", description = "Kill-and-restart cycles. Default ${DEFAULT-VALUE}.")
  int runs = 5;

  @Option(names = "--calls", description = "Increment calls written before the first kill (over 1,000 counters). "
      + "Default ${DEFAULT-VALUE}: about 15,000 log entries, so the nodes restart from a snapshot plus a log tail.")
  int calls = 100_000;

  @Option(names = "--calls-between", description = "Calls written after each restart. Default ${DEFAULT-VALUE}.")
  int callsBetween = 2_000;

  @Option(names = "--node-heap", description = "-Xmx of each node JVM. Default ${DEFAULT-VALUE}.")
  String nodeHeap = "512m";

  @Option(names = "--dir", description = "Where the run directory goes. Default ${DEFAULT-VALUE}.")
  Path parent = Path.of("/tmp");

  @Option(names = "--keep", description = "Keep the run directory (data and node logs) instead of deleting it.")
  boolean keep;

  @Option(names = "--leader-kills", description = "Instead of full restarts: kill -9 the leader alone, this many "
      + "times (the others stay up), and time the first write acknowledged after each kill; the killed node is "
      + "restarted and caught up before the next. Default 0 (full restarts).")
  int leaderKills;

  /** The child: one node. */
  @Option(names = "--node", hidden = true)
  String nodeId;

  @Option(names = "--peers", hidden = true)
  String peers;

  @Option(names = "--data", hidden = true)
  Path data;

  private static final int NODES = 3;
  private static final int COUNTERS = 1_000;
  private static final int WRITERS = 32;
  private static final Duration READY_WAIT_MAX = Duration.ofSeconds(120);
  private static final String LOG_PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS,UTC} %-5level [%thread] %logger{36} - %msg%n";
  private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
  private static final Pattern LOG_LINE = Pattern.compile("^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*");
  private static final Pattern TOOK_MS = Pattern.compile(" in (\\d+) ms$");

  private static long mainMs;

  public static void main(String[] args) {
    mainMs = System.currentTimeMillis();
    System.exit(new CommandLine(new ClusterRestart()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (nodeId != null) {
      return runNode();
    }
    if (runs < 1 || calls < 1 || callsBetween < 0 || leaderKills < 0) {
      System.err.println("cluster-restart: need --runs >= 1, --calls >= 1, --calls-between >= 0, --leader-kills >= 0");
      return 2;
    }
    Path dir = Files.createTempDirectory(parent, "pachyderm-cluster-restart-");
    try {
      drive(dir, System.out);
      return 0;
    } finally {
      if (keep) {
        System.err.println("cluster-restart: run directory kept in " + dir);
      } else {
        JournalRestart.deleteTree(dir);
      }
    }
  }

  // ---- the node process ---------------------------------------------------------------------

  private Integer runNode() throws InterruptedException {
    System.out.println("PHASE main " + mainMs);
    PachydermNode node = PachydermNode.builder(nodeId, Peer.parseList(peers), data)
        .entityTypes(InProcessCluster.TYPES)
        .effectHandler(Counter.ADMIN_MAILER, (Counter.ThresholdReached t, EffectContext ctx) -> { })
        .build()
        .start();
    System.out.println("PHASE started " + System.currentTimeMillis());
    System.out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "node-close"));
    Thread.sleep(Long.MAX_VALUE);
    return 0;
  }

  // ---- the driver ---------------------------------------------------------------------------

  private void drive(Path dir, PrintStream out) throws Exception {
    int[] ports = FreePorts.distinct(NODES);
    List<Peer> cluster = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      cluster.add(new Peer("n" + (i + 1), "127.0.0.1:" + ports[i]));
    }
    Path logback = dir.resolve("logback-nodes.xml");
    Files.writeString(logback, logbackConfig(), StandardCharsets.UTF_8);
    out.printf(Locale.ROOT, "cluster-restart: %d nodes (%s each), %,d calls before the first kill, %,d after "
        + "each restart, %d runs; dir %s%n", NODES, nodeHeap, calls, callsBetween, runs, dir);

    List<Process> nodes = startAll(dir, cluster, logback, 0);
    awaitReady(dir, 0);
    try (PachydermClient client = client(cluster)) {
      long startNs = System.nanoTime();
      write(client, calls);
      out.printf(Locale.ROOT, "wrote %,d calls in %.1f s%n", calls, (System.nanoTime() - startNs) / 1e9);
    }
    if (leaderKills > 0) {
      killLeaders(dir, cluster, logback, nodes, out);
      killAll(nodes);
      return;
    }
    List<Run> results = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      killAll(nodes);
      long t0Ms = System.currentTimeMillis();
      nodes = startAll(dir, cluster, logback, run);
      try (PachydermClient client = client(cluster)) {
        String leader = awaitReady(dir, run);
        long readySeenMs = System.currentTimeMillis();
        client.call(Counter.TYPE.ref("after-restart"), new Counter.Increment(1));
        long ackMs = System.currentTimeMillis();
        Run r = Run.of(run, t0Ms, leader, dir, readySeenMs, ackMs);
        results.add(r);
        out.println(r.line());
        write(client, callsBetween);
      }
    }
    killAll(nodes);
    report(out, results);
  }

  /**
   * The failover figure: kill -9 of the leader alone, then one call sent at once; the time until
   * it is acknowledged covers noticing the loss (an election timeout), the election, the new
   * leader's readiness and one commit, as a client of the cluster sees it.
   */
  private void killLeaders(Path dir, List<Peer> cluster, Path logback, List<Process> nodes, PrintStream out)
      throws Exception {
    List<Long> ackMs = new ArrayList<>();
    try (PachydermClient client = client(cluster)) {
      for (int kill = 1; kill <= leaderKills; kill++) {
        int leader = leaderIndex(client, cluster);
        long killedNs = System.nanoTime();
        nodes.get(leader).destroyForcibly(); // SIGKILL
        nodes.get(leader).waitFor();
        client.call(Counter.TYPE.ref("after-leader-kill"), new Counter.Increment(1));
        long ms = (System.nanoTime() - killedNs) / 1_000_000;
        ackMs.add(ms);
        int next = leaderIndex(client, cluster);
        out.printf(Locale.ROOT, "kill %d: leader %s killed, first write acknowledged after %d ms, new leader %s%n",
            kill, cluster.get(leader).id(), ms, cluster.get(next).id());
        nodes.set(leader, startOne(dir, cluster, logback, kill, cluster.get(leader)));
        awaitCaughtUp(client);
        write(client, callsBetween);
      }
    }
    out.printf(Locale.ROOT, "%nms from the kill -9 of the leader to the first acknowledged write; median / max over "
        + "%d kills:%n", leaderKills);
    row(out, "first write acknowledged after a leader kill", ackMs.stream().mapToLong(Long::longValue));
  }

  /** The node that reports itself leader in the highest term, waiting for one (bounded). */
  private static int leaderIndex(PachydermClient client, List<Peer> cluster) throws InterruptedException {
    long deadlineNs = System.nanoTime() + READY_WAIT_MAX.toNanos();
    while (System.nanoTime() < deadlineNs) {
      List<NodeView> views = client.status();
      NodeView best = null;
      for (NodeView v : views) {
        if (v.reachable() && "LEADER".equals(v.role()) && v.leaderReady() && (best == null || v.term() > best.term())) {
          best = v;
        }
      }
      if (best != null) {
        for (int i = 0; i < cluster.size(); i++) {
          if (cluster.get(i).id().equals(best.nodeId())) {
            return i;
          }
        }
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("no ready leader within " + READY_WAIT_MAX);
  }

  /** Waits (bounded) until every node answers and all report the same applied index. */
  private static void awaitCaughtUp(PachydermClient client) throws InterruptedException {
    long deadlineNs = System.nanoTime() + READY_WAIT_MAX.toNanos();
    while (System.nanoTime() < deadlineNs) {
      List<NodeView> views = client.status();
      if (views.stream().allMatch(NodeView::reachable)
          && views.stream().mapToLong(NodeView::appliedIndex).distinct().count() == 1) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the restarted node did not catch up within " + READY_WAIT_MAX);
  }

  private String logbackConfig() {
    // INFO from Pachyderm (journal, snapshot, leader ready) and from the Ratis classes that log
    // role changes, election timeouts and election rounds; the rest of Ratis at WARN.
    return "<configuration>\n"
        + "  <appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">\n"
        + "    <encoder><pattern>" + LOG_PATTERN + "</pattern></encoder>\n"
        + "  </appender>\n"
        + "  <logger name=\"org.apache.ratis\" level=\"WARN\"/>\n"
        + "  <logger name=\"org.apache.ratis.server.RaftServer$Division\" level=\"INFO\"/>\n"
        + "  <logger name=\"org.apache.ratis.server.impl.FollowerState\" level=\"INFO\"/>\n"
        + "  <logger name=\"org.apache.ratis.server.impl.LeaderElection\" level=\"INFO\"/>\n"
        + "  <logger name=\"io.pachyderm\" level=\"INFO\"/>\n"
        + "  <root level=\"WARN\"><appender-ref ref=\"OUT\"/></root>\n"
        + "</configuration>\n";
  }

  private List<Process> startAll(Path dir, List<Peer> cluster, Path logback, int run) throws IOException {
    List<Process> started = new ArrayList<>();
    for (Peer p : cluster) {
      started.add(startOne(dir, cluster, logback, run, p));
    }
    return started;
  }

  private Process startOne(Path dir, List<Peer> cluster, Path logback, int run, Peer p) throws IOException {
    String peerList = String.join(",", cluster.stream().map(Peer::toString).toList());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!flag.startsWith("-Xmx") && !flag.startsWith("-Dlogback.configurationFile")) {
        command.add(flag);
      }
    }
    command.addAll(List.of("-Xmx" + nodeHeap, "-Dlogback.configurationFile=" + logback,
        "-cp", System.getProperty("java.class.path"), ClusterRestart.class.getName(),
        "--node", p.id(), "--peers", peerList, "--data", dir.resolve(p.id()).toString()));
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(logFile(dir, p.id(), run).toFile()).start();
  }

  private static Path logFile(Path dir, String id, int run) {
    return dir.resolve(id + "-run" + run + ".log");
  }

  private static void killAll(List<Process> nodes) throws InterruptedException {
    for (Process p : nodes) {
      p.destroyForcibly(); // SIGKILL
    }
    for (Process p : nodes) {
      p.waitFor();
    }
  }

  /** Waits for a node's "is leader and ready" line; returns that node's id. */
  private static String awaitReady(Path dir, int run) throws IOException, InterruptedException {
    long deadlineNs = System.nanoTime() + READY_WAIT_MAX.toNanos();
    while (System.nanoTime() < deadlineNs) {
      for (int i = 1; i <= NODES; i++) {
        String id = "n" + i;
        Path log = logFile(dir, id, run);
        if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains("is leader and ready")) {
          return id;
        }
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException("no ready leader within " + READY_WAIT_MAX + "; logs in " + dir);
  }

  private static PachydermClient client(List<Peer> cluster) {
    return PachydermClient.builder(cluster).entityTypes(InProcessCluster.TYPES)
        .requestTimeout(Duration.ofSeconds(60)).build();
  }

  private static void write(PachydermClient client, int count) throws InterruptedException {
    Semaphore inflight = new Semaphore(WRITERS);
    AtomicLong failed = new AtomicLong();
    List<EntityRef<Counter.State, Counter.Command>> refs = new ArrayList<>(COUNTERS);
    for (int i = 0; i < COUNTERS; i++) {
      refs.add(Counter.TYPE.ref("c-" + i));
    }
    for (int i = 0; i < count; i++) {
      inflight.acquire();
      CompletableFuture<?> f = client.callAsync(refs.get(i % COUNTERS), new Counter.Increment(1));
      f.whenComplete((r, e) -> {
        if (e != null) {
          failed.incrementAndGet();
        }
        inflight.release();
      });
    }
    inflight.acquire(WRITERS);
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " of " + count + " writes failed");
    }
  }

  // ---- what the logs say ----------------------------------------------------------------------

  /**
   * One restart, ms from t0 (the first restarted JVM spawned). jvm, open, snapshot and journal
   * are the leader's; candidate is the first election timeout on any node; elections counts the
   * PRE_VOTE and ELECTION rounds all nodes ran.
   */
  private record Run(int run, String leader, long jvmMs, long openMs, long snapshotMs, long journalMs,
                     long startedMs, long candidateMs, long leaderMs, long readyMs, long ackMs, int rounds) {
    static Run of(int run, long t0Ms, String leader, Path dir, long readySeenMs, long ackMs) throws IOException {
      List<String> lines = Files.readAllLines(logFile(dir, leader, run), StandardCharsets.UTF_8);
      long main = phase(lines, "PHASE main ");
      long started = phase(lines, "PHASE started ");
      long candidate = Long.MAX_VALUE;
      int rounds = 0;
      for (int i = 1; i <= NODES; i++) {
        List<String> node = Files.readAllLines(logFile(dir, "n" + i, run), StandardCharsets.UTF_8);
        for (String l : node) {
          if (l.contains("change to CANDIDATE")) {
            candidate = Math.min(candidate, time(l));
          }
          if (l.contains(" round ") && l.contains(": result ")) {
            rounds++;
          }
        }
      }
      long leaderAt = firstTime(lines, "to LEADER at term");
      long ready = firstTime(lines, "is leader and ready");
      return new Run(run, leader, main - t0Ms, started - main, took(lines, "loaded snapshot"),
          took(lines, "opened its journal"), started - t0Ms, candidate == Long.MAX_VALUE ? -1 : candidate - t0Ms,
          leaderAt - t0Ms, ready - t0Ms, ackMs - t0Ms, rounds);
    }

    String line() {
      return String.format(Locale.ROOT, "run %d: leader %s; jvm %d, open %d (snapshot %d, journal %d), started %d, "
              + "first candidate %d, leader %d, ready %d, first write acknowledged %d ms; %d vote rounds", run, leader,
          jvmMs, openMs, snapshotMs, journalMs, startedMs, candidateMs, leaderMs, readyMs, ackMs, rounds);
    }
  }

  private static long phase(List<String> lines, String prefix) {
    for (String l : lines) {
      if (l.startsWith(prefix)) {
        return Long.parseLong(l.substring(prefix.length()).strip());
      }
    }
    return -1;
  }

  private static long firstTime(List<String> lines, String marker) {
    for (String l : lines) {
      if (l.contains(marker)) {
        return time(l);
      }
    }
    return -1;
  }

  /** The "in N ms" a line that contains {@code marker} ends with; -1 without such a line. */
  private static long took(List<String> lines, String marker) {
    for (String l : lines) {
      if (l.contains(marker)) {
        Matcher m = TOOK_MS.matcher(l);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
      }
    }
    return -1;
  }

  private static long time(String line) {
    Matcher m = LOG_LINE.matcher(line);
    if (!m.matches()) {
      return -1;
    }
    return LocalDateTime.parse(m.group(1), LOG_TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
  }

  private static void report(PrintStream out, List<Run> runs) {
    out.println();
    out.println("ms from the restart (kill -9 of all, then all 3 JVMs spawned at t0); median / max over "
        + runs.size() + " runs:");
    row(out, "JVM start (t0 to main, leader)", runs.stream().mapToLong(Run::jvmMs));
    row(out, "server open (main to start() returned)", runs.stream().mapToLong(Run::openMs));
    row(out, "  of which snapshot load", runs.stream().mapToLong(Run::snapshotMs));
    row(out, "  of which journal open", runs.stream().mapToLong(Run::journalMs));
    row(out, "leader's server started", runs.stream().mapToLong(Run::startedMs));
    row(out, "first election timeout (any node)", runs.stream().mapToLong(Run::candidateMs));
    row(out, "leader elected", runs.stream().mapToLong(Run::leaderMs));
    row(out, "leader ready", runs.stream().mapToLong(Run::readyMs));
    row(out, "first write acknowledged", runs.stream().mapToLong(Run::ackMs));
    row(out, "vote rounds (pre-vote + election, all nodes)", runs.stream().mapToLong(Run::rounds));
  }

  private static void row(PrintStream out, String what, java.util.stream.LongStream values) {
    long[] v = values.sorted().toArray();
    long median = v[v.length / 2];
    out.printf(Locale.ROOT, "  %-46s %7d / %7d%n", what, median, v[v.length - 1]);
  }
}
