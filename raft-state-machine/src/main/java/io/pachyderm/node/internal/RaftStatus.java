package io.pachyderm.node.internal;

import io.pachyderm.protocol.DigestCheckpoint;
import io.pachyderm.protocol.NodeStatus;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;

/**
 * The part of a node's status the Ratis side knows: role, term, commit index and known leader as
 * the division reports them now, the applied index with its digest and checkpoints, the latest
 * snapshot, and whether the leader's work loop runs. Any thread.
 */
final class RaftStatus implements Supplier<NodeStatus.Builder> {
  private final Supplier<RaftServer.Division> division;
  private final DigestPublisher digests;
  private final LongSupplier snapshotIndex;
  private final BooleanSupplier leaderReady;

  /** @param division this node's division, null before the state machine is initialized */
  RaftStatus(Supplier<RaftServer.Division> division, DigestPublisher digests, LongSupplier snapshotIndex,
             BooleanSupplier leaderReady) {
    this.division = division;
    this.digests = digests;
    this.snapshotIndex = snapshotIndex;
    this.leaderReady = leaderReady;
  }

  @Override
  public NodeStatus.Builder get() {
    // The applied index is the digest's own: both are published together after each index.
    EntityStateMachine.DigestAt at = digests.published();
    TermIndex applied = at.applied();
    NodeStatus.Builder b = NodeStatus.newBuilder();
    raftView(b);
    b.setAppliedIndex(Math.max(0, applied.getIndex()))
        .setAppliedTerm(Math.max(0, applied.getTerm()))
        .setDigest(at.digest());
    digests.checkpoints().forEach((index, digest) ->
        b.addDigestCheckpoints(DigestCheckpoint.newBuilder().setIndex(index).setDigest(digest)));
    return b.setSnapshotIndex(snapshotIndex.getAsLong()).setLeaderReady(leaderReady.getAsBoolean());
  }

  private void raftView(NodeStatus.Builder b) {
    RaftServer.Division d = division.get();
    if (d == null) {
      return;
    }
    var info = d.getInfo();
    b.setRole(info.getCurrentRole().name())
        .setCurrentTerm(info.getCurrentTerm())
        .setCommitIndex(Math.max(0, d.getRaftLog().getLastCommittedIndex()));
    var leader = d.getInfo().isLeader() ? d.getId() : info.getLeaderId();
    if (leader != null) {
      b.setLeaderId(leader.toString());
    }
  }
}
