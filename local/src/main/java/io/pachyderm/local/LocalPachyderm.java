package io.pachyderm.local;

import io.pachyderm.api.Entities;
import io.pachyderm.api.ForwardingEntities;
import io.pachyderm.api.EntityState;
import io.pachyderm.api.PachydermException;
import io.pachyderm.api.ReadMode;
import io.pachyderm.api.Reply;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.client.internal.InProcessServer;
import io.pachyderm.node.internal.NodeInternals;
import io.pachyderm.cluster.Peer;
import io.pachyderm.entity.EffectHandler;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.settings.EffectRetry;
import io.pachyderm.node.PachydermNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.ratis.protocol.RaftPeerId;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Pachyderm embedded in one JVM, on local disk: a single-node Raft group (the same state machine,
 * log and snapshots as a cluster) plus a client that hands its requests to that node's Raft server
 * in this JVM (no socket on the call path; the node's loopback port serves admin calls).
 *
 * <pre>{@code
 * try (LocalPachyderm local = LocalPachyderm.builder(Path.of("data"))
 *         .entityTypes(EntityTypes.of(Counter.TYPE)).open()) {
 *   local.call(Counter.TYPE.ref("my-counter"), new Counter.Increment(1));
 * }
 * }</pre>
 *
 * <p>Every entity survives {@link #close()} and JVM crashes: reopening the same directory
 * restores it from the latest snapshot plus the log tail. One process at a time may open a
 * directory. Thread-safe.
 */
public final class LocalPachyderm extends ForwardingEntities implements AutoCloseable {
  /** The one node's id, which {@link ReadMode#onNode} names. */
  public static final String NODE_ID = "local";
  private static final String PORT_FILE = "local-port";

  private final PachydermNode node;
  private final PachydermClient client;

  private LocalPachyderm(PachydermNode node, PachydermClient client) {
    this.node = node;
    this.client = client;
  }

  /** A builder for the store in {@code dataDir} (created when missing). */
  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** Every {@link Entities} method goes to the embedded node's client ({@link ForwardingEntities}). */
  @Override
  protected Entities delegate() {
    return client;
  }

  /** The store's dead letters: at-least-once effects that ran out of attempts, every ecosystem's. */
  public io.pachyderm.api.DeadLetters deadLetters() {
    return client.deadLetters();
  }

  /** The embedded node, for status and snapshots. */
  public PachydermNode node() {
    return node;
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      node.close();
    }
  }

  /** Settings of the embedded store. Not thread-safe. */
  public static final class Builder {
    private final Path dataDir;
    private EntityTypes types = EntityTypes.of();
    private final Map<String, EffectHandler<?>> handlers = new LinkedHashMap<>();
    private String ecosystem = "default";
    private long snapshotThresholdEntries = 10_000;
    private long entitiesPerEcosystemMax = io.pachyderm.node.settings.NodeLimits.ENTITIES_PER_ECOSYSTEM_MAX_OFF;
    private io.pachyderm.storage.journal.JournalOptions journalOptions =
        io.pachyderm.storage.journal.JournalOptions.defaults();
    private Duration requestTimeout = PachydermClient.REQUEST_TIMEOUT_DEFAULT;
    private EffectRetry effectRetry = EffectRetry.DEFAULT;
    private io.pachyderm.node.settings.StateStoreKind stateStoreKind = io.pachyderm.node.settings.StateStoreKind.DEFAULT;
    private io.pachyderm.node.settings.StateCache stateCache = io.pachyderm.node.settings.StateCache.defaults();

    private Builder(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "data dir");
    }

    public Builder entityTypes(EntityTypes types) {
      this.types = Objects.requireNonNull(types);
      return this;
    }

    public Builder effectHandler(String name, EffectHandler<?> handler) {
      if (handlers.putIfAbsent(Objects.requireNonNull(name), Objects.requireNonNull(handler)) != null) {
        throw new IllegalArgumentException("two effect handlers named '" + name + "'");
      }
      return this;
    }

    /** How at-least-once effects are retried and when they become dead letters. */
    public Builder effectRetry(EffectRetry retry) {
      this.effectRetry = Objects.requireNonNull(retry, "effect retry");
      return this;
    }

    /** The ecosystem addressed by the store's own methods. Default "default". */
    public Builder ecosystem(String name) {
      this.ecosystem = name;
      return this;
    }

    /** The event journal's roll cycle and retention (default: daily files, kept forever). */
    public Builder journal(io.pachyderm.storage.journal.JournalOptions options) {
      this.journalOptions = java.util.Objects.requireNonNull(options, "journal options");
      return this;
    }

    public Builder snapshotThresholdEntries(long entries) {
      this.snapshotThresholdEntries = entries;
      return this;
    }

    /**
     * Entities each ecosystem may hold; a command that would create one more is rejected as
     * {@code LIMIT_EXCEEDED}. Default 0: no quota.
     */
    public Builder entitiesPerEcosystemMax(long entities) {
      io.pachyderm.node.settings.NodeLimits.DEFAULT.withEntitiesPerEcosystemMax(entities);
      this.entitiesPerEcosystemMax = entities;
      return this;
    }

    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * Where entity states live: {@link io.pachyderm.node.settings.StateStoreKind#DISK} (the default, see
     * {@link io.pachyderm.node.settings.StateStoreKind#DEFAULT}: RocksDB under {@code <dataDir>/state}
     * behind a cache of hot entities) or {@link io.pachyderm.node.settings.StateStoreKind#HEAP}.
     */
    public Builder stateStore(io.pachyderm.node.settings.StateStoreKind kind) {
      this.stateStoreKind = Objects.requireNonNull(kind, "state store kind");
      return this;
    }

    /**
     * The DISK store's cache of hot entities, in estimated heap bytes: 0..the maximum heap, default
     * an eighth of it; ignored by a HEAP store (see {@link io.pachyderm.node.settings.StateCache}).
     */
    public Builder stateCacheBytesMax(long bytes) {
      this.stateCache = stateCache.withBytesMax(bytes);
      return this;
    }

    /**
     * How long an entity nobody uses stays in the DISK store's cache before it leaves the heap: at
     * least 1 ms, default 10 minutes; ignored by a HEAP store (see {@link io.pachyderm.node.settings.StateCache}).
     */
    public Builder passivateAfter(Duration idle) {
      this.stateCache = stateCache.withPassivateAfter(idle);
      return this;
    }

    /** Starts the node and waits (up to 30 s) until it serves writes. */
    public LocalPachyderm open() {
      try {
        Files.createDirectories(dataDir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create data directory " + dataDir, e);
      }
      List<Peer> peers = List.of(new Peer(NODE_ID, "127.0.0.1:" + port()));
      PachydermNode.Builder nb = PachydermNode.builder(NODE_ID, peers, dataDir)
          .entityTypes(types)
          // Embedded in the application's JVM: a fatal error stops the node, never the application.
          .onFatalError(io.pachyderm.node.settings.FatalErrorPolicy.STOP_NODE)
          .snapshotThresholdEntries(snapshotThresholdEntries)
          .entitiesPerEcosystemMax(entitiesPerEcosystemMax)
          .journal(journalOptions)
          .stateStore(stateStoreKind)
          .stateCacheBytesMax(stateCache.bytesMax())
          .passivateAfter(stateCache.passivateAfter())
          .effectRetry(effectRetry);
      handlers.forEach(nb::effectHandler);
      PachydermNode node = nb.build().start();
      try {
        awaitReady(node);
        // The node's own id, not one derived from the peer list: the data directory keeps the id of
        // its first start, and the port (so the peer list) changes when the saved one is taken.
        // Calls go to the node in this JVM directly, not through its loopback port (which stays
        // open for admin calls): the round trip over the socket was most of a call's cost.
        PachydermClient client = PachydermClient.builder(peers)
            .inProcess(new InProcessServer(NodeInternals.raftServer(node), RaftPeerId.valueOf(NODE_ID)))
            .clusterId(node.clusterId())
            .entityTypes(types)
            .ecosystem(ecosystem)
            .requestTimeout(requestTimeout)
            .build();
        return new LocalPachyderm(node, client);
      } catch (RuntimeException e) {
        node.close();
        throw e;
      }
    }

    private static void awaitReady(PachydermNode node) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!node.isReadyLeader()) {
        if (System.nanoTime() > deadline) {
          throw new PachydermException("local node did not become ready within 30 s");
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new PachydermException("interrupted while opening the local store");
        }
      }
    }

    /** The loopback port used last time, if still free, else a new free one (remembered). */
    private int port() {
      Path file = dataDir.resolve(PORT_FILE);
      try {
        if (Files.exists(file)) {
          int saved = Integer.parseInt(Files.readString(file, StandardCharsets.UTF_8).trim());
          if (isFree(saved)) {
            return saved;
          }
        }
        // Not port 0: an ephemeral port can be taken by any outgoing connection before Ratis binds
        // it, and Ratis ends the JVM when its server cannot bind.
        int port = io.pachyderm.cluster.internal.LoopbackPorts.free();
        Files.writeString(file, Integer.toString(port), StandardCharsets.UTF_8);
        return port;
      } catch (IOException | NumberFormatException e) {
        throw new PachydermException("cannot choose a loopback port for the local store in " + dataDir + ": " + e, e);
      }
    }

    private static boolean isFree(int port) {
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(true);
        return true;
      } catch (IOException e) {
        return false;
      }
    }
  }
}
