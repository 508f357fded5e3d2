package io.pachyderm.node;

import io.pachyderm.node.settings.StateStoreKind;
import io.pachyderm.node.settings.NodeLimits;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.internal.RatisCluster;
import io.pachyderm.cluster.tls.TlsMaterial;
import io.pachyderm.node.internal.CallAuthorizer;
import io.pachyderm.node.internal.ClusterIdFile;
import io.pachyderm.node.internal.DiskReserve;
import io.pachyderm.node.internal.StateStores;
import io.pachyderm.node.internal.EntityStateMachine;
import io.pachyderm.node.internal.FailStop;
import io.pachyderm.node.internal.HealthCheck;
import io.pachyderm.node.internal.NodeGuards;
import io.pachyderm.node.internal.NodeLifecycle;
import io.pachyderm.node.internal.NodeMeters;
import io.pachyderm.node.internal.NodeMetrics;
import io.pachyderm.node.internal.RatisConfig;
import io.pachyderm.node.security.AuthorizationPolicy;
import io.pachyderm.node.security.Refusals;
import io.pachyderm.storage.journal.JournalOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;

/**
 * The parts of one node, assembled from its checked {@link NodeSettings} in the order they need
 * each other: the cluster id (kept in the data directory), the meters (before the Ratis server, whose
 * registries must find the bridge), the state machine with its fail-stop and disk reserve, the
 * call authorizer, the Ratis server, then its lifecycle and health check. {@link PachydermNode}
 * holds them; nothing here is started.
 *
 * @param authorizer null without TLS and without a client token
 * @param tls null without TLS
 * @param wrongPortCalls calls refused for reaching the wrong one of the separate ports
 */
record NodeParts(RaftGroup group, RaftServer server, EntityStateMachine stateMachine, CallAuthorizer authorizer,
                 TlsMaterial tls, AtomicLong wrongPortCalls, HealthCheck health, NodeMeters meters,
                 NodeLifecycle lifecycle, FailStop failStop) {

  static NodeParts assemble(NodeSettings b) {
    io.pachyderm.cluster.internal.JulLevels.apply();
    AuthorizationPolicy policy = b.readPolicy();
    NodeLimits limits = b.effectiveLimits();
    RaftGroup group = RatisCluster.group(ClusterIdFile.resolve(b.nodeId(), b.dataDir(),
        RatisCluster.groupId(b.clusterName(), b.peers()), b.clusterName() != null), b.peers());
    Peer self = b.peers().stream().filter(p -> p.id().equals(b.nodeId())).findFirst().orElseThrow(
        () -> new IllegalArgumentException("node id '" + b.nodeId() + "' is not among the peers " + b.peers()));
    RaftProperties properties = RatisConfig.properties(new RatisConfig.Settings(b.transport(), b.dataDir(),
        b.electionTimeoutMin().toMillis(), b.snapshotThresholdEntries(), b.logSegmentBytesMax(),
        b.logSegmentCacheSegmentsMax(), b.logSegmentCacheBytesMax(), limits.entryBytesMax()), self);
    // Before the Ratis server: its registries must find the bridge's reporter registration.
    NodeMeters meters = new NodeMeters(b.nodeId(), b.meterRegistry(), Set.copyOf(b.types().names()), b.metricsHost(),
        b.metricsPort());
    NodeMetrics metrics = meters.metrics();
    EntityStateMachine stateMachine = new EntityStateMachine(b.nodeId(), b.types(), limits, b.effectHandlers(),
        b.effectRetry(), b.timerFiresPerSecondMax(), b.journalEnabled() ? b.dataDir().resolve("journal") : null,
        journalOptions(b), b.logEntriesKeptForLaggingNodesMax(), metrics, b.queueLimits(),
        StateStores.create(b.stateStoreKind(), b.dataDir(), b.types(), b.stateCache()));
    FailStop failStop = new FailStop(b.nodeId(), b.fatalErrorPolicy());
    stateMachine.failStop(failStop);
    List<Path> storageDirs = new ArrayList<>(List.of(b.dataDir().resolve("raft")));
    if (b.journalEnabled()) {
      storageDirs.add(b.dataDir().resolve("journal"));
    }
    if (b.stateStoreKind() == StateStoreKind.DISK) {
      storageDirs.add(StateStores.directory(b.dataDir()));
    }
    stateMachine.diskReserve(new DiskReserve(b.nodeId(), storageDirs, b.diskReserveBytes()));
    // The authorizer asks who is a member of the group, which the server knows once it exists.
    AtomicReference<RaftServer> serverOnceBuilt = new AtomicReference<>();
    CallAuthorizer authorizer = b.tls() == null && b.clientToken() == null ? null
        : new CallAuthorizer(b.nodeId(), peerId -> isGroupMember(serverOnceBuilt.get(), group, peerId),
            b.tls() != null, policy, b.clientToken());
    NodeGuards.logClientAccess(b.nodeId(), policy, b.tls(), b.clientToken());
    AtomicLong wrongPortCalls = new AtomicLong();
    Parameters parameters = NodeGuards.parameters(b.nodeId(), self, b.tls(), authorizer, wrongPortCalls);
    RaftServer server;
    try {
      Files.createDirectories(b.dataDir());
      server = RaftServer.newBuilder().setServerId(RaftPeerId.valueOf(b.nodeId())).setGroup(group)
          .setStateMachine(stateMachine).setProperties(properties).setParameters(parameters)
          .setOption(RaftStorage.StartupOption.RECOVER).build();
    } catch (IOException e) {
      meters.close();
      stateMachine.closeStateStore();
      throw new UncheckedIOException("node " + b.nodeId() + ": cannot create the Ratis server in " + b.dataDir(), e);
    } catch (RuntimeException e) {
      meters.close();
      stateMachine.closeStateStore();
      throw e;
    }
    serverOnceBuilt.set(server);
    NodeLifecycle lifecycle = new NodeLifecycle(b.nodeId(), b.dataDir(), self, server, stateMachine, failStop, meters,
        b.tls(), b.tlsReloadInterval());
    failStop.onStopNode(lifecycle::stopAfterFailure);
    // A follower that has not heard from its leader for the shortest election timeout no longer
    // trusts it: the same bound Ratis' pre-vote uses.
    HealthCheck health = new HealthCheck(server, group.getGroupId(), stateMachine, b.readyApplyLagEntriesMax(),
        b.electionTimeoutMin().toMillis());
    metrics.bindNode(stateMachine, health, () -> authorizer == null ? Refusals.NONE : authorizer.refusals(),
        wrongPortCalls::get);
    return new NodeParts(group, server, stateMachine, authorizer, b.tls(), wrongPortCalls, health, meters, lifecycle,
        failStop);
  }

  /**
   * The journal's options for this node: with the disk state store the journal's ref index is on
   * disk too (in the heap it would again bound the entity count by the heap: ~150 bytes per entity).
   */
  private static JournalOptions journalOptions(NodeSettings b) {
    return b.stateStoreKind() == StateStoreKind.DISK
        ? b.journalOptions().withIndexKind(JournalOptions.IndexKind.DISK) : b.journalOptions();
  }

  /**
   * Whether {@code peerId} is a member of the group now (its configuration as this node has it,
   * old and new members both during a change); before the server or the group is loaded, whether
   * it is one of the configured peers.
   */
  private static boolean isGroupMember(RaftServer server, RaftGroup group, String peerId) {
    RaftPeerId id = RaftPeerId.valueOf(peerId);
    try {
      if (server != null) {
        var conf = server.getDivision(group.getGroupId()).getRaftConf();
        return conf.getPeer(id, RaftPeerRole.FOLLOWER, RaftPeerRole.LISTENER) != null;
      }
    } catch (IOException | RuntimeException notLoaded) {
      // the configured peers, below
    }
    return group.getPeer(id) != null;
  }
}
