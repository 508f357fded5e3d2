package io.pachyderm.node;

import io.pachyderm.cluster.internal.RatisCluster;
import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.ReadMode;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.RequestId;
import io.pachyderm.runtime.EntityKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.proto.RaftProtos.TermIndexProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.segmented.LogSegment;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.CodeInjectionForTesting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root cause of issue 16 (a 30-minute bank chaos run: lost acknowledged transfers, a negative
 * balance, replicas whose state differs), as the smallest schedule that breaks it: one real node,
 * appendEntries from two leaders that this test plays.
 *
 * <p>Ratis 3.3.0 composes a follower's log appends asynchronously by default
 * ({@code raft.server.log.append-entries.compose.enabled}): an append waits for the previous one's
 * flush and then runs on another thread. A heartbeat whose {@code previous} lies in such a queued
 * append passes the consistency check (RATIS-2242) and raises the commit index at once, bounded by
 * the flush index of the log <em>as it is now</em>. When the log still ends in a suffix of an earlier
 * term that was never committed (the queued append is the one that truncates it), the state machine
 * applies that stale suffix: commands no other replica applies. From then on this replica's
 * versions and states differ from the others'; leading later, it acknowledges writes the others
 * refuse as conflicts (lost writes), and a debit decided on its state can apply to another state
 * with an equal version (a negative balance). In the chaos run the stale suffix was one that the
 * node had appended as leader of term 5 during a majorities-ring partition.
 *
 * <p>The schedule: term 1 commits five commands; a term-2 leader appends three "ghost" commands
 * (flushed, never committed) and one more whose append the test holds inside the log; a term-3
 * leader sends the append that replaces the ghosts, then a heartbeat naming its last entry as
 * committed. The node must never apply a ghost.
 */
class StaleSuffixTest {
  private static final String INJECTION = LogSegment.APPEND_RECORD;

  @TempDir
  Path dir;

  private final ClientId leaderClient = ClientId.randomId();
  private long callIds;
  private long requestSeq;

  @AfterEach
  void removeInjection() {
    CodeInjectionForTesting.remove(INJECTION);
  }

  @Test
  void aHeartbeatNeverCommitsAStaleSuffixThatAQueuedAppendWouldTruncate() throws Exception {
    List<Peer> peers = List.of(new Peer("n1", "127.0.0.1:" + TestCluster.freePort()),
        new Peer("n2", "127.0.0.1:" + TestCluster.freePort()), new Peer("n3", "127.0.0.1:" + TestCluster.freePort()));
    RaftGroup group = RatisCluster.group((String) null, peers);
    ExecutorService rpc = Executors.newCachedThreadPool();
    // Never campaigns during the test: the two other members exist only as the leaders played here.
    try (PachydermNode node = PachydermNode.builder("n1", peers, dir.resolve("n1")).entityTypes(TestCounter.TYPES)
        .electionTimeoutMin(Duration.ofSeconds(60)).build().start();
         PachydermClient reader = PachydermClient.builder(List.of(peers.get(0))).entityTypes(TestCounter.TYPES)
             .clusterId(group.getGroupId().getUuid())
             .requestTimeout(Duration.ofSeconds(10)).build()) {
      Follower f = new Follower(node, group, rpc);

      // Term 1 (leader n2): index 0 is the leader's first entry, indexes 1..5 add 1 to "real"; committed.
      List<LogEntryProto> term1 = new ArrayList<>();
      term1.add(entry(1, 0, null, 0, 0));
      for (long i = 1; i <= 5; i++) {
        term1.add(entry(1, i, "real", i - 1, 1));
      }
      assertThat(f.append("n2", 1, null, term1, 5).get(10, TimeUnit.SECONDS).getResult())
          .isEqualTo(AppendEntriesReplyProto.AppendResult.SUCCESS);
      awaitApplied(node, 5);

      // Term 2 (leader n2): indexes 6..8 add 1000 to "ghost", flushed here, never committed.
      List<LogEntryProto> ghosts = List.of(entry(2, 6, "ghost", 0, 1000), entry(2, 7, "ghost", 1, 1000),
          entry(2, 8, "ghost", 2, 1000));
      assertThat(f.append("n2", 2, TermIndex.valueOf(1, 5), ghosts, 5).get(10, TimeUnit.SECONDS).getResult())
          .isEqualTo(AppendEntriesReplyProto.AppendResult.SUCCESS);

      // Its next append (index 9) is held inside the log, so the next append queues behind it.
      CountDownLatch holding = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      TermIndex held = TermIndex.valueOf(2, 9);
      CodeInjectionForTesting.put(INJECTION, (localId, remoteId, args) -> {
        if (held.equals(remoteId)) { // (segment, term-index of the record)
          holding.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return true;
        }
        return false;
      });
      CompletableFuture<AppendEntriesReplyProto> lastGhost =
          f.append("n2", 2, TermIndex.valueOf(2, 8), List.of(entry(2, 9, "ghost", 3, 1000)), 5);
      assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

      // Term 3 (leader n3): indexes 6..10 add 1 to "real" (replacing the ghosts); then a heartbeat
      // that says index 10 is committed, sent while its appender's next index for this node was 9
      // (a pipelined appender sends heartbeats between batches).
      List<LogEntryProto> term3 = new ArrayList<>();
      for (long i = 6; i <= 10; i++) {
        term3.add(entry(3, i, "real", i - 1, 1));
      }
      CompletableFuture<AppendEntriesReplyProto> replacing = f.append("n3", 3, TermIndex.valueOf(1, 5), term3, 5);
      CompletableFuture<AppendEntriesReplyProto> heartbeat = f.append("n3", 3, TermIndex.valueOf(3, 8), List.of(), 10);
      TestCluster.sleep(300); // less than the 1 s for which a commit-index update waits for the log's lock
      release.countDown();
      lastGhost.get(10, TimeUnit.SECONDS);
      // Under load the replacing append (or the heartbeat) can reach the log while the held append
      // is still inside it, and Ratis' log refuses a second concurrent caller ("Already running a
      // method") instead of queueing it; a leader's appender sends it again, and so does the test.
      // What must hold either way: no heartbeat commits the stale suffix.
      AppendEntriesReplyProto replaced = orResent(replacing, () -> f.append("n3", 3, TermIndex.valueOf(1, 5), term3, 5));
      assertThat(replaced.getResult()).isEqualTo(AppendEntriesReplyProto.AppendResult.SUCCESS);
      orResent(heartbeat, () -> f.append("n3", 3, TermIndex.valueOf(3, 8), List.of(), 10));
      f.append("n3", 3, TermIndex.valueOf(3, 10), List.of(), 10).get(10, TimeUnit.SECONDS);
      awaitApplied(node, 10);

      assertThat(reader.queryAsync(TestCounter.TYPE.ref("ghost"), ReadMode.STALE).get(10, TimeUnit.SECONDS).version())
          .as("commands of a suffix that was never committed were applied").isZero();
      assertThat(reader.queryAsync(TestCounter.TYPE.ref("real"), ReadMode.STALE).get(10, TimeUnit.SECONDS).state().count())
          .isEqualTo(10);
    } finally {
      rpc.shutdownNow();
    }
  }

  /** The reply, or, when Ratis' log refused the call as concurrent with another, the reply to {@code resend}. */
  private static AppendEntriesReplyProto orResent(CompletableFuture<AppendEntriesReplyProto> sent,
                                                  java.util.function.Supplier<CompletableFuture<AppendEntriesReplyProto>> resend)
      throws Exception {
    try {
      return sent.get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (!String.valueOf(e.getCause()).contains("Already running a method")) {
        throw e;
      }
      return resend.get().get(10, TimeUnit.SECONDS);
    }
  }

  /** The node, reached the way a leader's appender reaches it. */
  private final class Follower {
    private final PachydermNode node;
    private final RaftGroup group;
    private final ExecutorService rpc;

    Follower(PachydermNode node, RaftGroup group, ExecutorService rpc) {
      this.node = node;
      this.group = group;
      this.rpc = rpc;
    }

    /** Sends from another thread: with the fix the append runs in the call, and may be held there. */
    CompletableFuture<AppendEntriesReplyProto> append(String leader, long term, TermIndex previous,
                                                      List<LogEntryProto> entries, long leaderCommit) {
      AppendEntriesRequestProto.Builder b = AppendEntriesRequestProto.newBuilder()
          .setServerRequest(RaftRpcRequestProto.newBuilder()
              .setRequestorId(RaftPeerId.valueOf(leader).toByteString())
              .setReplyId(RaftPeerId.valueOf("n1").toByteString())
              .setRaftGroupId(org.apache.ratis.proto.RaftProtos.RaftGroupIdProto.newBuilder().setId(group.getGroupId().toByteString()))
              .setCallId(++callIds))
          .setLeaderTerm(term)
          .addAllEntries(entries)
          .setLeaderCommit(leaderCommit);
      if (previous != null) {
        b.setPreviousLog(TermIndexProto.newBuilder().setTerm(previous.getTerm()).setIndex(previous.getIndex()));
      }
      AppendEntriesRequestProto request = b.build();
      return CompletableFuture.supplyAsync(() -> {
        try {
          return io.pachyderm.node.internal.NodeInternals.raftServer(node).appendEntriesAsync(request);
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      }, rpc).thenCompose(x -> x);
    }
  }

  /**
   * A log entry holding one command's record: {@code id} adds {@code by}, decided at
   * {@code expectedVersion}; with a null id, an entry without records.
   */
  private LogEntryProto entry(long term, long index, String id, long expectedVersion, long by) {
    if (id == null) {
      return LogEntryProto.newBuilder().setTerm(term).setIndex(index)
          .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
              .setLogData(UnsafeByteOperations.unsafeWrap(LogEntry.getDefaultInstance().toByteArray()))
              .setClientId(leaderClient.toByteString()).setCallId(++requestSeq))
          .build();
    }
    EntityKey key = new EntityKey("default", TestCounter.TYPE.name(), id);
    Record record = Record.newBuilder()
        .setRequestId(RequestId.newBuilder().setClientHi(7).setClientLo(7).setSequence(++requestSeq))
        .setRef(Protos.ref(key))
        .setExpectedVersion(expectedVersion)
        .addEvents(Protos.payload(TestCounter.TYPE.codec().encode(new TestCounter.Added(by))))
        .setTimestampMs(1)
        .build();
    byte[] data = LogEntry.newBuilder().addRecords(record).build().toByteArray();
    return LogEntryProto.newBuilder().setTerm(term).setIndex(index)
        .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
            .setLogData(UnsafeByteOperations.unsafeWrap(data))
            .setClientId(leaderClient.toByteString())
            .setCallId(requestSeq))
        .build();
  }

  private static void awaitApplied(PachydermNode node, long index) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (node.appliedIndex() < index) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("applied index " + node.appliedIndex() + " never reached " + index);
      }
      TestCluster.sleep(10);
    }
  }
}
