package io.pachyderm.node.internal;

import io.pachyderm.node.status.NodeHealth;
import java.io.IOException;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.LifeCycle;

/**
 * Liveness and readiness of a node, as a Kubernetes probe wants them: cheap (no RPC, no lock the
 * apply thread holds), answered from the node's own Raft state.
 *
 * <p>Ready means "this node can serve now": a leader is known <em>and</em> has been heard from
 * within {@code leaderSilenceMsMax} (Ratis keeps a dead leader's id until an election replaces
 * it, so the id alone would report ready for a whole election timeout after a leader dies); on
 * the leader itself, a majority of the group has answered within that bound (a leader cut off from
 * the others cannot commit); and the applied index is within {@code applyLagEntriesMax} of the
 * commit index (a node replaying a long log serves stale reads and slow writes).
 *
 * <p>Thread-safe.
 */
public final class HealthCheck {
  private final RaftServer server;
  private final RaftGroupId groupId;
  private final EntityStateMachine stateMachine;
  private final long applyLagEntriesMax;
  private final long leaderSilenceMsMax;

  public HealthCheck(RaftServer server, RaftGroupId groupId, EntityStateMachine stateMachine,
                     long applyLagEntriesMax, long leaderSilenceMsMax) {
    this.server = server;
    this.groupId = groupId;
    this.stateMachine = stateMachine;
    this.applyLagEntriesMax = applyLagEntriesMax;
    this.leaderSilenceMsMax = leaderSilenceMsMax;
  }

  public NodeHealth check() {
    String fatal = stateMachine.failStop().failure();
    if (fatal != null) {
      // Checked first: after a fail-stop the Raft server may be closing and its state says little.
      return new NodeHealth(false, false, "stopped after a fatal error (fail-stop): " + fatal, "", "", 0, -1,
          stateMachine.appliedIndex(), applyLagEntriesMax);
    }
    RaftServer.Division division;
    try {
      division = server.getDivision(groupId);
    } catch (IOException | RuntimeException notLoaded) {
      return new NodeHealth(false, false, "the Raft group is not loaded: " + notLoaded.getMessage(), "", "", 0, -1,
          -1, applyLagEntriesMax);
    }
    DivisionInfo info = division.getInfo();
    long commit = division.getRaftLog().getLastCommittedIndex();
    long applied = stateMachine.appliedIndex();
    RaftPeerId leader = info.getLeaderId();
    String role = info.getCurrentRole().name();
    String leaderId = leader == null ? "" : leader.toString();
    long term = info.getCurrentTerm();
    String dead = notLive(info);
    if (dead != null) {
      return new NodeHealth(false, false, dead, role, leaderId, term, commit, applied, applyLagEntriesMax);
    }
    String notReady = notReady(info, leader, commit, applied);
    return new NodeHealth(true, notReady == null, notReady == null ? "" : notReady, role, leaderId, term, commit,
        applied, applyLagEntriesMax);
  }

  private String notLive(DivisionInfo info) {
    if (!info.isAlive()) {
      return "the Raft server is " + info.getLifeCycleState();
    }
    LifeCycle.State sm = stateMachine.getLifeCycleState();
    if (sm == LifeCycle.State.EXCEPTION || sm == LifeCycle.State.CLOSING || sm == LifeCycle.State.CLOSED) {
      return "the state machine is " + sm;
    }
    if (stateMachine.applyThreadDied()) {
      return "the apply thread has died";
    }
    return null;
  }

  private String notReady(DivisionInfo info, RaftPeerId leader, long commit, long applied) {
    if (leader == null) {
      return "no leader known (" + info.getCurrentRole() + " in term " + info.getCurrentTerm() + ")";
    }
    RoleInfoProto role = info.getRoleInfoProto();
    if (info.isLeader()) {
      if (!info.isLeaderReady()) {
        return "leader in term " + info.getCurrentTerm() + " still applying earlier terms' entries";
      }
      int heard = 1; // itself
      int members = 1;
      for (ServerRpcProto follower : role.getLeaderInfo().getFollowerInfoList()) {
        members++;
        if (follower.getLastRpcElapsedTimeMs() <= leaderSilenceMsMax) {
          heard++;
        }
      }
      if (2 * heard <= members) {
        return "leader heard from only " + heard + " of " + members + " members within " + leaderSilenceMsMax + " ms";
      }
    } else if (role.hasFollowerInfo() && role.getFollowerInfo().hasLeaderInfo()) {
      long silentMs = role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs();
      if (silentMs > leaderSilenceMsMax) {
        return "leader " + leader + " not heard from for " + silentMs + " ms (bound " + leaderSilenceMsMax + " ms)";
      }
    }
    long lag = commit - applied;
    if (lag > applyLagEntriesMax) {
      return "applied index " + applied + " is " + lag + " entries behind commit index " + commit + " (bound "
          + applyLagEntriesMax + ")";
    }
    return null;
  }
}
