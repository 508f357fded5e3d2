package io.pachyderm.node;

import io.pachyderm.node.settings.StateStoreKind;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.Transport;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.cluster.tls.TlsMaterial;
import io.pachyderm.entity.EffectHandler;
import io.pachyderm.entity.EntityTypes;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pachyderm.node.internal.EntityStateMachine;
import io.pachyderm.node.internal.FailStop;
import io.pachyderm.node.internal.HealthCheck;
import io.pachyderm.node.internal.NodeInternals;
import io.pachyderm.node.internal.NodeLifecycle;
import io.pachyderm.node.internal.NodeMeters;
import io.pachyderm.node.settings.EffectRetry;
import io.pachyderm.node.settings.FatalErrorPolicy;
import io.pachyderm.node.settings.NodeLimits;
import io.pachyderm.node.settings.QueueLimits;
import io.pachyderm.node.status.AppliedDigest;
import io.pachyderm.node.status.NodeHealth;
import io.pachyderm.node.status.OutboxStats;
import io.pachyderm.node.security.AuthorizationPolicy;
import io.pachyderm.node.internal.CallAuthorizer;
import io.pachyderm.node.security.Refusals;
import io.pachyderm.storage.journal.JournalOptions;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.server.RaftServer;

/**
 * One member of a Pachyderm cluster: a Ratis server whose state machine holds the entities.
 *
 * <pre>{@code
 * PachydermNode node = PachydermNode.builder("n1", Peer.parseList("n1=127.0.0.1:7001,n2=...,n3=..."),
 *         Path.of("data/n1"))
 *     .entityTypes(EntityTypes.of(Counter.TYPE))
 *     .effectHandler("mailer", (effect, ctx) -> mailer.send(effect))
 *     .build()
 *     .start();
 * }</pre>
 *
 * <p>Every node of a cluster must register the same entity types (same names and classes) and
 * effect handler names. Thread-safe; {@link #close()} stops the server and releases the data dir.
 */
public final class PachydermNode implements AutoCloseable {
  /** Closed Raft log segments Ratis' cache keeps in memory by default (Ratis' own default is 6). */
  public static final int LOG_SEGMENT_CACHE_SEGMENTS_MAX_DEFAULT = 2;
  /** Bytes of Raft log entries Ratis' cache keeps by default (Ratis' own default is 200 MB). */
  public static final long LOG_SEGMENT_CACHE_BYTES_MAX_DEFAULT = 64L << 20;
  private final String nodeId;
  private final Path dataDir;
  private final RaftServer server;
  private final EntityStateMachine stateMachine;
  private final RaftGroup group;
  /** Null without TLS and without a client token. */
  private final CallAuthorizer authorizer;
  /** Null without TLS. */
  private final TlsMaterial tls;
  /** Calls refused for reaching the wrong one of the separate ports. */
  private final java.util.concurrent.atomic.AtomicLong wrongPortCalls;
  private final HealthCheck health;
  private final NodeMeters meters;
  private final NodeLifecycle lifecycle;
  private final FailStop failStop;
  /** Leadership and snapshot requests, asked of the Ratis server. */
  private final RaftDivisionCalls raft;

  static {
    // Tests and tooling reach the Ratis server through NodeInternals, not through this API.
    NodeInternals.install(PachydermNode.class, node -> node.server);
  }

  private PachydermNode(NodeSettings settings) {
    NodeParts parts = NodeParts.assemble(settings);
    this.nodeId = settings.nodeId();
    this.dataDir = settings.dataDir();
    this.group = parts.group();
    this.server = parts.server();
    this.stateMachine = parts.stateMachine();
    this.authorizer = parts.authorizer();
    this.tls = parts.tls();
    this.wrongPortCalls = parts.wrongPortCalls();
    this.health = parts.health();
    this.meters = parts.meters();
    this.lifecycle = parts.lifecycle();
    this.failStop = parts.failStop();
    this.raft = new RaftDivisionCalls(nodeId, server, group);
  }

  /** Starts a node builder; {@code peers} is the whole cluster including this node. */
  public static Builder builder(String nodeId, List<Peer> peers, Path dataDir) {
    return new Builder(nodeId, peers, dataDir);
  }

  /**
   * Starts serving; returns once the server is up (not necessarily with a leader elected), and
   * with {@link Builder#metricsPort} the metrics and health endpoint too.
   */
  public PachydermNode start() {
    lifecycle.start(health::check);
    return this;
  }

  public String nodeId() {
    return nodeId;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Whether this node is currently the leader. */
  public boolean isLeader() {
    return raft.isLeader();
  }

  /** Whether this node is leader and has applied every earlier-term entry, i.e. serves writes. */
  public boolean isReadyLeader() {
    return raft.isReadyLeader();
  }

  /** Index of the last entry applied by the state machine. */
  public long appliedIndex() {
    var ti = stateMachine.getLastAppliedTermIndex();
    return ti == null ? -1 : ti.getIndex();
  }

  /** The replica digest and the applied index it belongs to (see {@link AppliedDigest}). */
  public AppliedDigest appliedDigest() {
    var at = stateMachine.digestAt();
    return new AppliedDigest(at.applied().getIndex(), at.digest());
  }

  /** Effects this node has dispatched successfully since start. */
  public long effectsDispatched() {
    return stateMachine.effectsDispatched();
  }

  /** Pending messages, effects, dead letters and timers as this node has applied them. */
  public OutboxStats outboxStats() {
    return stateMachine.outboxStats();
  }

  /**
   * Whether an operator paused at-least-once effects ({@code PachydermClient.admin().pauseEffects()}),
   * as this node has applied it: a replicated setting, the same on every node at the same index.
   */
  public boolean effectsPaused() {
    return stateMachine.effectsPaused();
  }

  /** The TLS material in use (reloaded when its files change), or empty without TLS. */
  public java.util.Optional<TlsMaterial> tlsMaterial() {
    return java.util.Optional.ofNullable(tls);
  }

  /** Calls refused since start for reaching a port that does not serve their service (separate ports). */
  public long wrongPortCalls() {
    return wrongPortCalls.get();
  }


  /**
   * Liveness and readiness as the health endpoints answer them; cheap (no RPC), callable from any
   * thread. See {@link NodeHealth} for what ready means.
   */
  public NodeHealth health() {
    return health.check();
  }

  /**
   * The registry holding this node's meters ({@code pachyderm_*} and Ratis' bridged {@code ratis_*},
   * each tagged {@code node}): the one given to {@link Builder#meterRegistry}, else a
   * {@link PrometheusMeterRegistry} the node owns and closes.
   */
  public MeterRegistry meterRegistry() {
    return meters.registry();
  }

  /** The metrics and health endpoint's bound address while it serves; empty without {@link Builder#metricsPort}. */
  public Optional<InetSocketAddress> metricsAddress() {
    return meters.endpointAddress();
  }

  /** Calls this node refused since it started ({@link Refusals#NONE} without TLS and token). */
  public Refusals refusals() {
    return authorizer == null ? Refusals.NONE : authorizer.refusals();
  }

  /** The cluster id this node serves (its Raft group id), as kept in {@code <data>/cluster-id}. */
  public java.util.UUID clusterId() {
    return group.getGroupId().getUuid();
  }

  /**
   * Takes a snapshot now (normally automatic) unless nothing was applied since the latest one;
   * returns the index of the snapshot that holds the state as applied when this was called. Waits
   * up to {@link #SNAPSHOT_TIMEOUT_MS} ms.
   *
   * <p>Ratis takes it on its apply thread, between two entries: a snapshot taken from the caller's
   * thread would race the apply thread (1. the caller notes applied index 6; 2. the apply thread
   * applies entry 7 to the store; 3. the snapshot holds entry 7 but says 6, and the replay after a
   * restart applies 7 twice). A DISK store's checkpoint detects this and stops the node.
   *
   * @throws UncheckedIOException naming the node and Ratis' reason when the snapshot fails
   */
  public long takeSnapshot() {
    return raft.takeSnapshot(SNAPSHOT_TIMEOUT_MS);
  }

  /** How long {@link #takeSnapshot()} waits for Ratis' apply thread to take the snapshot. */
  public static final long SNAPSHOT_TIMEOUT_MS = 120_000;

  /**
   * Why this node stopped after a fatal error (fail-stop, see {@link FatalErrorPolicy}), or empty
   * while it has not. {@link #health()} then reports it not live with the same reason.
   */
  public Optional<String> fatalError() {
    return Optional.ofNullable(failStop.failure());
  }

  @Override
  public void close() {
    lifecycle.close();
  }

  /** Node settings. Defaults suit a three-node cluster on one LAN. Not thread-safe. */
  public static final class Builder {
    /** {@link #diskReserveBytes}'s default: 256 MiB. */
    public static final long DISK_RESERVE_BYTES_DEFAULT = 256L << 20;
    /** Collects; {@link #build()} checks the values together (NodeSettings). */
    private final NodeDraft draft;

    private Builder(String nodeId, List<Peer> peers, Path dataDir) {
      this.draft = new NodeDraft(nodeId, peers, dataDir);
    }

    public Builder entityTypes(EntityTypes types) {
      draft.types = Objects.requireNonNull(types, "types");
      return this;
    }

    /** Registers the handler that dispatches effects named {@code name}. */
    public Builder effectHandler(String name, EffectHandler<?> handler) {
      if (draft.effectHandlers.putIfAbsent(Objects.requireNonNull(name), Objects.requireNonNull(handler)) != null) {
        throw new IllegalArgumentException("two effect handlers named '" + name + "'");
      }
      return this;
    }

    /** How at-least-once effects are retried and when they become dead letters. Default {@link EffectRetry#DEFAULT}. */
    public Builder effectRetry(EffectRetry retry) {
      draft.effectRetry = Objects.requireNonNull(retry, "effect retry");
      return this;
    }

    /** Bounds of the node's work queues, effect handler lanes and history pages. Default {@link QueueLimits#DEFAULT}. */
    public Builder queueLimits(QueueLimits limits) {
      draft.queueLimits = Objects.requireNonNull(limits, "queue limits");
      return this;
    }

    /**
     * Most timer fires the leader proposes per second (default 1,000): a backlog of timers that
     * came due while the cluster was down drains at this rate instead of flooding the log.
     */
    public Builder timerFiresPerSecondMax(int fires) {
      draft.timerFiresPerSecondMax = (int) NodeSettings.atLeast(1, fires, "timerFiresPerSecondMax");
      return this;
    }

    /**
     * The event journal's settings (roll cycle, retention; default: daily files, kept forever). The
     * journal lives in {@code <dataDir>/journal}; see {@code log-storage/JOURNAL.md} for its format.
     */
    public Builder journal(JournalOptions options) {
      draft.journalOptions = Objects.requireNonNull(options, "journal options");
      return this;
    }

    /**
     * Whether this node keeps an event journal (default true). Without one it keeps only current
     * states: {@code history} and {@code follow} served by it fail with a clear error. Meant for
     * measuring the journal's cost and for nodes that never serve history.
     */
    public Builder journalEnabled(boolean enabled) {
      draft.journalEnabled = enabled;
      return this;
    }

    /**
     * An explicit cluster name, from which the cluster id is derived; by default the id is derived
     * from the peer list. Either way the id is written into the data directory at the first start
     * and kept; a name that maps to another id than the data directory's is refused at build.
     */
    public Builder clusterName(String name) {
      draft.clusterName = Objects.requireNonNull(name);
      return this;
    }

    /** Default gRPC; every node and client of a cluster must use the same. */
    public Builder transport(Transport transport) {
      draft.transport = Objects.requireNonNull(transport);
      return this;
    }

    /** Log entries between automatic snapshots. Default 10,000 (each entry is a batch). */
    public Builder snapshotThresholdEntries(long entries) {
      draft.snapshotThresholdEntries = NodeSettings.atLeast(1, entries, "snapshot threshold");
      return this;
    }

    /**
     * How far (in log entries) a node may fall behind before the others purge the log it still
     * needs (default 200,000). Within this bound a node that was down catches up by replaying the
     * log, and its event journal stays complete; beyond it, it catches up by snapshot installation
     * and its journal starts at the snapshot (history readers then use the other nodes). A node
     * that is gone for good must be removed from the group, or the log is kept up to this bound
     * behind each snapshot.
     */
    public Builder logEntriesKeptForLaggingNodesMax(long entries) {
      draft.logEntriesKeptForLaggingNodesMax = NodeSettings.atLeast(0, entries, "logEntriesKeptForLaggingNodesMax");
      return this;
    }

    /** Raft log segment size; purging after a snapshot works per closed segment. Default 32 MiB. */
    public Builder logSegmentBytesMax(long bytes) {
      draft.logSegmentBytesMax = NodeSettings.atLeast(64 << 10, bytes, "log segment bytes (64 KiB)");
      return this;
    }

    /**
     * Closed Raft log segments whose entries Ratis keeps in memory for sending to followers; older
     * ones are read from disk when a follower needs them. Default {@value #LOG_SEGMENT_CACHE_SEGMENTS_MAX_DEFAULT}.
     */
    public Builder logSegmentCacheSegmentsMax(int segments) {
      draft.logSegmentCacheSegmentsMax = (int) NodeSettings.atLeast(1, segments, "log segment cache segments");
      return this;
    }

    /** Bytes of log entries Ratis' segment cache may hold. Default 64 MiB. */
    public Builder logSegmentCacheBytesMax(long bytes) {
      draft.logSegmentCacheBytesMax = NodeSettings.atLeast(1 << 20, bytes, "log segment cache bytes (1 MiB)");
      return this;
    }

    /**
     * Entities one ecosystem may hold (a quota; default 0, none). A client command that would
     * create one more is rejected as {@code LIMIT_EXCEEDED}, naming the ecosystem and the quota;
     * entities that messages and timers create still count. Every node of a cluster must use the
     * same value: it is checked as entries are applied. Applied after {@link #limits}.
     */
    public Builder entitiesPerEcosystemMax(long entities) {
      draft.quotaEntitiesPerEcosystem = NodeSettings.atLeast(0, entities, "entitiesPerEcosystemMax (0 = no quota)");
      return this;
    }

    /** Minimum election timeout (the maximum is twice this). Default 500 ms. */
    public Builder electionTimeoutMin(Duration timeout) {
      NodeSettings.atLeast(50, timeout.toMillis(), "election timeout (ms)");
      draft.electionTimeoutMin = timeout;
      return this;
    }

    public Builder limits(NodeLimits limits) {
      draft.limits = Objects.requireNonNull(limits);
      return this;
    }

    /**
     * Mutual TLS on this node's ports for peers, clients and admin calls (default: none). The files
     * are read and checked now. The certificate must carry a subject alternative name
     * {@code URI:pachyderm:peer:<this node's id>} (see {@link io.pachyderm.node.security.Identities})
     * and name each host this node serves on (DNS or IP; 127.0.0.1 too for a loopback admin
     * port), and every peer's and client's certificate must be signed by a CA in
     * {@code files.trustBundle()}. Needs the gRPC transport. {@link #build()} refuses a
     * certificate that does not name this node's id and hosts. The running node reloads the files
     * when they change (see {@link #tlsReloadInterval}).
     *
     * @throws IllegalArgumentException naming the file that cannot be read or does not fit
     */
    public Builder tls(TlsFiles files) {
      draft.tls = Objects.requireNonNull(files, "TLS files").load();
      return this;
    }

    /**
     * How often the running node looks at its TLS files for a rotated certificate, key or trust
     * bundle (default {@link TlsMaterial#RELOAD_INTERVAL_DEFAULT}, at least 100 ms). A changed set
     * that passes the same checks as at start is used for new connections; one that does not is
     * logged at WARN naming the file, and the material in use stays.
     */
    public Builder tlsReloadInterval(Duration interval) {
      NodeSettings.atLeast(100, interval.toMillis(), "TLS reload interval (ms)");
      draft.tlsReloadInterval = interval;
      return this;
    }

    /**
     * Allows serving without TLS on an address other than loopback (the CLI's {@code --insecure}).
     * Without TLS anyone who reaches the port can forge Raft messages, reconfigure the group and
     * read or write any entity; only for a network where nothing hostile can reach the node.
     * Loopback addresses never need this.
     */
    public Builder insecure() {
      draft.insecure = true;
      return this;
    }

    /**
     * Checks every client request against the policy in {@code file} (the CLI's {@code --auth-policy};
     * format in {@link AuthorizationPolicy}): default deny, by the identity in the client's
     * certificate ({@code URI:pachyderm:client:<name>}), the operation and the ecosystem. Needs
     * {@link #tls}. Without a policy (the default) any certificate the trust bundle verifies may use
     * the whole client service. The file is read at {@link #build()}, which refuses one that does not
     * parse, naming the file, the line and what is wrong; it is not reread while the node runs.
     */
    public Builder authorizationPolicy(Path file) {
      draft.policyFile = Objects.requireNonNull(file, "policy file");
      return this;
    }

    /**
     * The registry for this node's meters (default: a {@link PrometheusMeterRegistry} the node owns).
     * With {@link #metricsPort}, it must be a {@code PrometheusMeterRegistry} or a composite holding
     * one, which {@code /metrics} scrapes. The node removes its meters on close; it closes only a
     * registry it created.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      draft.meterRegistry = Objects.requireNonNull(registry, "meter registry");
      return this;
    }

    /**
     * Requires every client request to carry {@code token} (the CLI's {@code --token-file}; the
     * client's {@code PachydermClient.Builder.token}), for development without mutual TLS: 16..1024
     * printable ASCII characters. Without TLS the token travels in plaintext and protects the client
     * service only; Raft peer traffic and Ratis' admin service stay unauthenticated. It does not
     * replace {@link #insecure()} for an address other than loopback. A request without it or with
     * another fails with UNAUTHENTICATED and writes nothing.
     */
    public Builder clientToken(String token) {
      draft.clientToken = io.pachyderm.cluster.internal.Tokens.requireValid(token, "node " + draft.nodeId + " client token");
      return this;
    }

    /**
     * Serves {@code GET /metrics} (Prometheus text format), {@code GET /health/live} and
     * {@code GET /health/ready} over plain HTTP on this port (0: any free port, see
     * {@link PachydermNode#metricsAddress()}). Default: no endpoint.
     */
    public Builder metricsPort(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("metrics port must be 0..65535: " + port);
      }
      draft.metricsPort = port;
      return this;
    }

    /**
     * The address the metrics endpoint binds (default 127.0.0.1). Loopback by default because the
     * endpoint has no TLS and no authentication; give the pod or host address (or 0.0.0.0) for a
     * Prometheus server or a Kubernetes probe on another host.
     */
    public Builder metricsHost(String host) {
      Objects.requireNonNull(host, "metrics host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("metrics host must not be blank");
      }
      draft.metricsHost = host;
      return this;
    }

    /**
     * Readiness bound: the node is ready only while its applied index is at most this many entries
     * behind its commit index (default 1,000; each entry is a batch).
     */
    public Builder readyApplyLagEntriesMax(long entries) {
      draft.readyApplyLagEntriesMax = NodeSettings.atLeast(0, entries, "readyApplyLagEntriesMax");
      return this;
    }

    /**
     * What the node does on a fatal error (see {@link FatalErrorPolicy}): default
     * {@link FatalErrorPolicy#HALT_JVM}, for a process that runs one node. An application embedding a
     * node, or a test running several in one JVM, chooses {@link FatalErrorPolicy#STOP_NODE}.
     */
    public Builder onFatalError(FatalErrorPolicy policy) {
      draft.fatalErrorPolicy = Objects.requireNonNull(policy, "fatal error policy");
      return this;
    }

    /**
     * The free space this node keeps on the file systems of its Raft log ({@code <dataDir>/raft}),
     * event journal ({@code <dataDir>/journal}) and DISK state store ({@code <dataDir>/state}), in bytes (the CLI's {@code --disk-reserve}); default
     * {@link #DISK_RESERVE_BYTES_DEFAULT} (256 MiB). While any has less free, this node as leader
     * refuses writes (commands, sends, admin and dead-letter actions) before they reach the log, with
     * {@link io.pachyderm.api.StorageFullException} at the client (retryable: nothing was written);
     * reads go on, and writes resume once space is back, without a restart. Free space is asked of
     * the file system at most every 200 ms. 0 turns the check off: then a full disk fails a write
     * and stops the node (fail-stop). Keep it well above the log entry limit ({@code entryBytesMax},
     * 8 MiB by default): writes accepted just before the check sees the shortfall must still fit, and
     * so must the next snapshot.
     */
    public Builder diskReserveBytes(long bytes) {
      draft.diskReserveBytes = NodeSettings.atLeast(0, bytes, "diskReserveBytes");
      return this;
    }

    /**
     * Where entity states live: {@link StateStoreKind#DISK} (the default: RocksDB under {@code
     * <dataDir>/state} behind a cache of hot entities, rebuilt from the latest snapshot at every
     * start) or {@link StateStoreKind#HEAP} (every entity in the heap).
     */
    public Builder stateStore(StateStoreKind kind) {
      draft.stateStoreKind = Objects.requireNonNull(kind, "state store kind");
      return this;
    }

    /**
     * The DISK store's cache of hot entities, in estimated heap bytes (the CLI's {@code
     * --state-cache-bytes}): 0 caches nothing (every read is a disk read), at most the JVM's maximum
     * heap; default an eighth of it. Ignored by a HEAP store. See {@link StateCache}.
     */
    public Builder stateCacheBytesMax(long bytes) {
      draft.stateCache = draft.stateCache.withBytesMax(bytes);
      return this;
    }

    /**
     * How long a DISK store keeps an entity nobody reads or writes in its cache before it leaves the
     * heap (passivation; the CLI's {@code --passivate-after}): at least 1 ms, default 10 minutes.
     * Ignored by a HEAP store. See {@link StateCache}.
     */
    public Builder passivateAfter(Duration idle) {
      draft.stateCache = draft.stateCache.withPassivateAfter(idle);
      return this;
    }

    /** Checks the settings together (see each setter) and assembles the node; {@link PachydermNode#start()} serves. */
    public PachydermNode build() {
      return new PachydermNode(draft.settings());
    }

  }
}
