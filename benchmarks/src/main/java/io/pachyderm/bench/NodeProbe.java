package io.pachyderm.bench;

import io.pachyderm.cluster.internal.RatisCluster;
import io.pachyderm.node.PachydermNode;
import java.io.IOException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.metrics.RaftLogMetrics;
import org.apache.ratis.server.metrics.RaftLogMetricsBase;

/**
 * Reads a node's Raft term and log counters through Ratis, in the group every node of cluster
 * {@code clusterName} derives. Every method answers -1 when the node cannot tell (closing, not
 * started, another metrics implementation).
 */
final class NodeProbe {
  private NodeProbe() {}

  static long term(PachydermNode node, String clusterName) {
    RaftServer.Division division = division(node, clusterName);
    return division == null ? -1 : division.getInfo().getCurrentTerm();
  }

  /**
   * Committed log entries that carry a state machine payload, i.e. Pachyderm batches. The
   * applied index would overcount: the leader also appends a metadata entry whenever the commit
   * index moves, which on a busy cluster is about as often as a batch.
   */
  static long committedBatches(PachydermNode node, String clusterName) {
    RaftServer.Division division = division(node, clusterName);
    if (division == null) {
      return -1;
    }
    RaftLogMetrics metrics = division.getRaftLog().getRaftLogMetrics();
    if (!(metrics instanceof RaftLogMetricsBase base)) {
      return -1;
    }
    return base.getRegistry().counter(RaftLogMetricsBase.STATE_MACHINE_LOG_ENTRY_COUNT).getCount();
  }

  private static RaftServer.Division division(PachydermNode node, String clusterName) {
    try {
      return io.pachyderm.node.internal.NodeInternals.raftServer(node).getDivision(RatisCluster.groupId(clusterName));
    } catch (IOException e) {
      return null;
    }
  }
}
