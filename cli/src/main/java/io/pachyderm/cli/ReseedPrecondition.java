package io.pachyderm.cli;

import io.pachyderm.client.NodeView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What must hold before {@code pachyderm reseed} empties a node's log: every other node is up and
 * has applied what the leader had committed. Why: until the re-seeded node has installed a
 * snapshot its log is empty, so it votes for any candidate; with a node that lagged behind the
 * commit index it would make a majority of three that could elect a leader missing committed
 * entries. A node that is up and has applied the leader's commit index holds every entry committed
 * so far, and while the re-seeded node is down nothing commits without the others.
 *
 * <p>At most one node may be unreachable (the stopped one being re-seeded); a lagging node gets
 * {@code waitMax} to catch up.
 */
final class ReseedPrecondition {
  /** Between two status rounds while a node catches up. */
  static final long POLL_MS = 200;

  private ReseedPrecondition() {
  }

  /**
   * Null when the cluster may lose this node's log safely, else why not (a sentence naming the
   * nodes). {@code status} is one status round ({@code PachydermClient.status()}).
   */
  static String whyNot(Supplier<List<NodeView>> status, Duration waitMax) throws InterruptedException {
    long deadlineNs = System.nanoTime() + waitMax.toNanos();
    List<NodeView> nodes = status.get();
    List<String> down = new ArrayList<>();
    NodeView leader = null;
    for (NodeView n : nodes) {
      if (!n.reachable()) {
        down.add(n.nodeId());
      } else if ("LEADER".equals(n.role()) && (leader == null || n.term() > leader.term())) {
        leader = n;
      }
    }
    if (down.size() > 1) {
      return down.size() + " nodes do not answer (" + String.join(", ", down) + "): a node that is down may lack"
          + " committed entries, and this node's emptied log would vote for it; start them first (re-seed one"
          + " node at a time, with every other node up)";
    }
    if (leader == null) {
      return "no node answers as leader: the others must have elected one (and applied what it committed)"
          + " before this node's log is emptied";
    }
    long committed = leader.commitIndex();
    while (true) {
      List<String> behind = new ArrayList<>();
      for (NodeView n : nodes) {
        if (n.reachable() && n.appliedIndex() < committed) {
          behind.add(n.nodeId() + " has applied up to " + n.appliedIndex());
        }
      }
      if (behind.isEmpty()) {
        return null;
      }
      if (System.nanoTime() - deadlineNs >= 0) {
        return String.join(", ", behind) + ", the leader " + leader.nodeId() + " committed " + committed
            + ": a node behind the commit index may lack committed entries; wait until it has caught up"
            + " ('pachyderm status') and run this again";
      }
      Thread.sleep(POLL_MS);
      nodes = status.get();
    }
  }
}
