package io.pachyderm.cli;

import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.Transport;
import io.pachyderm.node.PachydermNode;
import io.pachyderm.node.settings.StateStoreKind;
import io.pachyderm.storage.journal.JournalOptions;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "node",
    description = {
        "Runs one cluster node until SIGTERM or Ctrl-C, serving the entity types of --types, or without it the "
            + "example types (counter, profile, ...).",
        "Every node of a cluster gets the same --peers; each its own --id and --data."})
final class NodeCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(NodeCommand.class);

  @Spec
  CommandSpec spec;

  @Option(names = "--id", required = true, paramLabel = "ID", description = "This node's id, one of --peers.")
  String id;

  @Option(names = "--peers", required = true, paramLabel = "ID=HOST:PORT,...",
      description = "The whole cluster including this node; this node listens on its own HOST:PORT.")
  String peers;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "This node's data directory.")
  Path dataDir;

  @Option(names = "--types", paramLabel = "JAR_OR_CLASSPATH", description = {
      "Serve the entity types and effect handlers of the io.pachyderm.entity.EntityTypesProvider in these jars or "
          + "class directories (repeatable, or several joined with the path separator, as a class path); every node "
          + "of a cluster needs the same. Default: the example types on the launcher's class path."})
  List<String> types = new ArrayList<>();

  @Option(names = "--transport", defaultValue = "grpc", paramLabel = "grpc|netty",
      description = "Every node and client of a cluster must use the same. Default: ${DEFAULT-VALUE}.")
  Transport transport;

  @Option(names = "--snapshot-threshold", paramLabel = "ENTRIES",
      description = "Log entries between automatic snapshots. Default: the node's (10000).")
  Long snapshotThresholdEntries;

  @Option(names = "--quota-entities", paramLabel = "N",
      description = {"Entities each ecosystem may hold: a command that would create one more is rejected "
          + "(LIMIT_EXCEEDED, naming the ecosystem and N). Every node of a cluster needs the same value.",
          "Default: no quota."})
  Long quotaEntities;

  @Option(names = "--journal-roll", defaultValue = "daily", paramLabel = "daily|hourly|five_minutely",
      description = "How often the event journal starts a new file (the unit of retention). Default: ${DEFAULT-VALUE}.")
  JournalOptions.RollCycle journalRoll;

  @Option(names = "--journal-retain", defaultValue = "0", paramLabel = "FILES",
      description = "Keep only the newest FILES journal files (history older than that is dropped); "
          + "0 keeps the whole history forever. Default: ${DEFAULT-VALUE}.")
  int journalRetain;

  @Option(names = "--no-journal", description = "Keep no event journal: history and follow are not served by this node.")
  boolean noJournal;

  @Option(names = "--tls-cert", paramLabel = "PEM", description = {TlsOptions.CERT_DESCRIPTION,
      "The certificate needs subject alternative names URI:pachyderm:peer:ID and this node's host (DNS or IP)."})
  Path tlsCertificate;

  @Option(names = "--tls-key", paramLabel = "PEM", description = TlsOptions.KEY_DESCRIPTION)
  Path tlsKey;

  @Option(names = "--tls-ca", paramLabel = "PEM", description = TlsOptions.CA_DESCRIPTION)
  Path tlsCa;

  @Option(names = "--insecure", description = {"Serve without TLS on an address other than loopback: anyone who "
      + "reaches the port can forge Raft messages, reconfigure the cluster and read or write any entity.",
      "Without TLS, a node whose --peers address is not loopback refuses to start unless this is given."})
  boolean insecure;

  @Option(names = "--auth-policy", paramLabel = "FILE", description = {"Check every client request against the "
      + "authorization policy in FILE (default deny; needs --tls-*): one rule a line, IDENTITIES OPERATIONS "
      + "ECOSYSTEMS, e.g. 'alice call,query bank' (see README, Security).",
      "Without it, any client certificate the trust bundle verifies may use the whole client service."})
  Path authPolicy;

  @Option(names = "--token-file", paramLabel = "FILE", description = {"Require every client request to carry the "
      + "token in FILE (its one line, 16..1024 printable characters), for development without TLS.",
      "It protects the client service only, travels in plaintext without TLS, and does not replace --insecure."})
  Path tokenFile;

  @Option(names = "--metrics-port", paramLabel = "PORT", description = {
      "Serve GET /metrics (Prometheus), /health/live and /health/ready over plain HTTP on this port "
          + "(0: any free port). Default: no such endpoint."})
  Integer metricsPort;

  @Option(names = "--metrics-host", paramLabel = "HOST", description = {
      "The address the metrics endpoint binds. Default: 127.0.0.1, because the endpoint has no TLS and no "
          + "authentication; give this host's address (or 0.0.0.0) for a Prometheus server or a Kubernetes probe "
          + "elsewhere. Needs --metrics-port."})
  String metricsHost;

  @Option(names = "--disk-reserve", paramLabel = "SIZE", description = {
      "Free space to keep on the file systems of the Raft log, the journal and the disk state store, e.g. 256MB, "
          + "2GB or bytes; 0 turns the check off. Below it this node, as leader, refuses writes with a retryable "
          + "storage-full error (reads go on) until space is back. Default: 256MB."})
  String diskReserve;

  @Option(names = "--state-store", defaultValue = "disk", paramLabel = "disk|heap",
      converter = StateStoreKindConverter.class, description = {
      "Where entity states live: disk (RocksDB under DIR/state behind a cache of hot entities, see "
          + "--state-cache-bytes and --passivate-after; rebuilt from the latest snapshot at every start; snapshots "
          + "are RocksDB checkpoints) or heap (every entity in the heap, every snapshot encodes them all). "
          + "Default: ${DEFAULT-VALUE}."})
  StateStoreKind stateStore;

  @Option(names = "--state-cache-bytes", paramLabel = "SIZE", description = {
      "The disk store's cache of hot entities (decoded states in the heap), e.g. 64MB, 1GB or bytes; 0 caches "
          + "nothing. Least recently used entities leave first; a read of one that left costs one disk lookup. "
          + "At most the maximum heap (-Xmx). Ignored with --state-store heap. Default: an eighth of the maximum "
          + "heap."})
  String stateCacheBytes;

  @Option(names = "--passivate-after", paramLabel = "DURATION", description = {
      "How long an entity nobody reads or writes stays in the disk store's cache before it leaves the heap "
          + "(passivation), e.g. 10m, 90s, 500ms or 1h. Ignored with --state-store heap. Default: 10m."})
  String passivateAfter;

  /** Lower-case names on the command line, with the accepted ones in the error. */
  static final class StateStoreKindConverter implements picocli.CommandLine.ITypeConverter<StateStoreKind> {
    @Override
    public StateStoreKind convert(String value) {
      return switch (value) {
        case "heap" -> StateStoreKind.HEAP;
        case "disk" -> StateStoreKind.DISK;
        default -> throw new picocli.CommandLine.TypeConversionException(
            "--state-store must be heap or disk, was '" + value + "'");
      };
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    return serve(builder().build().start());
  }

  /** The node these options describe; bad options are a {@link ParameterException} (exit 64). */
  PachydermNode.Builder builder() {
    List<Peer> cluster = ClientOptions.parsePeers(peers);
    if (cluster.stream().noneMatch(p -> p.id().equals(id))) {
      throw new ParameterException(spec.commandLine(), "--id " + id + " is not one of --peers " + peers);
    }
    if (snapshotThresholdEntries != null && snapshotThresholdEntries < 1) {
      throw new ParameterException(spec.commandLine(),
          "--snapshot-threshold must be >= 1, was " + snapshotThresholdEntries);
    }
    if (journalRetain < 0) {
      throw new ParameterException(spec.commandLine(), "--journal-retain must be >= 0, was " + journalRetain);
    }
    if (metricsPort != null && (metricsPort < 0 || metricsPort > 65_535)) {
      throw new ParameterException(spec.commandLine(), "--metrics-port must be 0..65535, was " + metricsPort);
    }
    if (metricsHost != null && metricsPort == null) {
      throw new ParameterException(spec.commandLine(), "--metrics-host needs --metrics-port");
    }
    PachydermNode.Builder builder = node(id, cluster, dataDir, providedTypes()).transport(transport)
        .journal(JournalOptions.builder().rollCycle(journalRoll).retainedCyclesMax(journalRetain).build())
        .journalEnabled(!noJournal)
        .stateStore(stateStore);
    var tls = TlsOptions.files(tlsCertificate, tlsKey, tlsCa);
    if (tls != null) {
      builder.tls(tls);
    }
    if (insecure) {
      builder.insecure();
    }
    if (authPolicy != null) {
      builder.authorizationPolicy(authPolicy);
    }
    if (tokenFile != null) {
      builder.clientToken(io.pachyderm.cluster.internal.Tokens.read(tokenFile));
    }
    if (snapshotThresholdEntries != null) {
      builder.snapshotThresholdEntries(snapshotThresholdEntries);
    }
    if (quotaEntities != null) {
      builder.entitiesPerEcosystemMax(quotaEntities);
    }
    if (metricsPort != null) {
      builder.metricsPort(metricsPort);
    }
    if (metricsHost != null) {
      builder.metricsHost(metricsHost);
    }
    if (diskReserve != null) {
      builder.diskReserveBytes(parseBytes("--disk-reserve", diskReserve));
    }
    try {
      if (stateCacheBytes != null) {
        builder.stateCacheBytesMax(parseBytes("--state-cache-bytes", stateCacheBytes));
      }
      if (passivateAfter != null) {
        builder.passivateAfter(parseDuration("--passivate-after", passivateAfter));
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    return builder;
  }

  /** Serves until the JVM shuts down. */
  private Integer serve(PachydermNode node) throws InterruptedException {
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("node {} stopping", id);
      try {
        node.close();
      } finally {
        closed.countDown();
      }
    }, "pachyderm-node-shutdown"));
    node.metricsAddress().ifPresent(a -> LOG.info("node {} serves metrics on http://{}:{}/metrics, probes on "
        + "/health/live and /health/ready", id, a.getHostString(), a.getPort()));
    LOG.info("node {} serving on {} ({}, {}), data in {}; SIGTERM or Ctrl-C stops it", id,
        servingOn(ClientOptions.parsePeers(peers).stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow()),
        transport.name().toLowerCase(java.util.Locale.ROOT), tlsCertificate != null ? "mutual TLS" : "no TLS",
        dataDir.toAbsolutePath());
    // Returns only if the hook ran, i.e. while the JVM is already shutting down.
    closed.await();
    return PachydermCli.EXIT_OK;
  }

  /** {@code 256MB}, {@code 2GB}, {@code 1048576}: Ratis' size syntax (KB, MB, GB are powers of 1024). */
  private long parseBytes(String option, String value) {
    long bytes;
    try {
      bytes = org.apache.ratis.util.SizeInBytes.valueOf(value.strip()).getSize();
    } catch (RuntimeException e) {
      throw new ParameterException(spec.commandLine(), option + " must be a size such as 256MB, 2GB or a number of "
          + "bytes, was '" + value + "'");
    }
    if (bytes < 0) {
      throw new ParameterException(spec.commandLine(), option + " must be >= 0, was '" + value + "'");
    }
    return bytes;
  }

  /** {@code 500ms}, {@code 90s}, {@code 10m}, {@code 1h}: a whole number and a unit. */
  private java.time.Duration parseDuration(String option, String value) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,12})(ms|s|m|h)").matcher(value.strip());
    if (!m.matches()) {
      throw new ParameterException(spec.commandLine(), option + " must be a whole number and a unit (ms, s, m or h) "
          + "such as 500ms, 90s or 10m, was '" + value + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> java.time.Duration.ofMillis(n);
      case "s" -> java.time.Duration.ofSeconds(n);
      case "m" -> java.time.Duration.ofMinutes(n);
      default -> java.time.Duration.ofHours(n);
    };
  }

  private static String servingOn(Peer self) {
    return self.separatePorts()
        ? "peer port " + self.address() + ", client port " + self.clientAddress() + ", admin port " + self.adminAddress()
        : self.address() + " (one port for peers, clients and admin)";
  }

  /** The types of --types, else the launcher's class path; a missing or bad provider is bad input (exit 64). */
  private ProvidedTypes providedTypes() {
    try {
      if (types.isEmpty()) {
        return ProvidedTypes.fromClassPath();
      }
      List<Path> entries = new ArrayList<>();
      for (String option : types) {
        for (String entry : option.split(File.pathSeparator)) {
          if (!entry.isBlank()) {
            entries.add(Path.of(entry));
          }
        }
      }
      if (entries.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "--types needs a jar or class directory");
      }
      return ProvidedTypes.fromJars(entries);
    } catch (ProvidedTypes.ProviderException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** A node as the launcher runs it: the launcher's class path's types (the examples, their logging mailer). */
  static PachydermNode.Builder classPathNode(String id, List<Peer> peers, Path dataDir) {
    return node(id, peers, dataDir, ProvidedTypes.fromClassPath());
  }

  private static PachydermNode.Builder node(String id, List<Peer> peers, Path dataDir, ProvidedTypes provided) {
    LOG.info("node {} serves entity types {} from {}", id, provided.types().names(), provided.providers());
    PachydermNode.Builder builder = PachydermNode.builder(id, peers, dataDir).entityTypes(provided.types());
    provided.effectHandlers().forEach(builder::effectHandler);
    return builder;
  }
}
