package io.pachyderm.bench.versus;

import io.pachyderm.cluster.Peer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The raw-Ratis baseline's client: one {@link RaftClient} shared by all callers, each sending its
 * increment asynchronously (Ratis pipelines them) and waiting for the reply, which comes once the
 * entry is committed on a majority and applied on the leader. One request is one log entry.
 */
final class RawRatisDriver implements Driver {
  /** Ratis' client retries on its own (leader changes); a call waits this long at most. */
  static final long CALL_TIMEOUT_MS = 30_000;

  private final RaftClient client;
  private final byte[] payload;

  RawRatisDriver(List<Peer> peers, byte[] payload) {
    // The client needs only the transport and the group from the properties.
    this.client = RaftClient.newBuilder()
        .setProperties(RawRatis.properties(peers.get(0), Path.of("unused-by-the-client")))
        .setRaftGroup(RawRatis.group(peers))
        .build();
    this.payload = payload.clone();
  }

  @Override
  public int update(int caller, int key) throws Exception {
    RaftClientReply reply = client.async().send(Message.valueOf(ByteString.copyFrom(RawRatis.request(key, payload))))
        .get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    if (!reply.isSuccess()) {
      throw new IllegalStateException("raw-Ratis write failed: " + reply.getException());
    }
    return 0;
  }

  @Override
  public void close() throws Exception {
    client.close();
  }
}
