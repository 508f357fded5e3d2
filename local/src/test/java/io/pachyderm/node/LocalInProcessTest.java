package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.ReadMode;
import io.pachyderm.local.LocalPachyderm;
import io.pachyderm.node.internal.NodeInternals;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local ecosystem's calls go to its node in the same JVM, not through the node's loopback
 * port: with the node's network server closed, writes, linearizable and on-node reads and history
 * pages still succeed (over the network each would fail after the request timeout).
 */
class LocalInProcessTest {
  private static final int CALLS = (int) Math.min(20, TestCounter.THRESHOLD - 2);

  @Test
  void callsAndReadsNeedNoNetworkServer(@TempDir Path dir) throws Exception {
    try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(TestCounter.TYPES)
        .requestTimeout(Duration.ofSeconds(5)).open()) {
      var c = TestCounter.TYPE.ref("c");
      local.call(c, new TestCounter.Add(1));
      NodeInternals.raftServer(local.node()).getServerRpc().close();

      // Below the counter's effect threshold: this store registers no effect handler.
      for (int i = 0; i < CALLS; i++) {
        local.call(c, new TestCounter.Add(1));
      }
      assertThat(local.queryAsync(c, ReadMode.LINEARIZABLE).get(10, TimeUnit.SECONDS).state().count()).isEqualTo(CALLS + 1);
      assertThat(local.queryAsync(c, ReadMode.onNode(LocalPachyderm.NODE_ID)).get(10, TimeUnit.SECONDS).state().count())
          .isEqualTo(CALLS + 1);
      assertThat(local.historyAsync(c, 1, 100, ReadMode.onNode(LocalPachyderm.NODE_ID)).get(10, TimeUnit.SECONDS))
          .hasSize(CALLS + 1);
    }
  }
}
