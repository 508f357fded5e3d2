package io.pachyderm.node;

import io.pachyderm.cluster.internal.RatisCluster;
import io.pachyderm.cluster.Peer;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.CommandBatch;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

/** Sends hand-built batches, so tests control request ids and payload bytes. */
final class RawClient implements AutoCloseable {
  private final RaftClient raft;

  RawClient(List<Peer> peers) {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    raft = RaftClient.newBuilder()
        .setProperties(p)
        .setRaftGroup(RatisCluster.group((String) null, peers))
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(100, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
        .build();
  }

  BatchReply send(Command... commands) throws Exception {
    CommandBatch batch = CommandBatch.newBuilder().addAllCommands(List.of(commands)).build();
    RaftClientReply reply = raft.io().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(batch.toByteArray())));
    if (!reply.isSuccess()) {
      throw reply.getException();
    }
    return BatchReply.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
  }

  @Override
  public void close() throws IOException {
    raft.close();
  }
}
