package io.pachyderm.node;

import io.pachyderm.node.settings.StateCache;
import io.pachyderm.node.settings.StateStoreKind;
import io.pachyderm.node.settings.NodeLimits;
import io.pachyderm.node.settings.QueueLimits;
import io.pachyderm.node.settings.EffectRetry;
import io.pachyderm.node.settings.FatalErrorPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.Transport;
import io.pachyderm.cluster.tls.TlsMaterial;
import io.pachyderm.entity.EffectHandler;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.storage.journal.JournalOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link PachydermNode.Builder} has collected so far, with the defaults its setters
 * document: the builder's setters check and write single values here, and {@link #settings()}
 * hands them to {@link NodeSettings}, which checks them together. Mutable; confined to its builder
 * (not thread-safe, as the builder).
 */
final class NodeDraft {
  final String nodeId;
  final List<Peer> peers;
  final Path dataDir;
  /** Null: the cluster id is derived from the peer list (see {@link io.pachyderm.cluster.ClusterIdentity}). */
  String clusterName;
  EntityTypes types = EntityTypes.of();
  final Map<String, EffectHandler<?>> effectHandlers = new LinkedHashMap<>();
  Transport transport = Transport.GRPC;
  long snapshotThresholdEntries = 10_000;
  long logSegmentBytesMax = 32L << 20;
  int logSegmentCacheSegmentsMax = PachydermNode.LOG_SEGMENT_CACHE_SEGMENTS_MAX_DEFAULT;
  long logSegmentCacheBytesMax = PachydermNode.LOG_SEGMENT_CACHE_BYTES_MAX_DEFAULT;
  Duration electionTimeoutMin = Duration.ofMillis(500);
  NodeLimits limits = NodeLimits.DEFAULT;
  Long quotaEntitiesPerEcosystem;
  EffectRetry effectRetry = EffectRetry.DEFAULT;
  int timerFiresPerSecondMax = 1_000;
  QueueLimits queueLimits = QueueLimits.DEFAULT;
  JournalOptions journalOptions = JournalOptions.defaults();
  boolean journalEnabled = true;
  long logEntriesKeptForLaggingNodesMax = 200_000;
  TlsMaterial tls;
  Duration tlsReloadInterval = TlsMaterial.RELOAD_INTERVAL_DEFAULT;
  boolean insecure;
  Path policyFile;
  String clientToken;
  MeterRegistry meterRegistry;
  String metricsHost = "127.0.0.1";
  Integer metricsPort;
  long readyApplyLagEntriesMax = 1_000;
  FatalErrorPolicy fatalErrorPolicy = FatalErrorPolicy.HALT_JVM;
  long diskReserveBytes = PachydermNode.Builder.DISK_RESERVE_BYTES_DEFAULT;
  StateStoreKind stateStoreKind = StateStoreKind.DEFAULT;
  StateCache stateCache = StateCache.defaults();

  NodeDraft(String nodeId, List<Peer> peers, Path dataDir) {
    this.nodeId = Objects.requireNonNull(nodeId, "node id");
    this.peers = List.copyOf(peers);
    this.dataDir = Objects.requireNonNull(dataDir, "data dir");
  }

  /** The collected values, checked together ({@link NodeSettings}); throws naming what does not fit. */
  NodeSettings settings() {
    return new NodeSettings(nodeId, peers, dataDir, clusterName, types, effectHandlers, transport,
        snapshotThresholdEntries, logSegmentBytesMax, logSegmentCacheSegmentsMax, logSegmentCacheBytesMax,
        electionTimeoutMin, limits, quotaEntitiesPerEcosystem, effectRetry, timerFiresPerSecondMax, queueLimits,
        journalOptions, journalEnabled, logEntriesKeptForLaggingNodesMax, tls, tlsReloadInterval, insecure,
        policyFile, clientToken, meterRegistry, metricsHost, metricsPort, readyApplyLagEntriesMax, fatalErrorPolicy,
        diskReserveBytes, stateStoreKind, stateCache);
  }
}
