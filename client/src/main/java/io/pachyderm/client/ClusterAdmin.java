package io.pachyderm.client;

import io.pachyderm.cluster.internal.RatisCluster;
import io.pachyderm.cluster.Transport;
import io.pachyderm.cluster.Peer;
import io.pachyderm.api.Futures;
import io.pachyderm.api.OutcomeUnknownException;
import io.pachyderm.api.PachydermException;
import io.pachyderm.client.internal.Connection;
import io.pachyderm.protocol.AdminAction;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.JournalCompaction;
import io.pachyderm.protocol.JournalCompactionReply;
import io.pachyderm.protocol.ReadRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;
import org.apache.ratis.util.TimeDuration;

/**
 * {@link Admin} over Ratis' admin API (snapshots, leadership) and Pachyderm's own requests (the
 * effects setting as a replicated write, journal compaction as a request to one node).
 *
 * <p>Its Ratis client is made on first use, never retries by itself (every call here names its
 * target node, and the loops below decide what to try again), and allows each call the whole
 * request timeout: a snapshot of a large state takes longer than the 3 s the entity client allows
 * a call. Thread-safe.
 */
final class ClusterAdmin implements Admin, AutoCloseable {
  /** Between looks at the nodes while waiting for a leader to appear. */
  private static final long POLL_MS = 50;

  private final List<Peer> peers;
  private final RaftGroup group;
  private final Transport transport;
  private final Parameters parameters;
  private final Duration requestTimeout;
  /** Writes the effects setting (its retry loop) and encodes read requests with the client's token. */
  private final Connection connection;
  /** Every node's status read (PachydermClient.status()). */
  private final java.util.function.Supplier<List<NodeView>> status;
  private RaftClient raft; // guarded by this
  private boolean closed; // guarded by this

  ClusterAdmin(Connection connection, java.util.function.Supplier<List<NodeView>> status) {
    this.peers = connection.peers();
    this.group = connection.group();
    this.transport = connection.transport();
    this.parameters = connection.parameters();
    this.requestTimeout = connection.requestTimeout();
    this.connection = connection;
    this.status = status;
  }

  // ---- snapshots -------------------------------------------------------------------------

  @Override
  public SnapshotTaken snapshot(String nodeId) {
    RaftPeerId id = member(nodeId);
    RaftClientReply reply;
    try {
      // force: a snapshot now, whatever the configured gap since the previous one.
      reply = raft().getSnapshotManagementApi(id).create(true, requestTimeout.toMillis());
    } catch (IOException | RuntimeException e) {
      throw failure("snapshot", nodeId, e);
    }
    if (!reply.isSuccess()) {
      throw refusedOrFailed("snapshot", nodeId, reply.getException());
    }
    if (reply.getLogIndex() < 1) {
      throw new AdminRefusedException("snapshot on node " + nodeId + " refused: it has applied nothing yet");
    }
    return new SnapshotTaken(nodeId, reply.getLogIndex());
  }

  // ---- leadership ------------------------------------------------------------------------

  @Override
  public LeaderChange transferLeadership(String nodeId) {
    RaftPeerId target = member(nodeId);
    long deadlineNs = System.nanoTime() + requestTimeout.toNanos();
    // An election under way (a node restarted a moment ago) ends within an election timeout: wait
    // for it up to the request timeout rather than refusing a transfer that would work a second later.
    Leader before = awaitLeader(deadlineNs, any -> true);
    if (before == null) {
      throw new AdminRefusedException("transfer of leadership to " + nodeId + " refused: no node reports itself "
          + "leader (waited " + requestTimeout.toMillis() + " ms), so there is nothing to transfer (an election is "
          + "under way or a majority is down; see 'pachyderm status')");
    }
    if (before.nodeId().equals(nodeId)) {
      return new LeaderChange(nodeId, before.term(), nodeId, before.term());
    }
    Leader via = before;
    while (true) {
      RaftClientReply reply = null;
      Exception failed;
      try {
        // Sent to the leader we found: without retries, the client's own guess could be a follower.
        reply = raft().admin().transferLeadership(target, RaftPeerId.valueOf(via.nodeId()), remainingMs(deadlineNs));
        failed = reply.isSuccess() ? null : reply.getException();
      } catch (IOException | RuntimeException e) {
        failed = e;
      }
      if (failed == null) {
        break;
      }
      // A target that restarted a moment ago: the leader's channel to it still reports the failure
      // from while it was down (gRPC's reconnect backoff), so the transfer fails at once. Ask again
      // until the request timeout; a leader that changed in between is asked instead.
      String what = "transfer of leadership to " + nodeId + " via leader";
      if (failure(what, via.nodeId(), failed) instanceof AdminRefusedException denied) {
        throw denied; // this caller may not administer: asking again changes nothing
      }
      if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(POLL_MS) >= deadlineNs) {
        throw reply == null ? failure(what, via.nodeId(), failed) : refusedOrFailed(what, via.nodeId(), failed);
      }
      sleepPoll();
      Leader now = leader();
      if (now != null && now.nodeId().equals(nodeId)) {
        return new LeaderChange(before.nodeId(), before.term(), nodeId, now.term());
      }
      if (now != null) {
        via = now;
      }
    }
    // A later term too: the new leader's first entry, so its term is the one it leads in.
    Leader after = awaitLeader(deadlineNs, l -> l.nodeId().equals(nodeId) && l.term() > before.term());
    if (after == null) {
      throw new OutcomeUnknownException("leadership transfer to " + nodeId + " was accepted by " + before.nodeId()
          + ", but " + nodeId + " did not report itself leader within the request timeout (" + requestTimeout
          + "); see 'pachyderm status'");
    }
    return new LeaderChange(before.nodeId(), before.term(), after.nodeId(), after.term());
  }

  @Override
  public LeaderChange stepDown() {
    long deadlineNs = System.nanoTime() + requestTimeout.toNanos();
    Leader before = leader();
    if (before == null) {
      throw new AdminRefusedException("step-down refused: no node reports itself leader, so none can step down (an "
          + "election is under way or a majority is down; see 'pachyderm status')");
    }
    RaftClientReply reply;
    try {
      // transferLeadership to no one is Ratis' step-down (RaftServerImpl.stepDownLeaderAsync).
      reply = raft().admin().transferLeadership(null, RaftPeerId.valueOf(before.nodeId()), remainingMs(deadlineNs));
    } catch (IOException | RuntimeException e) {
      throw failure("step-down of leader", before.nodeId(), e);
    }
    if (!reply.isSuccess()) {
      if (reply.getException() instanceof NotLeaderException) {
        throw new AdminRefusedException("step-down refused: " + before.nodeId() + " stopped leading before it was "
            + "asked (" + reply.getException().getMessage() + "); nothing was changed by this request");
      }
      throw refusedOrFailed("step-down of leader", before.nodeId(), reply.getException());
    }
    Leader after = awaitLeader(deadlineNs, l -> l.term() > before.term());
    if (after == null) {
      throw new OutcomeUnknownException(before.nodeId() + " stepped down, but no leader of a later term than "
          + before.term() + " appeared within the request timeout (" + requestTimeout + "); see 'pachyderm status'");
    }
    return new LeaderChange(before.nodeId(), before.term(), after.nodeId(), after.term());
  }

  private static void sleepPoll() {
    try {
      Thread.sleep(POLL_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PachydermException("interrupted while waiting for the leader", e);
    }
  }

  /** A node that reports itself leader, with its current term. */
  private record Leader(String nodeId, long term) {}

  /**
   * The leader of the highest term among the nodes that answer now, or null when none leads. Read
   * over the client ports (the status read), so it works where the admin ports (loopback by
   * default) of the other nodes cannot be reached.
   */
  private Leader leader() {
    Leader best = null;
    for (NodeView view : status.get()) {
      if (view.reachable() && "LEADER".equals(view.role()) && (best == null || view.term() > best.term())) {
        best = new Leader(view.nodeId(), view.term());
      }
    }
    return best;
  }

  private Leader awaitLeader(long deadlineNs, java.util.function.Predicate<Leader> wanted) {
    while (true) {
      Leader now = leader();
      if (now != null && wanted.test(now)) {
        return now;
      }
      if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(POLL_MS) >= deadlineNs) {
        return null;
      }
      sleepPoll();
    }
  }

  // ---- effects ---------------------------------------------------------------------------

  @Override
  public boolean pauseEffects() {
    return effects(AdminAction.newBuilder().setPauseEffects(true).build(), "pause of at-least-once effects");
  }

  @Override
  public boolean resumeEffects() {
    return effects(AdminAction.newBuilder().setResumeEffects(true).build(), "resume of at-least-once effects");
  }

  private boolean effects(AdminAction action, String what) {
    return Futures.join(connection.writeWork(CommandBatch.newBuilder().setAdminAction(action).build().toByteArray(),
        what));
  }

  // ---- journal ---------------------------------------------------------------------------

  @Override
  public JournalCompacted compactJournal(String nodeId) {
    RaftPeerId id = member(nodeId);
    Message request = connection.message(
        ReadRequest.newBuilder().setCompactJournal(JournalCompaction.getDefaultInstance()).build().toByteArray());
    JournalCompactionReply reply;
    try {
      // A stale read: served by that node's state machine whatever its role, and not replicated.
      RaftClientReply raw = raft().io().sendStaleRead(request, 0, id);
      if (!raw.isSuccess()) {
        throw refusedOrFailed("journal compaction", nodeId, raw.getException());
      }
      reply = JournalCompactionReply.parseFrom(io.pachyderm.client.internal.ReadFailures.result(
          raw.getMessage().getContent().asReadOnlyByteBuffer()));
    } catch (PachydermException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw failure("journal compaction", nodeId, e);
    }
    if (!reply.getJournalEnabled()) {
      throw new AdminRefusedException("journal compaction on node " + nodeId + " refused: the node keeps no event "
          + "journal (started with --no-journal); nothing to compact");
    }
    if (reply.getRetainedCyclesMax() == 0) {
      throw new AdminRefusedException("journal compaction on node " + nodeId + " refused: its journal retention keeps "
          + "every file forever (the default), so nothing may be deleted; to keep only the newest N files of its "
          + "--journal-roll (" + reply.getRollCycle().toLowerCase(java.util.Locale.ROOT) + "), restart it with "
          + "--journal-retain N (from code: JournalOptions.builder().retainedCyclesMax(N))");
    }
    return new JournalCompacted(nodeId, reply.getDeletedFilesList(), reply.getDeletedBytes(), reply.getKeptFiles(),
        reply.getRecords(), reply.getRetainedCyclesMax(), reply.getRollCycle());
  }

  // ---- common ----------------------------------------------------------------------------

  /** The id as Ratis names it; an id that is not a member is bad input naming the members. */
  private RaftPeerId member(String nodeId) {
    if (nodeId == null || nodeId.isBlank()) {
      throw new IllegalArgumentException("a node id is needed; members: " + memberIds());
    }
    for (Peer p : peers) {
      if (p.id().equals(nodeId)) {
        return RaftPeerId.valueOf(nodeId);
      }
    }
    throw new IllegalArgumentException("unknown node '" + nodeId + "'; the members are " + memberIds());
  }

  private String memberIds() {
    List<String> ids = new ArrayList<>();
    for (Peer p : peers) {
      ids.add(p.id());
    }
    return String.join(", ", ids);
  }

  private long remainingMs(long deadlineNs) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
  }

  /** The node's own refusal (PERMISSION_DENIED or UNAUTHENTICATED under mutual TLS), or a failure. */
  private static PachydermException failure(String what, String nodeId, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException s && (s.getStatus().getCode() == Status.Code.PERMISSION_DENIED
          || s.getStatus().getCode() == Status.Code.UNAUTHENTICATED)) {
        return new AdminRefusedException(what + " refused by node " + nodeId + ": " + s.getStatus().getDescription(),
            e);
      }
    }
    return new PachydermException(what + " on node " + nodeId + " failed: " + e, e);
  }

  /**
   * An exception a node put in its reply: Ratis refusing the action (not leader, a reconfiguration
   * or snapshot installation in progress, the target not in the configuration) is a refusal; our
   * state machine failing is a failure.
   */
  private static PachydermException refusedOrFailed(String what, String nodeId, Throwable e) {
    if (e == null) {
      return new PachydermException(what + " on node " + nodeId + " failed without a reason");
    }
    if (e instanceof org.apache.ratis.protocol.exceptions.RaftException
        && !(e instanceof org.apache.ratis.protocol.exceptions.StateMachineException)) {
      return new AdminRefusedException(what + " refused by node " + nodeId + ": " + e.getMessage(), e);
    }
    return failure(what, nodeId, e);
  }

  private synchronized RaftClient raft() {
    if (closed) {
      throw new IllegalStateException("the client is closed");
    }
    if (raft == null) {
      RaftProperties properties = new RaftProperties();
      RaftConfigKeys.Rpc.setType(properties, RatisCluster.rpcType(transport));
      RaftClientConfigKeys.Rpc.setRequestTimeout(properties,
          TimeDuration.valueOf(requestTimeout.toMillis(), TimeUnit.MILLISECONDS));
      raft = RaftClient.newBuilder().setProperties(properties).setParameters(parameters).setRaftGroup(group)
          .setClientId(ClientId.randomId()).setRetryPolicy(RetryPolicies.noRetry()).build();
    }
    return raft;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (raft != null) {
      try {
        raft.close();
      } catch (IOException e) {
        throw new PachydermException("closing the admin client failed: " + e.getMessage(), e);
      }
    }
  }
}
