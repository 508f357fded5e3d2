package io.pachyderm.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.server.RaftServer;

/**
 * The calls {@link PachydermNode}'s public operations make into its Ratis server (split out of the
 * node): leadership as Raft's division sees it now, and a snapshot requested through Ratis' snapshot
 * management so that Ratis takes it on the apply thread (see {@link PachydermNode#takeSnapshot()}
 * for the race this avoids). Everything else the node answers from its state machine or parts.
 *
 * <p>Thread-safe: Ratis' division info and snapshot management are called from any thread.
 */
final class RaftDivisionCalls {
  private final String nodeId;
  private final RaftServer server;
  private final RaftGroup group;

  RaftDivisionCalls(String nodeId, RaftServer server, RaftGroup group) {
    this.nodeId = nodeId;
    this.server = server;
    this.group = group;
  }

  /** Whether this node is currently the leader; false while the division cannot be read. */
  boolean isLeader() {
    try {
      return server.getDivision(group.getGroupId()).getInfo().isLeader();
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether this node is leader and has applied every earlier-term entry; false while the division cannot be read. */
  boolean isReadyLeader() {
    try {
      var info = server.getDivision(group.getGroupId()).getInfo();
      return info.isLeader() && info.isLeaderReady();
    } catch (IOException e) {
      return false;
    }
  }

  /** See {@link PachydermNode#takeSnapshot()}. */
  long takeSnapshot(long timeoutMs) {
    SnapshotManagementRequest request = SnapshotManagementRequest.newCreate(ClientId.randomId(), server.getId(),
        group.getGroupId(), 0, timeoutMs, 1);
    RaftClientReply reply;
    try {
      reply = server.snapshotManagement(request);
    } catch (IOException e) {
      throw new UncheckedIOException("node " + nodeId + ": snapshot failed", e);
    }
    if (!reply.isSuccess()) {
      throw new UncheckedIOException("node " + nodeId + ": snapshot failed", reply.getException() != null
          ? new IOException(reply.getException()) : new IOException("Ratis refused the snapshot: " + reply));
    }
    return reply.getLogIndex();
  }
}
