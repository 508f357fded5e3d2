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
import io.pachyderm.node.internal.NodeChecks;
import io.pachyderm.node.internal.NodeMeters;
import io.pachyderm.node.security.AuthorizationPolicy;
import io.pachyderm.storage.journal.JournalOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A node's settings as {@link PachydermNode.Builder} collected them, checked together when the
 * builder builds: the builder refuses a bad single value at once, this record checks how the values
 * fit each other (plain address and TLS, policy and TLS, token and transport, metrics endpoint and
 * registry, log segment and entry limit, journal and record limit, the journal's JVM flags). The
 * node is assembled from it alone. Immutable; the effect handlers map is a copy in registration order.
 *
 * @param clusterName null: the cluster id is derived from the peer list
 * @param quotaEntitiesPerEcosystem null: the limits' own quota; see {@link #effectiveLimits()}
 * @param tls null without TLS
 * @param insecure whether a plain (non-TLS) address other than loopback is allowed
 * @param policyFile the authorization policy's file, or null; read by {@link #readPolicy()}
 * @param clientToken null without a token
 * @param meterRegistry null: the node creates and owns a Prometheus registry
 * @param metricsPort null: no metrics endpoint
 */
record NodeSettings(String nodeId, List<Peer> peers, Path dataDir, String clusterName, EntityTypes types,
                    Map<String, EffectHandler<?>> effectHandlers, Transport transport, long snapshotThresholdEntries,
                    long logSegmentBytesMax, int logSegmentCacheSegmentsMax, long logSegmentCacheBytesMax,
                    Duration electionTimeoutMin, NodeLimits limits, Long quotaEntitiesPerEcosystem,
                    EffectRetry effectRetry, int timerFiresPerSecondMax, QueueLimits queueLimits,
                    JournalOptions journalOptions, boolean journalEnabled, long logEntriesKeptForLaggingNodesMax,
                    TlsMaterial tls, Duration tlsReloadInterval, boolean insecure, Path policyFile,
                    String clientToken, MeterRegistry meterRegistry, String metricsHost, Integer metricsPort,
                    long readyApplyLagEntriesMax, FatalErrorPolicy fatalErrorPolicy, long diskReserveBytes,
                    StateStoreKind stateStoreKind, StateCache stateCache) {
  NodeSettings {
    Objects.requireNonNull(nodeId, "node id");
    Objects.requireNonNull(stateStoreKind, "state store kind");
    Objects.requireNonNull(stateCache, "state cache");
    effectHandlers = Collections.unmodifiableMap(new LinkedHashMap<>(effectHandlers));
    NodeChecks.requireSecureSetup(nodeId, peers, transport, tls, insecure);
    if (policyFile != null && tls == null) {
      throw new IllegalArgumentException("node " + nodeId + ": the authorization policy " + policyFile
          + " names certificate identities, so it needs mutual TLS (--tls-cert, --tls-key, --tls-ca)");
    }
    if (clientToken != null && transport != Transport.GRPC) {
      throw new IllegalArgumentException("node " + nodeId + ": a client token needs the gRPC transport; Ratis "
          + "3.3.0's Netty transport has no hook to check it, so this node would serve without it");
    }
    if (metricsPort != null && meterRegistry != null && NodeMeters.prometheusOf(meterRegistry) == null) {
      throw new IllegalArgumentException("node " + nodeId + ": the metrics endpoint scrapes a PrometheusMeterRegistry, "
          + "and the registry given to meterRegistry(..) is a " + meterRegistry.getClass().getName()
          + " holding none: add a PrometheusMeterRegistry to it (a CompositeMeterRegistry may hold both), "
          + "or leave metricsPort unset and expose your registry yourself");
    }
    if (logSegmentBytesMax <= limits.entryBytesMax()) {
      throw new IllegalArgumentException("log segment (" + logSegmentBytesMax + " B) must exceed the entry limit ("
          + limits.entryBytesMax() + " B)");
    }
    if (journalOptions.recordBytesMax() < limits.recordBytesMax() + (64 << 10)) {
      // A record the state machine accepts must fit the journal, or apply would stop the node.
      throw new IllegalArgumentException("journal recordBytesMax (" + journalOptions.recordBytesMax()
          + " B) must exceed the state machine's record limit (" + limits.recordBytesMax() + " B) by 64 KiB");
    }
    if (journalEnabled) {
      // Here rather than deep inside Ratis' start, where the flag's absence would surface as a wrapped failure.
      io.pachyderm.storage.journal.JvmFlags.requireForJournal("node " + nodeId);
    }
  }

  /** The limits with the builder's entity quota applied (it overrides the limits' own). */
  NodeLimits effectiveLimits() {
    return quotaEntitiesPerEcosystem == null ? limits : limits.withEntitiesPerEcosystemMax(quotaEntitiesPerEcosystem);
  }

  /**
   * The authorization policy, read from {@link #policyFile} now (null without one). Refuses a file
   * that does not parse, naming the file, the line and what is wrong.
   */
  AuthorizationPolicy readPolicy() {
    return policyFile == null ? null : AuthorizationPolicy.read(policyFile);
  }

  /** Refuses {@code value} below {@code min} naming the setting; returns it otherwise (for one-line setters). */
  static long atLeast(long min, long value, String what) {
    if (value < min) {
      throw new IllegalArgumentException(what + " must be >= " + min + ": " + value);
    }
    return value;
  }
}
