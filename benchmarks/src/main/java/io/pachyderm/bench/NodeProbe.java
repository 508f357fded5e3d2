package io.pachyderm.bench;

import io.pachyderm.client.ClusterIdentity;
import io.pachyderm.node.PachydermNode;
import java.io.IOException;

/** Reads a node's Raft term; the group id is the one every node of cluster "pachyderm" derives. */
final class NodeProbe {
  private NodeProbe() {}

  /** The node's current term, or -1 when its division cannot be read (closing, not started). */
  static long term(PachydermNode node) {
    try {
      return node.raftServer().getDivision(ClusterIdentity.groupId("pachyderm")).getInfo().getCurrentTerm();
    } catch (IOException e) {
      return -1;
    }
  }
}
