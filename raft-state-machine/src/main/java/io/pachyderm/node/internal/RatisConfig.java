package io.pachyderm.node.internal;

import io.pachyderm.cluster.internal.RatisCluster;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.Transport;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * The Ratis server's properties for one node: transport and ports, storage, elections, snapshots
 * and log segments. Each setting Ratis' default would not give us says why it is set.
 */
public final class RatisConfig {
  /**
   * Ratis' gRPC leader streams a snapshot in chunks (one or more per file), at most 8 unanswered
   * (its element limit), and gives the stream this timeout times 8 (24 s with its default of the
   * request timeout, 3 s). When the follower is down, the stream fails at once, yet the appender
   * blocks on the ninth chunk until that stream timeout passes, and sends that follower nothing,
   * heartbeats included, meanwhile. A DISK node's snapshot is a checkpoint of about ten files, so
   * each attempt at a follower that was down blocked for 24 s, and one that came back waited for it
   * (benchmarks/run.sh state-store --parts install: 17-35 s at 10,000 entities against 6 s on
   * HEAP, whose snapshot is one or two chunks). 1 s gives the stream 8 s: a follower answers a chunk
   * once it has written it (16 MB at most; it reloads the state machine after answering the last).
   */
  static final TimeDuration INSTALL_SNAPSHOT_CHUNK_TIMEOUT = TimeDuration.valueOf(1, TimeUnit.SECONDS);

  private RatisConfig() {
  }

  /**
   * The node's settings that become Ratis properties.
   *
   * @param entryBytesMax the largest log entry, which the appender's buffer must hold
   */
  public record Settings(Transport transport, Path dataDir, long electionTimeoutMinMs, long snapshotThresholdEntries,
                         long logSegmentBytesMax, int logSegmentCacheSegmentsMax, long logSegmentCacheBytesMax,
                         long entryBytesMax) {
  }

  public static RaftProperties properties(Settings b, Peer self) {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, RatisCluster.rpcType(b.transport()));
    if (b.transport() == Transport.GRPC) {
      GrpcConfigKeys.Server.setPort(p, self.port());
      GrpcConfigKeys.Server.setHost(p, self.host());
      if (self.separatePorts()) {
        // Ratis serves the client and admin services on the peer port unless these name another.
        GrpcConfigKeys.Client.setPort(p, self.clientPort());
        GrpcConfigKeys.Client.setHost(p, self.clientHost());
        GrpcConfigKeys.Admin.setPort(p, self.adminPort());
        GrpcConfigKeys.Admin.setHost(p, self.adminHost());
      }
      GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf("64MB"));
      GrpcConfigKeys.Server.setInstallSnapshotRequestTimeout(p, INSTALL_SNAPSHOT_CHUNK_TIMEOUT);
    } else {
      NettyConfigKeys.Server.setPort(p, self.port());
      NettyConfigKeys.Server.setHost(p, self.host());
    }
    RaftServerConfigKeys.setStorageDir(p, List.of(b.dataDir().resolve("raft").toFile()));
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(b.electionTimeoutMinMs(), TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(b.electionTimeoutMinMs() * 2, TimeUnit.MILLISECONDS));
    // Not shortened, measured (benchmarks/run.sh restart-cluster, 2026-12-06): first-election
    // timeouts of half to one election timeout (Ratis uses them for every round until a node has
    // heard of a leader since it started, and as the time a round waits for votes) gave no faster
    // first leader after a full restart on this loaded 2-core machine, and more vote rounds timed
    // out. The rounds wait for CPU-starved peers, not for the timeout; 500-1000 ms stays.
    // Ratis' default, stated because availability under partitions relies on it: a node cut off by
    // a partition asks first and does not raise the term, so it cannot depose a healthy leader when
    // it returns.
    RaftServerConfigKeys.LeaderElection.setPreVote(p, true);
    // Reads go through ReadIndex: a deposed leader cannot serve a stale "linearizable" read.
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, b.snapshotThresholdEntries());
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
    // Purge only what every node has (Ratis: min of the snapshot and all commit indexes), so a node
    // that was down briefly catches up from the log and its event journal stays whole; the state
    // machine purges further once a node lags by more than logEntriesKeptForLaggingNodesMax.
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, false);
    RaftServerConfigKeys.Log.setPurgeGap(p, Math.max(1, (int) Math.min(1024, b.snapshotThresholdEntries() / 2)));
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(b.logSegmentBytesMax()));
    // Ratis keeps closed segments' entries in memory (default 6 segments / 200 MB) for appenders;
    // bounded lower, a follower that lags further reads them from disk instead.
    RaftServerConfigKeys.Log.setSegmentCacheNumMax(p, b.logSegmentCacheSegmentsMax());
    RaftServerConfigKeys.Log.setSegmentCacheSizeMax(p, SizeInBytes.valueOf(b.logSegmentCacheBytesMax()));
    // One entry (a whole batch) must fit in the appender's buffer, or it can never be replicated.
    long appenderBytes = b.entryBytesMax() + (1L << 20);
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(appenderBytes));
    RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(appenderBytes + (1L << 20)));
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
    // Safety (issue 16): with appends composed (Ratis 3.3.0's default), a follower queues an append
    // behind the previous one's flush, and a heartbeat whose previous entry is only in that queue
    // raises the commit index at once, up to the flush index of the log as it still is. If the queued
    // append is the one that truncates a suffix of an earlier term that never committed, that stale
    // suffix is applied: a replica whose state differs from every other. Appending in the call keeps
    // the log, its truncation and the commit index in one order. StaleSuffixTest is the schedule.
    RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(p, false);
    RaftServerConfigKeys.Write.setByteLimit(p, SizeInBytes.valueOf(256L << 20));
    return p;
  }

}
