package io.pachyderm.client;

import io.pachyderm.cluster.Transport;
import io.pachyderm.cluster.Peer;
import io.pachyderm.api.DeadLetters;
import io.pachyderm.api.Entities;
import io.pachyderm.api.ForwardingEntities;
import io.pachyderm.api.EntityState;
import io.pachyderm.api.Follow;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.api.PachydermException;
import io.pachyderm.api.QueryResult;
import io.pachyderm.api.ReadMode;
import io.pachyderm.api.Reply;
import io.pachyderm.client.internal.Connection;
import io.pachyderm.client.internal.EncodedOperations;
import io.pachyderm.cluster.internal.JulLevels;
import io.pachyderm.cluster.internal.Tokens;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.cluster.tls.TlsMaterial;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.entity.Query;
import io.pachyderm.runtime.EntityKey;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The embeddable client of a Pachyderm cluster, serving {@link Entities} for any ecosystem.
 *
 * <pre>{@code
 * try (PachydermClient client = PachydermClient.builder(Peer.parseList("n1=10.0.0.1:7001,..."))
 *         .entityTypes(EntityTypes.of(Counter.TYPE)).build()) {
 *   Reply<Counter.State> r = client.call(Counter.TYPE.ref("my-counter"), new Counter.Increment(1));
 * }
 * }</pre>
 *
 * <p>Thread-safe; share one instance per application. Leader changes are handled inside: the
 * client follows the leader and resends with the same request id until the request timeout.
 * Concurrent commands from many threads travel together in one request (natural batching).
 *
 * <p>Made of parts, each in its own type: the connection ({@link Connection}: Ratis clients,
 * retries, request ids), the wire-form operations on it ({@link EncodedOperations}), the typed
 * operations of an ecosystem on those ({@link EcosystemEntities}, shared by this client and every
 * {@link #ecosystem(String)} view), history and follow ({@link ClusterHistory}), dead letters,
 * status and admin.
 */
public final class PachydermClient extends ForwardingEntities implements AutoCloseable {
  /** Default request timeout: long enough to ride out a leader election. */
  public static final Duration REQUEST_TIMEOUT_DEFAULT = Duration.ofSeconds(15);

  private final Connection connection;
  private final EncodedOperations encoded;
  private final ClusterHistory history;
  /** This client's own ecosystem; {@link #ecosystem(String)} makes the others. */
  private final EcosystemEntities entities;
  private final DeadLetters deadLetters;
  private final ClusterAdmin admin;

  private PachydermClient(Builder b) {
    JulLevels.apply();
    String ecosystem = EntityKey.requireValidEcosystem(b.ecosystem);
    this.connection = new Connection(new Connection.Settings(b.peers, b.clusterName, b.clusterId, b.transport, b.tls,
        b.token, b.requestTimeout, b.inflightBatchesMax, b.commandsPerBatchMax, b.batchBytesMax, b.queuedCommandsMax,
        b.inProcess));
    this.encoded = new EncodedOperations(connection);
    this.history = new ClusterHistory(encoded, b.requestTimeout, b.historyReadsQueuedMax);
    this.entities = new EcosystemEntities(ecosystem, b.types, encoded, history, b.requestTimeout);
    this.deadLetters = new ClusterDeadLetters(encoded, b.types);
    this.admin = new ClusterAdmin(connection, this::status);
  }

  /** A client for the cluster made of {@code peers} (every member, or at least a majority of them). */
  public static Builder builder(List<Peer> peers) {
    return new Builder(peers);
  }

  // ---- Entities: this client's ecosystem, forwarded (ForwardingEntities) ---------------------

  @Override
  protected Entities delegate() {
    return entities;
  }

  // ---- the cluster ------------------------------------------------------------------------

  /**
   * The dead-letter store of the cluster: every ecosystem's. Payloads are decoded when their
   * source's entity type is registered with this client.
   */
  public DeadLetters deadLetters() {
    return deadLetters;
  }

  /**
   * Each node's own report: role, leader, term, commit and applied index, and its outbox figures.
   * One read request to each node's client port (never Ratis' admin API, whose port may be
   * loopback-only), so it works from any host that can reach the client ports. Blocks up to the
   * Ratis request timeout (3 s) per node that does not answer.
   */
  public List<NodeView> status() {
    return ClusterStatus.of(encoded, connection.peers());
  }

  public List<Peer> peers() {
    return connection.peers();
  }

  /** The operator's actions: snapshots, leadership, pausing effects, journal compaction. */
  public Admin admin() {
    return admin;
  }

  /**
   * Internal, not a public API: the operations in their wire form (protobuf messages, payloads
   * left encoded) over this client's connection, for the project's own tools that lack the entity
   * classes (the CLI). Their signatures change with the wire format.
   */
  public EncodedOperations encodedOperations() {
    return encoded;
  }

  @Override
  public void close() {
    history.close();
    try {
      admin.close();
    } catch (PachydermException e) {
      // Closing anyway; the connection still needs closing.
    }
    connection.close();
  }

  /** Configures a client; every setting has a default but the peers. Not thread-safe. */
  public static final class Builder {
    private final List<Peer> peers;
    /** Null: the cluster id is derived from the peer list, as the nodes do by default. */
    private String clusterName;
    /** Overrides clusterName when set. */
    private java.util.UUID clusterId;
    private EntityTypes types = EntityTypes.of();
    private String ecosystem = "default";
    private Duration requestTimeout = REQUEST_TIMEOUT_DEFAULT;
    private Transport transport = Transport.GRPC;
    private int inflightBatchesMax = 4;
    private int commandsPerBatchMax = 256;
    private int batchBytesMax = 1 << 20;
    private int queuedCommandsMax = 100_000;
    private int historyReadsQueuedMax = 1_000;
    private TlsMaterial tls;
    private String token;
    private io.pachyderm.client.internal.InProcessServer inProcess;

    private Builder(List<Peer> peers) {
      if (peers == null || peers.isEmpty()) {
        throw new IllegalArgumentException("a client needs at least one peer");
      }
      this.peers = List.copyOf(peers);
    }

    /** The entity types this client encodes commands for and decodes replies of. */
    public Builder entityTypes(EntityTypes types) {
      this.types = Objects.requireNonNull(types, "types");
      return this;
    }

    /** The ecosystem addressed by the client's own {@link Entities} methods. Default "default". */
    public Builder ecosystem(String name) {
      this.ecosystem = EntityKey.requireValidEcosystem(name);
      return this;
    }

    /**
     * Must match the nodes' cluster name. By default the client derives the cluster id from its
     * peer list, as nodes do from theirs: a client given a different list than the cluster's
     * initial one (a subset) needs the name the nodes were given, or {@code clusterId}.
     */
    public Builder clusterName(String name) {
      this.clusterName = Objects.requireNonNull(name, "cluster name");
      return this;
    }

    /**
     * The cluster id the nodes serve ({@code PachydermNode.clusterId()}, {@code <data>/cluster-id},
     * {@code pachyderm status}); needed when this client's peer list is not the cluster's initial
     * one. A node of another cluster refuses the client ({@link io.pachyderm.cluster.ClusterMismatchException}).
     */
    public Builder clusterId(java.util.UUID id) {
      this.clusterId = Objects.requireNonNull(id, "cluster id");
      return this;
    }

    /** Per request, retries included. Default 15 s. */
    public Builder requestTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("request timeout must be positive: " + timeout);
      }
      this.requestTimeout = timeout;
      return this;
    }

    /** Must match the nodes' transport. Default gRPC. */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** Batches outstanding at once before commands start to accumulate. Default 4. */
    public Builder inflightBatchesMax(int n) {
      this.inflightBatchesMax = requirePositive(n, "inflight batches max");
      return this;
    }

    /** Commands per request (log entry). Default 256; nodes accept up to their own limit. */
    public Builder commandsPerBatchMax(int n) {
      this.commandsPerBatchMax = requirePositive(n, "commands per batch max");
      return this;
    }

    /** Encoded bytes per request; also the largest single command. Default 1 MiB. */
    public Builder batchBytesMax(int n) {
      this.batchBytesMax = requirePositive(n, "batch bytes max");
      return this;
    }

    /** Commands waiting to be sent before new ones are refused. Default 100,000. */
    public Builder queuedCommandsMax(int n) {
      this.queuedCommandsMax = requirePositive(n, "queued commands max");
      return this;
    }

    /**
     * {@code historyAsync} reads waiting for one of the client's four history threads before new
     * ones fail at once with an {@link io.pachyderm.api.OverloadedException} (nothing was sent:
     * retry later). Default 1,000.
     */
    public Builder historyReadsQueuedMax(int n) {
      this.historyReadsQueuedMax = requirePositive(n, "history reads queued max");
      return this;
    }

    /**
     * Mutual TLS to every node (default: none, plaintext). The files are read and checked now; the
     * certificate must be signed by a CA in the nodes' trust bundle, and each node's certificate
     * must be signed by one in {@code files.trustBundle()} and name the node's host (a DNS or IP
     * subject alternative name), which gRPC checks. Needs the gRPC transport. The client looks at
     * the files every {@link TlsMaterial#RELOAD_INTERVAL_DEFAULT} and uses changed ones for new
     * connections ({@link TlsMaterial#reloadIfChanged}); a broken replacement is logged and refused.
     *
     * @throws IllegalArgumentException naming the file that cannot be read or does not fit
     */
    public Builder tls(TlsFiles files) {
      this.tls = Objects.requireNonNull(files, "TLS files").load();
      return this;
    }

    /**
     * Sends {@code token} with every request (default: none), for nodes started with a client token
     * ({@code --token-file}) and no mutual TLS: 16..1024 printable ASCII characters. Without TLS it
     * travels in plaintext. A node that wants another token refuses the request with
     * {@link io.pachyderm.api.AccessDeniedException}.
     */
    public Builder token(String token) {
      this.token = Tokens.requireValid(token, "client token");
      return this;
    }

    /**
     * Hands every write and read to a node in this JVM directly instead of sending it over the
     * network (what {@code LocalPachyderm} does with its own node; the type is not exported to
     * applications). The peers must name that node; admin calls still use the network.
     */
    public Builder inProcess(io.pachyderm.client.internal.InProcessServer server) {
      this.inProcess = Objects.requireNonNull(server, "server");
      return this;
    }

    public PachydermClient build() {
      if (inProcess != null && peers.stream().noneMatch(p -> p.id().equals(inProcess.peerId().toString()))) {
        throw new IllegalArgumentException("the in-process node " + inProcess.peerId() + " is not among the peers "
            + peers.stream().map(io.pachyderm.cluster.Peer::id).toList());
      }
      if (tls != null && transport != Transport.GRPC) {
        throw new IllegalArgumentException("TLS needs the gRPC transport: Ratis 3.3.0's Netty transport has no TLS");
      }
      return new PachydermClient(this);
    }

    private static int requirePositive(int n, String what) {
      if (n < 1) {
        throw new IllegalArgumentException(what + " must be >= 1: " + n);
      }
      return n;
    }
  }
}
