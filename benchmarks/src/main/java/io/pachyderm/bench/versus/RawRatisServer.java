package io.pachyderm.bench.versus;

import io.pachyderm.cluster.Peer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * One server of the raw-Ratis baseline, a JVM of its own: the node's Ratis settings with a state
 * machine that does the least a durable write can ({@link RawRatis.Counters}: a counter per key
 * incremented by each committed entry, a balance per key for transfers), and replies the new count;
 * linearizable reads by Ratis' ReadIndex. No entity layer, no batching of its own, no snapshots
 * (the runs are short; Ratis keeps the whole log).
 *
 * <p>Usage: {@code RawRatisServer ID PEERS DATA_DIR} with PEERS as {@code r1=127.0.0.1:7001,...}.
 * Runs until SIGTERM (the shutdown hook closes the server).
 */
public final class RawRatisServer {
  private RawRatisServer() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: RawRatisServer ID PEERS DATA_DIR   (PEERS: r1=127.0.0.1:7001,r2=...)");
      System.exit(64);
    }
    List<Peer> peers = Peer.parseList(args[1]);
    Peer self = peers.stream().filter(p -> p.id().equals(args[0])).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("id '" + args[0] + "' is not among the peers " + args[1]));
    Path data = Path.of(args[2]);
    Files.createDirectories(data);
    RaftServer server = RaftServer.newBuilder()
        .setServerId(RaftPeerId.valueOf(self.id()))
        .setGroup(RawRatis.group(peers))
        .setProperties(RawRatis.properties(self, data))
        .setStateMachine(new CountersMachine())
        .build();
    server.start();
    System.out.println("raw-ratis server " + self.id() + " serving on " + self.address());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        System.err.println("raw-ratis server close failed: " + e);
      }
    }, "raw-ratis-close"));
    Thread.currentThread().join();
  }

  /** {@link RawRatis.Counters} as a Ratis state machine: writes through the log, reads by query. */
  static final class CountersMachine extends BaseStateMachine {
    private final RawRatis.Counters counters = new RawRatis.Counters();

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
      LogEntryProto entry = trx.getLogEntry();
      long result;
      synchronized (counters) {
        result = counters.apply(entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
      }
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
      return CompletableFuture.completedFuture(
          Message.valueOf(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(result).flip())));
    }

    /**
     * A linearizable read: Ratis calls this after its ReadIndex (the node's read option,
     * LINEARIZABLE, in {@link RawRatis#properties}) once the applied index has caught up. Reads run
     * on Ratis' threads while applies run on the updater thread, so the read takes the machine's lock.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
      long count;
      synchronized (counters) {
        count = counters.count(request.getContent().asReadOnlyByteBuffer());
      }
      return CompletableFuture.completedFuture(
          Message.valueOf(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(count).flip())));
    }
  }
}
