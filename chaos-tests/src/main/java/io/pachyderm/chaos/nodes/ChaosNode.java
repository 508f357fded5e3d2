package io.pachyderm.chaos.nodes;

import io.pachyderm.chaos.workload.EffectCounterEntity;
import io.pachyderm.chaos.workload.ReliableEffectCounterEntity;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.node.settings.EffectRetry;
import io.pachyderm.node.settings.StateStoreKind;
import io.pachyderm.node.PachydermNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One chaos node: a {@link PachydermNode} serving the entity types of {@code --entity-types} (by
 * default the chaos workloads'; a user's provider class, see {@link NodeCode}), with the
 * {@value EffectCounterEntity#DISPATCH_HANDLER} and
 * {@value ReliableEffectCounterEntity#DISPATCH_HANDLER} handlers logging every dispatch to
 * {@code --dispatch-log} (see {@link DispatchLog}; the latter also fails the attempts
 * {@code --fail-every-nth-effect} picks). Started by the harness inside a network namespace; runs
 * until killed.
 *
 * <p>With {@code --tls-cert}, {@code --tls-key} and {@code --tls-ca} the node serves mutual TLS
 * (peers, clients and admin on its one port); without them it runs plaintext, which its namespace
 * address (not loopback) needs said explicitly ({@code insecure()}).
 *
 * <p>With {@code --parent-pid} the node halts when that process is gone, so a harness that dies
 * without cleaning up (kill -9, a crashed test JVM) does not leave nodes running forever.
 */
@Command(name = "chaos-node", mixinStandardHelpOptions = true, description = "A Pachyderm node for the chaos suite.")
public final class ChaosNode implements Callable<Integer> {
  /** Printed once the server is started; the harness waits for it in the node's log. */
  public static final String STARTED_LINE = "chaos-node started";

  @Option(names = "--entity-types", defaultValue = "io.pachyderm.chaos.workload.ChaosTypes$Provider",
      description = "A public Supplier<EntityTypes> class with a public no-argument constructor, on this JVM's "
          + "classpath: the entity types this node serves (default: the chaos workloads' types).")
  String entityTypes;

  @Option(names = "--id", required = true, description = "This node's id, one of the peers.")
  String id;

  @Option(names = "--peers", required = true, description = "Every node: n1=host:port,n2=...")
  String peers;

  @Option(names = "--data", required = true, description = "Data directory (Ratis log, snapshots, journal).")
  Path data;

  @Option(names = "--dispatch-log", required = true, description = "File to append one JSON line per dispatched effect to.")
  Path dispatchLog;

  @Option(names = "--election-timeout-ms", defaultValue = "1000", description = "Minimum election timeout (default ${DEFAULT-VALUE}).")
  long electionTimeoutMs;

  @Option(names = "--snapshot-threshold", defaultValue = "2000", description = "Log entries between snapshots (default ${DEFAULT-VALUE}).")
  long snapshotThresholdEntries;

  @Option(names = "--segment-bytes", defaultValue = "16777216", description = "Raft log segment size, above the 8 MiB entry limit (default ${DEFAULT-VALUE}).")
  long logSegmentBytesMax;

  @Option(names = "--state-store", paramLabel = "heap|disk", converter = StateStoreOption.class,
      description = "Where entity states live: heap, or disk (RocksDB under <data>/state). Default: the "
          + "node's default (StateStoreKind.DEFAULT).")
  StateStoreKind stateStore = StateStoreKind.DEFAULT;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "This node's certificate chain (PEM); with "
      + "--tls-key and --tls-ca: mutual TLS. Default: plaintext.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "The certificate's PKCS#8 key (PEM).")
  Path tlsKey;

  @Option(names = "--tls-ca", paramLabel = "FILE", description = "The CA certificates peers and clients must chain to (PEM).")
  Path tlsCa;

  @Option(names = "--parent-pid", description = "Halt when this process is gone.")
  Long parentPid;

  @Option(names = "--effect-attempts-max", description = "At-least-once effects: attempts before the dead-letter store (default: the node's).")
  Integer effectAttemptsMax;

  @Option(names = "--effect-backoff-min-ms", description = "At-least-once effects: first retry delay (default: the node's).")
  Long effectBackoffMinMs;

  @Option(names = "--effect-backoff-max-ms", description = "At-least-once effects: longest retry delay (default: the node's).")
  Long effectBackoffMaxMs;

  @Option(names = "--fail-every-nth-effect", defaultValue = "0",
      description = "Fail attempts of every n-th at-least-once effect, by key hash; 0 for none (default ${DEFAULT-VALUE}).")
  int failEveryNthEffect;

  @Option(names = "--fail-effect-attempts", defaultValue = "1",
      description = "How many first attempts (on this node) of such an effect fail (default ${DEFAULT-VALUE}).")
  int failEffectAttempts;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ChaosNode()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    DispatchLog dispatches = new DispatchLog(dispatchLog);
    // The handler runs only once the node has started, so the reference is set by then.
    AtomicReference<PachydermNode> self = new AtomicReference<>();
    DispatchLog.FailurePlan plan = new DispatchLog.FailurePlan(failEveryNthEffect, failEffectAttempts);
    PachydermNode.Builder builder = PachydermNode.builder(id, Peer.parseList(peers), data)
        .entityTypes(NodeCode.load(entityTypes, ChaosNode.class.getClassLoader()))
        .effectHandler(EffectCounterEntity.DISPATCH_HANDLER, dispatches.atMostOnce())
        .effectHandler(ReliableEffectCounterEntity.DISPATCH_HANDLER,
            dispatches.atLeastOnce(plan, () -> roleOf(self.get())))
        .electionTimeoutMin(Duration.ofMillis(electionTimeoutMs))
        .snapshotThresholdEntries(snapshotThresholdEntries)
        .logSegmentBytesMax(logSegmentBytesMax)
        .effectRetry(effectRetry())
        .stateStore(stateStore);
    TlsFiles tls = tlsFiles();
    if (tls != null) {
      builder.tls(tls);
    } else {
      // Namespace addresses (10.213.x.x) are not loopback: plaintext needs saying so.
      builder.insecure();
    }
    PachydermNode node = builder.build();
    self.set(node);
    node.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "chaos-node-shutdown"));
    if (parentPid != null) {
      watchParent(parentPid);
    }
    System.out.println(STARTED_LINE + " " + id);
    System.out.flush();
    stopped.await();
    return 0;
  }

  /** {@code heap} or {@code disk}, the harness's spelling of a {@link StateStoreKind}. */
  public static final class StateStoreOption implements CommandLine.ITypeConverter<StateStoreKind> {
    @Override
    public StateStoreKind convert(String value) {
      return parse(value);
    }

    /**
     * {@code heap} or {@code disk}, any case.
     *
     * @throws IllegalArgumentException naming the value otherwise
     */
    public static StateStoreKind parse(String value) {
      return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
        case "heap" -> StateStoreKind.HEAP;
        case "disk" -> StateStoreKind.DISK;
        default -> throw new IllegalArgumentException("--state-store must be heap or disk, was '" + value + "'");
      };
    }

    /** The option's value for {@code kind}: {@code heap} or {@code disk}. */
    public static String name(StateStoreKind kind) {
      return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The three TLS files, or null for plaintext; some but not all of them is a usage error. */
  private TlsFiles tlsFiles() {
    int given = (tlsCert != null ? 1 : 0) + (tlsKey != null ? 1 : 0) + (tlsCa != null ? 1 : 0);
    if (given == 0) {
      return null;
    }
    if (given != 3) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "give all of --tls-cert, --tls-key and --tls-ca, or none (plaintext); got --tls-cert " + tlsCert
              + ", --tls-key " + tlsKey + ", --tls-ca " + tlsCa);
    }
    return new TlsFiles(tlsCert, tlsKey, tlsCa);
  }

  /** The node's default retry policy with the options given on the command line. */
  private EffectRetry effectRetry() {
    EffectRetry d = EffectRetry.DEFAULT;
    return new EffectRetry(effectAttemptsMax != null ? effectAttemptsMax : d.attemptsMax(),
        effectBackoffMinMs != null ? Duration.ofMillis(effectBackoffMinMs) : d.backoffMin(),
        effectBackoffMaxMs != null ? Duration.ofMillis(effectBackoffMaxMs) : d.backoffMax(),
        d.attemptTimeout());
  }

  /** The node's role and current term, as Ratis tells it now. */
  private static DispatchLog.Role roleOf(PachydermNode node) {
    if (node == null) {
      return new DispatchLog.Role(false, 0);
    }
    try {
      RaftServer server = io.pachyderm.node.internal.NodeInternals.raftServer(node);
      for (RaftGroupId group : server.getGroupIds()) {
        DivisionInfo info = server.getDivision(group).getInfo();
        return new DispatchLog.Role(info.isLeader(), info.getCurrentTerm());
      }
    } catch (IOException | RuntimeException e) {
      // Not serving (closing): cannot tell, which the checker treats as unknown.
    }
    return new DispatchLog.Role(false, 0);
  }

  private static void watchParent(long pid) {
    Optional<ProcessHandle> parent = ProcessHandle.of(pid);
    Thread watchdog = new Thread(() -> {
      while (parent.isPresent() && parent.get().isAlive()) {
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
      System.out.println("chaos-node: harness process " + pid + " is gone; halting");
      System.out.flush();
      Runtime.getRuntime().halt(3);
    }, "chaos-node-parent-watch");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
