package io.pachyderm.bench;

import io.pachyderm.node.PachydermNode;
import java.io.IOException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.metrics.RaftLogMetrics;
import org.apache.ratis.server.metrics.RaftLogMetricsBase;

/**
 * Reads a node's Raft term and log counters through Ratis, in the one group the node serves (its
 * id derived from the cluster name or the peer list: asking the server for it rather than deriving
 * it again keeps this right whichever the node was given). Every method answers -1 when the node
 * cannot tell (closing, not started, another metrics implementation).
 */
final class NodeProbe {
  private NodeProbe() {}

  static long term(PachydermNode node) {
    RaftServer.Division division = division(node);
    return division == null ? -1 : division.getInfo().getCurrentTerm();
  }

  /**
   * Committed log entries that carry a state machine payload, i.e. Pachyderm batches. The
   * applied index would overcount: the leader also appends a metadata entry whenever the commit
   * index moves, which on a busy cluster is about as often as a batch.
   */
  static long committedBatches(PachydermNode node) {
    RaftServer.Division division = division(node);
    if (division == null) {
      return -1;
    }
    RaftLogMetrics metrics = division.getRaftLog().getRaftLogMetrics();
    if (!(metrics instanceof RaftLogMetricsBase base)) {
      return -1;
    }
    return base.getRegistry().counter(RaftLogMetricsBase.STATE_MACHINE_LOG_ENTRY_COUNT).getCount();
  }

  private static RaftServer.Division division(PachydermNode node) {
    try {
      RaftServer server = io.pachyderm.node.internal.NodeInternals.raftServer(node);
      var groups = server.getGroupIds().iterator();
      return groups.hasNext() ? server.getDivision(groups.next()) : null;
    } catch (IOException e) {
      return null;
    }
  }
}
