package io.pachyderm.node.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.pachyderm.node.settings.QueueLimits;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.CommandBatch;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * Proposes the leader's own work (deliveries, timer fires, effect reports) to this node's Raft
 * server under an identity of its own; such batches from any other client are refused. Any thread.
 */
final class InternalProposer implements AutoCloseable {
  private final String nodeId;
  private final Supplier<RaftServer> server;
  private final Supplier<RaftServer.Division> division;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  // Ratis runs startTransaction (handle, lane waits) on the submitting thread before it returns
  // the future; proposing from here keeps the leader work loop free while that happens.
  private final ExecutorService proposer;

  /**
   * @param server the server to propose to, null before the state machine is initialized
   * @param division this node's division of it, null likewise
   */
  InternalProposer(String nodeId, QueueLimits queueLimits, Supplier<RaftServer> server,
                   Supplier<RaftServer.Division> division) {
    this.nodeId = nodeId;
    this.server = server;
    this.division = division;
    this.proposer = io.pachyderm.cluster.internal.BoundedExecutor.fixed("pachyderm-propose", 3,
        queueLimits.proposalsQueuedMax(), "proposalsQueuedMax", "internal proposal on " + nodeId);
  }

  /** Whether {@code id} is this proposer's: only it may propose internal work. */
  boolean isInternal(ClientId id) {
    return clientId.equals(id);
  }

  CompletableFuture<BatchReply> submit(CommandBatch batch) {
    RaftServer s = server.get();
    RaftServer.Division d = division.get();
    if (s == null || d == null) {
      return CompletableFuture.failedFuture(new IllegalStateException(nodeId + " is not initialized"));
    }
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(s.getId())
        .setGroupId(d.getGroup().getGroupId())
        .setCallId(callIds.incrementAndGet())
        .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(batch.toByteArray())))
        .setType(RaftClientRequest.writeRequestType())
        .build();
    CompletableFuture<CompletableFuture<RaftClientReply>> proposed;
    try {
      proposed = CompletableFuture.supplyAsync(() -> {
        try {
          return s.submitClientRequestAsync(request);
        } catch (IOException e) {
          throw new CompletionException(e);
        }
      }, proposer);
    } catch (RuntimeException e) { // proposalsQueuedMax reached (the work loop tries again later), or closed
      return CompletableFuture.failedFuture(e);
    }
    return proposed.thenCompose(f -> f).thenApply(reply -> {
      if (!reply.isSuccess()) {
        throw new CompletionException(reply.getException());
      }
      try {
        return BatchReply.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
      } catch (InvalidProtocolBufferException e) {
        throw new CompletionException(e);
      }
    });
  }

  @Override
  public void close() {
    proposer.shutdownNow();
  }
}
