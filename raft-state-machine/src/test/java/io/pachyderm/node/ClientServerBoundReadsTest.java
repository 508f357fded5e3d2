package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.ReadMode;
import io.pachyderm.client.PachydermClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests addressed to a named server (stale reads, status) must not hold up the client's next
 * leader-bound request. They once shared one Ratis client, whose ordered windows then stalled the
 * next write or linearizable read for two 3 s Ratis request timeouts (~6.1 s, against ~20 ms).
 * Each client here gives up after {@link #TIMEOUT}, well under the stall and far above the normal
 * latency, so the stall shows as a failed request rather than as a measured time.
 */
class ClientServerBoundReadsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @TempDir
  static Path dir;

  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new TestCluster(dir, 1, TestCounter.TYPES, b -> {});
    cluster.awaitLeader();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aWriteAfterStatusIsAnsweredWithinTheTimeout() {
    PachydermClient client = cluster.client(cluster.peers(), TIMEOUT);
    assertThat(client.status()).singleElement().satisfies(v -> assertThat(v.reachable()).isTrue());

    assertThat(client.call(TestCounter.TYPE.ref("after-status"), new TestCounter.Add(1)).version()).isEqualTo(1);
  }

  @Test
  void aLinearizableReadAfterAStaleReadIsAnsweredWithinTheTimeout() {
    PachydermClient client = cluster.client(cluster.peers(), TIMEOUT);
    client.queryAsync(TestCounter.TYPE.ref("after-stale"), ReadMode.STALE).join();

    assertThat(client.query(TestCounter.TYPE.ref("after-stale")).version()).isZero();
  }
}
