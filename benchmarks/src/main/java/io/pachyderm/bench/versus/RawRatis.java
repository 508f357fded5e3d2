package io.pachyderm.bench.versus;

import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.Transport;
import io.pachyderm.node.settings.NodeLimits;
import io.pachyderm.node.PachydermNode;
import io.pachyderm.node.internal.RatisConfig;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * The raw-Ratis baseline's shared parts: its Raft group, its Ratis properties (the node's own,
 * from {@link RatisConfig} with the node's defaults, so the only difference to a Pachyderm node is
 * the state machine), and the request and reply encoding.
 */
final class RawRatis {
  /** One fixed group: each run starts the servers in fresh data directories. */
  static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(UUID.fromString("7e5a0c1e-0b1a-4c6b-9d0e-000000000015"));

  private RawRatis() {
  }

  static RaftGroup group(List<Peer> peers) {
    List<RaftPeer> raftPeers = new ArrayList<>();
    for (Peer p : peers) {
      raftPeers.add(RaftPeer.newBuilder().setId(RaftPeerId.valueOf(p.id())).setAddress(p.address()).build());
    }
    return RaftGroup.valueOf(GROUP_ID, raftPeers);
  }

  /** A Pachyderm node's Ratis properties with its default settings, for {@code self}'s ports and {@code dataDir}. */
  static RaftProperties properties(Peer self, Path dataDir) {
    return RatisConfig.properties(new RatisConfig.Settings(Transport.GRPC, dataDir, DEFAULT_ELECTION_TIMEOUT.toMillis(),
        10_000, 32L << 20, PachydermNode.LOG_SEGMENT_CACHE_SEGMENTS_MAX_DEFAULT,
        PachydermNode.LOG_SEGMENT_CACHE_BYTES_MAX_DEFAULT, NodeLimits.DEFAULT.entryBytesMax()), self);
  }

  /** PachydermNode.Builder's default minimum election timeout. */
  private static final Duration DEFAULT_ELECTION_TIMEOUT = Duration.ofMillis(500);

  /** Request: the key (4 bytes, big-endian) then the payload. */
  static byte[] request(int key, byte[] payload) {
    return ByteBuffer.allocate(4 + payload.length).putInt(key).put(payload).array();
  }

  static int key(ByteBuffer request) {
    if (request.remaining() < 4) {
      throw new IllegalArgumentException("a raw-Ratis request needs at least 4 bytes (the key), had "
          + request.remaining());
    }
    return request.getInt(request.position());
  }
}
