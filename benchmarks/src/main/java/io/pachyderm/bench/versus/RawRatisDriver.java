package io.pachyderm.bench.versus;

import io.pachyderm.cluster.Peer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The raw-Ratis baseline's client: one {@link RaftClient} per caller (as in Ratis' counter
 * example, N async clients), each sending its increment asynchronously and waiting for the reply,
 * which comes once the entry is committed on a majority and applied on the leader. One request is
 * one log entry. A client per caller, not one shared: a Ratis client's async requests are ordered,
 * so one slow request would hold back the replies of every other caller sharing the client.
 */
final class RawRatisDriver implements Driver {
  /** Ratis' client retries on its own (leader changes); a call waits this long at most. */
  static final long CALL_TIMEOUT_MS = 30_000;

  private final RaftClient[] clients;
  private final byte[] payload;
  private final AtomicInteger nextClient = new AtomicInteger();

  RawRatisDriver(List<Peer> peers, int callers, byte[] payload) {
    this.clients = new RaftClient[callers];
    for (int c = 0; c < callers; c++) {
      // The client needs only the transport and the group from the properties.
      clients[c] = RaftClient.newBuilder()
          .setProperties(RawRatis.properties(peers.get(0), Path.of("unused-by-the-client")))
          .setRaftGroup(RawRatis.group(peers))
          .build();
    }
    this.payload = payload.clone();
  }

  @Override
  public int update(int caller, int key) throws Exception {
    RaftClientReply reply = clients[caller].async()
        .send(Message.valueOf(ByteString.copyFrom(RawRatis.request(key, payload))))
        .get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    if (!reply.isSuccess()) {
      throw new IllegalStateException("raw-Ratis write failed: " + reply.getException());
    }
    return 0;
  }

  /** A linearizable read through Ratis' ReadIndex (the read option the node uses too). */
  @Override
  public int read(int caller, int key) throws Exception {
    RaftClientReply reply = clients[caller].async()
        .sendReadOnly(Message.valueOf(ByteString.copyFrom(RawRatis.query(key))))
        .get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    if (!reply.isSuccess()) {
      throw new IllegalStateException("raw-Ratis read failed: " + reply.getException());
    }
    return 0;
  }

  /**
   * One unit from {@code from} to {@code to} in one log entry (both balances change on apply; the
   * entity layer's transfer debits first and credits by a message, so this is the cheaper bound).
   */
  @Override
  public int transfer(int caller, int from, int to) throws Exception {
    RaftClientReply reply = clients[caller].async()
        .send(Message.valueOf(ByteString.copyFrom(RawRatis.transfer(from, to, payload))))
        .get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    if (!reply.isSuccess()) {
      throw new IllegalStateException("raw-Ratis transfer failed: " + reply.getException());
    }
    return 0;
  }

  /**
   * Round-robin over the callers' clients: the open loop has no callers, and one client would
   * order every reply behind the slowest request.
   */
  @Override
  public CompletableFuture<Integer> updateAsync(int key) {
    RaftClient client = clients[Math.floorMod(nextClient.getAndIncrement(), clients.length)];
    return client.async().send(Message.valueOf(ByteString.copyFrom(RawRatis.request(key, payload))))
        .orTimeout(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .thenApply(reply -> {
          if (!reply.isSuccess()) {
            throw new IllegalStateException("raw-Ratis write failed: " + reply.getException());
          }
          return 0;
        });
  }

  @Override
  public void close() throws Exception {
    for (RaftClient c : clients) {
      c.close();
    }
  }
}
