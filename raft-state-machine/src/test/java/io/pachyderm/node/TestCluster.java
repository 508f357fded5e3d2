package io.pachyderm.node;

import io.pachyderm.node.settings.FatalErrorPolicy;
import io.pachyderm.cluster.internal.RatisCluster;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.security.Identities;
import io.pachyderm.node.security.ThrowawayCa;
import io.pachyderm.node.settings.NodeLimits;
import io.pachyderm.node.status.AppliedDigest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * Three (or more) Ratis servers in this JVM on loopback, each with its own data dir, plus
 * helpers to find the leader, stop and restart nodes, and count effect dispatches per node.
 *
 * <p>On {@link Wire#MUTUAL_TLS} a CA made for the cluster (in {@code root/tls}) issues each node
 * its own certificate ({@code pachyderm:peer:<id>}, 127.0.0.1) and the test one client
 * certificate, which every client from {@link #client} presents; peers, clients and admin calls
 * then all run over mutual TLS. A scenario parameterised over {@link Wire} runs the same
 * assertions both ways, and ends with {@link #assertWire()}.
 */
final class TestCluster implements AutoCloseable {
  static final String COUNTING_HANDLER = "admin-mailer";

  /** How nodes and clients talk. */
  enum Wire {
    PLAINTEXT,
    /** Every connection (Raft peers, clients, admin) mutual TLS, with certificates from a CA made for the cluster. */
    MUTUAL_TLS
  }

  private final Path root;
  private final List<Peer> peers;
  private final EntityTypes types;
  private final java.util.function.BiConsumer<String, PachydermNode.Builder> tuning;
  private final Wire wire;
  /** Per node on {@link Wire#MUTUAL_TLS}, else empty. */
  private final List<TlsFiles> nodeTls = new ArrayList<>();
  /** The test's client certificate on {@link Wire#MUTUAL_TLS}, else null. */
  private final TlsFiles clientTls;
  private final PachydermNode[] nodes;
  private final List<PachydermClient> clients = new CopyOnWriteArrayList<>();
  /** Effect dispatches per node id, with the idempotency key of each. */
  final Map<String, List<String>> dispatches = new ConcurrentHashMap<>();
  final AtomicLong dispatchCount = new AtomicLong();

  TestCluster(Path root, int size, EntityTypes types, Consumer<PachydermNode.Builder> tuning) {
    this(root, size, types, Wire.PLAINTEXT, false, (id, b) -> tuning.accept(b));
  }

  TestCluster(Path root, int size, EntityTypes types, Wire wire, Consumer<PachydermNode.Builder> tuning) {
    this(root, size, types, wire, false, (id, b) -> tuning.accept(b));
  }

  /**
   * @param separatePorts each node serves peers, clients and admin calls on three loopback ports
   * @param tuning node id and builder, for settings that differ per node (such as its certificate)
   */
  TestCluster(Path root, int size, EntityTypes types, boolean separatePorts,
              java.util.function.BiConsumer<String, PachydermNode.Builder> tuning) {
    this(root, size, types, Wire.PLAINTEXT, separatePorts, tuning);
  }

  private TestCluster(Path root, int size, EntityTypes types, Wire wire, boolean separatePorts,
                      java.util.function.BiConsumer<String, PachydermNode.Builder> tuning) {
    this.root = root;
    this.types = types;
    this.tuning = tuning;
    this.wire = wire;
    List<Peer> list = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      list.add(separatePorts
          ? new Peer("n" + i, "127.0.0.1:" + freePort(), "127.0.0.1:" + freePort(), "127.0.0.1:" + freePort())
          : new Peer("n" + i, "127.0.0.1:" + freePort()));
    }
    this.peers = List.copyOf(list);
    if (wire == Wire.MUTUAL_TLS) {
      ThrowawayCa ca = ThrowawayCa.create(root.resolve("tls"), "test cluster CA");
      for (Peer p : peers) {
        nodeTls.add(ca.node(p.id(), List.of(p.host())));
      }
      clientTls = ca.client("test");
    } else {
      clientTls = null;
    }
    this.nodes = new PachydermNode[size];
    for (int i = 0; i < size; i++) {
      start(i);
    }
  }

  static TestCluster start(Path root, EntityTypes types) {
    return new TestCluster(root, 3, types, b -> {});
  }

  static TestCluster start(Path root, EntityTypes types, Wire wire) {
    return new TestCluster(root, 3, types, wire, b -> {});
  }

  List<Peer> peers() {
    return peers;
  }

  PachydermNode node(int i) {
    return nodes[i];
  }

  int size() {
    return nodes.length;
  }

  void start(int i) {
    if (nodes[i] != null) {
      throw new IllegalStateException("node " + i + " is running");
    }
    Peer self = peers.get(i);
    PachydermNode.Builder b = PachydermNode.builder(self.id(), peers, root.resolve(self.id()))
        .entityTypes(types)
        .electionTimeoutMin(Duration.ofMillis(400))
        // Three nodes share this JVM: a fatal error stops its node, not the test run.
        .onFatalError(io.pachyderm.node.settings.FatalErrorPolicy.STOP_NODE)
        .effectHandler(COUNTING_HANDLER, (Object effect, EffectContext ctx) -> {
          dispatches.computeIfAbsent(ctx.nodeId(), k -> new CopyOnWriteArrayList<>()).add(ctx.idempotencyKey());
          dispatchCount.incrementAndGet();
        });
    if (wire == Wire.MUTUAL_TLS) {
      b.tls(nodeTls.get(i));
    }
    String storeKind = System.getProperty(STATE_STORE_PROPERTY);
    if (storeKind != null) {
      // Runs the cluster tests on the store named (e.g. DISK) while the default is another; a
      // test's own tuning still chooses for itself.
      b.stateStore(stateStoreKind(storeKind));
    }
    tuning.accept(self.id(), b);
    nodes[i] = b.build().start();
  }

  /** The system property that picks every node's state store: HEAP or DISK; unset, the node's default. */
  static final String STATE_STORE_PROPERTY = "pachyderm.test.stateStore";

  private static io.pachyderm.node.settings.StateStoreKind stateStoreKind(String name) {
    try {
      return io.pachyderm.node.settings.StateStoreKind.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(STATE_STORE_PROPERTY + " must be one of "
          + java.util.Arrays.toString(io.pachyderm.node.settings.StateStoreKind.values()) + ", got '" + name + "'", e);
    }
  }

  void stop(int i) {
    nodes[i].close();
    nodes[i] = null;
  }

  boolean isRunning(int i) {
    return nodes[i] != null;
  }

  /** Waits until a running node is a ready leader; returns its index. */
  int awaitLeader() {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < nodes.length; i++) {
        if (nodes[i] != null && nodes[i].isReadyLeader()) {
          return i;
        }
      }
      sleep(20);
    }
    throw new AssertionError("no leader within 60 s");
  }

  int followerIndex() {
    int leader = awaitLeader();
    for (int i = 0; i < nodes.length; i++) {
      if (i != leader && nodes[i] != null) {
        return i;
      }
    }
    throw new AssertionError("no running follower");
  }

  /**
   * Waits until every running node has applied the same index and asserts that they hold the same
   * replica digest there: the replicated state is a function of the log alone.
   */
  void assertReplicasAgree() {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Map<String, AppliedDigest> seen = new java.util.TreeMap<>();
    while (System.nanoTime() < deadline) {
      seen.clear();
      for (int i = 0; i < nodes.length; i++) {
        if (nodes[i] != null) {
          seen.put(peers.get(i).id(), nodes[i].appliedDigest());
        }
      }
      if (seen.values().stream().map(AppliedDigest::appliedIndex).distinct().count() == 1) {
        if (seen.values().stream().map(AppliedDigest::digest).distinct().count() != 1) {
          throw new AssertionError("replicas at the same applied index hold different states: " + seen);
        }
        return;
      }
      sleep(20);
    }
    throw new AssertionError("nodes never reached the same applied index within 60 s: " + seen);
  }

  PachydermClient client() {
    return client(peers, Duration.ofSeconds(30));
  }

  PachydermClient client(List<Peer> to, Duration timeout) {
    // A client of a subset of the peers needs the cluster's id: it would derive another from its list.
    PachydermClient.Builder b = PachydermClient.builder(to).entityTypes(types).requestTimeout(timeout)
        .clusterId(io.pachyderm.cluster.ClusterIdentity.id(peers));
    if (clientTls != null) {
      b.tls(clientTls);
    }
    PachydermClient c = b.build();
    clients.add(c);
    return c;
  }

  /**
   * The cluster ran as its {@link Wire} says, and no node refused anything its own peers and the
   * test's clients sent. On {@link Wire#MUTUAL_TLS} every running node completes a TLS handshake
   * that requires the test's client certificate and presents its own certificate, naming its id,
   * from the cluster's CA; so a cluster that silently ran plaintext fails here.
   */
  void assertWire() {
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] == null) {
        continue;
      }
      long refused = nodes[i].refusals().total();
      if (refused != 0) {
        throw new AssertionError(peers.get(i).id() + " refused " + refused + " calls on " + wire + ": "
            + nodes[i].refusals());
      }
      if (wire == Wire.MUTUAL_TLS) {
        List<String> named = Identities.peerIds(presentedCertificate(peers.get(i)));
        if (!named.equals(List.of(peers.get(i).id()))) {
          throw new AssertionError(peers.get(i) + " presented a certificate naming peers " + named);
        }
      }
    }
  }

  /** The certificate a node presents to a client that offers the test's certificate and trusts only the cluster's CA. */
  private X509Certificate presentedCertificate(Peer node) {
    GrpcTlsConfig tls = RatisCluster.grpcTlsConfig(clientTls.load());
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {tls.getKeyManager().getKeyManager()},
          new TrustManager[] {tls.getTrustManager().getTrustManager()}, null);
      try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(node.host(), node.port())) {
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2"}); // what gRPC's server negotiates
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new AssertionError("no TLS handshake with " + node + " (" + wire + "): " + e, e);
    }
  }

  static NodeLimits smallSegmentsLimits() {
    return new NodeLimits(200_000, 16 << 10, 64 << 10, 1024, 10_000);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static int freePort() {
    return io.pachyderm.cluster.internal.LoopbackPorts.free();
  }

  @Override
  public void close() {
    for (PachydermClient c : clients) {
      c.close();
    }
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] != null) {
        stop(i);
      }
    }
  }
}
