package io.pachyderm.chaos.nodes;

import io.pachyderm.client.ClusterIdentity;
import io.pachyderm.client.Peer;
import io.pachyderm.protocol.NodeStatus;
import io.pachyderm.protocol.ReadRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.thirdparty.com.google.protobuf.InvalidProtocolBufferException;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

/**
 * Reads one node's whole {@code NodeStatus} with a stale read addressed to that node, the way
 * {@code PachydermClient.status()} does, for the counters that {@code NodeView} does not carry
 * (pending messages and effects, dead letters). The chaos nodes use the defaults: cluster name
 * {@value #CLUSTER_NAME}, gRPC.
 *
 * <p>One Ratis client per read: a client whose request to a dead or paused node failed may have
 * closed its window for good (see {@code ClientSource}), and these reads are rare (a few per
 * second while the harness waits). Thread-safe.
 */
final class StatusReader {
  static final String CLUSTER_NAME = "pachyderm";
  private static final Message STATUS_REQUEST = Message.valueOf(UnsafeByteOperations.unsafeWrap(
      ReadRequest.newBuilder().setStatus(true).build().toByteArray()));

  private final List<Peer> peers;
  private final RaftProperties properties = new RaftProperties();

  StatusReader(List<Peer> peers, Duration timeout) {
    this.peers = List.copyOf(peers);
    RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.GRPC);
    RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(timeout.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** {@code nodeId}'s counters, or unreachable when it does not answer within {@code timeout}. */
  OutboxStatus read(String nodeId, Duration timeout) {
    try (RaftClient raft = RaftClient.newBuilder()
        .setProperties(properties)
        .setRaftGroup(ClusterIdentity.group(CLUSTER_NAME, peers))
        .setClientId(ClientId.randomId())
        .setRetryPolicy(RetryPolicies.noRetry())
        .build()) {
      RaftClientReply reply = raft.async().sendStaleRead(STATUS_REQUEST, 0, RaftPeerId.valueOf(nodeId))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!reply.isSuccess()) {
        return OutboxStatus.unreachable(nodeId, String.valueOf(reply.getException()));
      }
      NodeStatus s = NodeStatus.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
      return new OutboxStatus(nodeId, true, s.getAppliedIndex(), s.getPendingMessages(), s.getPendingEffects(),
          s.getDeadLetters(), s.getMessagesDelivered(), "");
    } catch (TimeoutException e) {
      return OutboxStatus.unreachable(nodeId, "no answer within " + timeout);
    } catch (ExecutionException e) {
      return OutboxStatus.unreachable(nodeId, String.valueOf(e.getCause()));
    } catch (InvalidProtocolBufferException e) {
      return OutboxStatus.unreachable(nodeId, "undecodable NodeStatus: " + e.getMessage());
    } catch (IOException e) {
      return OutboxStatus.unreachable(nodeId, "closing the status client failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OutboxStatus.unreachable(nodeId, "interrupted");
    }
  }
}
