package io.pachyderm.node.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.Transport;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.junit.jupiter.api.Test;

class RatisConfigTest {
  private static RaftProperties grpcProperties() {
    RatisConfig.Settings settings = new RatisConfig.Settings(Transport.GRPC, Path.of("/tmp/unused"), 500, 10_000,
        8 << 20, 2, 64 << 20, 4 << 20);
    return RatisConfig.properties(settings, new Peer("n1", "127.0.0.1:1"));
  }

  /**
   * A leader's install stream to a follower that is down blocks its appender for the chunk timeout
   * times the element limit; with Ratis' default that was 24 s, during which a follower that came
   * back heard nothing (see {@link RatisConfig#INSTALL_SNAPSHOT_CHUNK_TIMEOUT}).
   */
  @Test
  void aDeadSnapshotInstallStreamHoldsTheLeadersAppenderForAtMostEightSeconds() {
    RaftProperties p = grpcProperties();
    long streamMs = GrpcConfigKeys.Server.installSnapshotRequestTimeout(p)
        .multiply(GrpcConfigKeys.Server.installSnapshotRequestElementLimit(p)).toLong(TimeUnit.MILLISECONDS);
    assertThat(streamMs).isLessThanOrEqualTo(8_000);
  }
}
