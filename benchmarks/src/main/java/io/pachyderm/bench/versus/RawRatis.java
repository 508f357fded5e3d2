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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /** The first byte of a request: what it does. */
  static final byte OP_INCREMENT = 0;
  static final byte OP_TRANSFER = 1;
  /** Every account's balance before its first transfer (a transfer never takes one below zero). */
  static final long INITIAL_BALANCE = 1_000_000_000L;

  /** Increment: the op, the key (4 bytes, big-endian), then the payload. */
  static byte[] request(int key, byte[] payload) {
    return ByteBuffer.allocate(1 + 4 + payload.length).put(OP_INCREMENT).putInt(key).put(payload).array();
  }

  /** Transfer of one unit: the op, the paying key, the paid key, then the payload. */
  static byte[] transfer(int from, int to, byte[] payload) {
    return ByteBuffer.allocate(1 + 8 + payload.length).put(OP_TRANSFER).putInt(from).putInt(to).put(payload).array();
  }

  /** A read-only query of a key's count: its 4 bytes. */
  static byte[] query(int key) {
    return ByteBuffer.allocate(4).putInt(key).array();
  }

  /**
   * The state of the raw-Ratis baseline: a counter and a balance per key. Applied in log order on
   * Ratis' one apply thread; the maps are never iterated.
   */
  static final class Counters {
    private final Map<Integer, Long> counts = new HashMap<>();
    private final Map<Integer, Long> balances = new HashMap<>();
    private final long initialBalance;

    Counters() {
      this(INITIAL_BALANCE);
    }

    Counters(long initialBalance) {
      this.initialBalance = initialBalance;
    }

    /**
     * Applies one request; returns the increment's new count, or the transfer's new balance of the
     * paying key (-1 when it had nothing to pay: the transfer is refused, nothing changes).
     */
    long apply(ByteBuffer request) {
      if (request.remaining() < 5) {
        throw new IllegalArgumentException("a raw-Ratis request needs an op and a key (5 bytes), had "
            + request.remaining());
      }
      int at = request.position();
      byte op = request.get(at);
      return switch (op) {
        case OP_INCREMENT -> counts.merge(request.getInt(at + 1), 1L, Long::sum);
        case OP_TRANSFER -> {
          if (request.remaining() < 9) {
            throw new IllegalArgumentException("a raw-Ratis transfer needs two keys (9 bytes), had "
                + request.remaining());
          }
          int from = request.getInt(at + 1);
          int to = request.getInt(at + 5);
          long paying = balances.getOrDefault(from, initialBalance);
          if (paying < 1) {
            yield -1;
          }
          balances.put(from, paying - 1);
          balances.put(to, balances.getOrDefault(to, initialBalance) + 1);
          yield paying - 1;
        }
        default -> throw new IllegalArgumentException("unknown raw-Ratis op " + op);
      };
    }

    /** The count of the key a {@link #query} names. */
    long count(ByteBuffer query) {
      if (query.remaining() != 4) {
        throw new IllegalArgumentException("a raw-Ratis query is a key (4 bytes), had " + query.remaining());
      }
      return counts.getOrDefault(query.getInt(query.position()), 0L);
    }

    /** A key's balance (for tests). */
    long balance(int key) {
      return balances.getOrDefault(key, initialBalance);
    }
  }
}
