package io.pachyderm.client.internal;

import io.pachyderm.cluster.ClusterMismatchException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.GroupListReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;

/**
 * Turns Ratis' "group-X not found" into an error naming both cluster ids: the node's, asked with
 * Ratis' group list call, and this client's. Ratis names only the id the node does not serve.
 */
final class ClusterMismatch {
  private ClusterMismatch() {}

  static ClusterMismatchException of(RaftClient raft, GroupMismatchException e) {
    RaftGroupId ours = raft.getGroupId();
    String message = String.valueOf(e.getMessage());
    // Ratis' message starts with the refusing server's id: "n1: group-... not found."
    String server = message.contains(":") ? message.substring(0, message.indexOf(':')).trim() : "";
    List<String> theirs = new ArrayList<>();
    String node = server.isEmpty() ? "a node" : "node " + server;
    if (!server.isEmpty()) {
      try {
        GroupListReply reply = raft.getGroupManagementApi(org.apache.ratis.protocol.RaftPeerId.valueOf(server)).list();
        for (RaftGroupId id : reply.getGroupIds()) {
          theirs.add(id.getUuid().toString());
        }
      } catch (IOException | RuntimeException askFailed) {
        theirs.add("unknown (" + askFailed.getMessage() + ")");
      }
    }
    return new ClusterMismatchException(node + " serves cluster " + (theirs.isEmpty() ? "unknown" : String.join(", ",
        theirs)) + ", not this client's cluster " + ours.getUuid() + ": the peer list names another cluster's "
        + "nodes, or the client needs the cluster's id (clusterId, --cluster-id) because its peer list is not the "
        + "cluster's initial one; nothing was applied", e);
  }
}
