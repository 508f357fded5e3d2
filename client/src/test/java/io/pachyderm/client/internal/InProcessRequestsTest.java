package io.pachyderm.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

/**
 * The in-process path of {@link RaftRequests} (LocalPachyderm's): each write and read becomes one
 * Ratis request of the right type for the node's group, with its own call id, handed to the
 * server; the reply reaches the caller on the client's reply threads, never on the server's thread
 * that completed it; requests to another peer still go over the network.
 */
class InProcessRequestsTest {
  private static final RaftGroupId GROUP = RaftGroupId.randomId();
  private static final RaftPeerId NODE = RaftPeerId.valueOf("local");

  /** A server that records requests and answers each on a thread of its own, named "server". */
  private static final class RecordingServer implements RaftClientAsynchronousProtocol {
    final List<RaftClientRequest> requests = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<RaftClientReply> submitClientRequestAsync(RaftClientRequest request) {
      requests.add(request);
      CompletableFuture<RaftClientReply> reply = new CompletableFuture<>();
      Thread t = new Thread(() -> reply.complete(RaftClientReply.newBuilder().setRequest(request).setSuccess()
          .setMessage(request.getMessage()).setLogIndex(request.getCallId()).build()), "server");
      t.start();
      return reply;
    }
  }

  @Test
  void writesAndReadsBecomeRequestsToTheNodeAndRepliesLeaveTheServersThread() throws Exception {
    RecordingServer server = new RecordingServer();
    try (RaftRequests requests = new RaftRequests(null, 4, 16, new InProcessServer(server, NODE), GROUP)) {
      Message m = Message.valueOf("batch");
      List<String> replyThreads = new CopyOnWriteArrayList<>();
      Delivery delivery = new Delivery(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
      RaftClientReply w = requests.write(m, delivery)
          .whenComplete((r, e) -> replyThreads.add(Thread.currentThread().getName())).get(5, TimeUnit.SECONDS);
      assertThat(delivery.settled()).as("the write's delivery is settled with its reply").isDone();
      assertThat(delivery.certainlyNotSent()).isFalse();
      RaftClientReply lr = requests.leaderRead(m).get(5, TimeUnit.SECONDS);
      RaftClientReply sr = requests.staleRead(m, NODE).get(5, TimeUnit.SECONDS);
      assertThat(List.of(w, lr, sr)).allMatch(RaftClientReply::isSuccess);
      assertThat(w.getMessage().getContent().toStringUtf8()).isEqualTo("batch");
      assertThat(replyThreads).containsExactly("pachyderm-client-reply");

      assertThat(server.requests).hasSize(3);
      assertThat(server.requests).allSatisfy(r -> {
        assertThat(r.getRaftGroupId()).isEqualTo(GROUP);
        assertThat(r.getServerId()).isEqualTo(NODE);
      });
      assertThat(server.requests.get(0).is(org.apache.ratis.proto.RaftProtos.RaftClientRequestProto.TypeCase.WRITE))
          .isTrue();
      assertThat(server.requests.get(1).is(org.apache.ratis.proto.RaftProtos.RaftClientRequestProto.TypeCase.READ))
          .isTrue();
      assertThat(server.requests.get(2).is(org.apache.ratis.proto.RaftProtos.RaftClientRequestProto.TypeCase.STALEREAD))
          .isTrue();
      assertThat(server.requests.stream().map(RaftClientRequest::getCallId).distinct()).hasSize(3);
      ClientId client = server.requests.get(0).getClientId();
      assertThat(server.requests).allSatisfy(r -> assertThat(r.getClientId()).isEqualTo(client));

      assertThat(requests.inProcess(NODE)).isTrue();
      assertThat(requests.inProcess(RaftPeerId.valueOf("n2"))).isFalse();
    }
  }

  @Test
  void aServerThatThrowsFailsTheRequestWithItsException() throws Exception {
    RaftClientAsynchronousProtocol down = request -> {
      throw new java.io.IOException("server closed");
    };
    try (RaftRequests requests = new RaftRequests(null, 1, 1, new InProcessServer(down, NODE), GROUP)) {
      CompletableFuture<RaftClientReply> f = requests.leaderRead(Message.valueOf("x"));
      assertThat(f).failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .havingCause().isInstanceOf(java.io.IOException.class).withMessage("server closed");
    }
  }
}
