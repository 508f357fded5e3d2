package io.pachyderm.client;

import io.pachyderm.cluster.Peer;
import io.pachyderm.api.Futures;
import io.pachyderm.client.internal.EncodedOperations;
import io.pachyderm.protocol.DigestCheckpoint;
import io.pachyderm.protocol.NodeStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/** Every node's own report as {@link NodeView}s: {@link PachydermClient#status()}. Stateless. */
final class ClusterStatus {
  private ClusterStatus() {}

  /**
   * One read request to each peer's client port, in the peers' order. Blocking, one attempt per
   * node: a node that is down or starting shows as unreachable at once, with the failure as its
   * error, and nothing is logged by Ratis (its ordered async path logs every failure at ERROR).
   */
  static List<NodeView> of(EncodedOperations encoded, List<Peer> peers) {
    List<NodeView> views = new ArrayList<>();
    for (Peer peer : peers) {
      try {
        views.add(view(peer.id(), encoded.readStatus(peer.id())));
      } catch (Exception e) {
        views.add(NodeView.unreachable(peer.id(), String.valueOf(Futures.unwrap(e))));
      }
    }
    return views;
  }

  private static NodeView view(String nodeId, NodeStatus status) {
    return new NodeView(nodeId, true, status.getRole(), status.getLeaderId(), status.getCurrentTerm(),
        status.getCommitIndex(), status.getAppliedIndex(), status.getSnapshotIndex(),
        status.getEntities(), status.getPendingMessages(), status.getPendingEffects(), status.getDeadLetters(),
        status.getTimers(), status.getMessagesDelivered(), status.getTimersFired(), status.getLeaderReady(),
        status.getJournalEnabled() ? status.getJournalRecords() : -1,
        status.getJournalEnabled() ? status.getJournalIndex() : -1, status.getDigest(), checkpoints(status),
        status.getEffectsPaused(), "");
  }

  private static NavigableMap<Long, Long> checkpoints(NodeStatus status) {
    NavigableMap<Long, Long> m = new TreeMap<>();
    for (DigestCheckpoint c : status.getDigestCheckpointsList()) {
      m.put(c.getIndex(), c.getDigest());
    }
    return m;
  }
}
