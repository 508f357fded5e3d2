package io.pachyderm.node;

import io.pachyderm.node.settings.FatalErrorPolicy;
import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.Reply;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.node.status.NodeHealth;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's zombie, in one JVM with the {@link FatalErrorPolicy#STOP_NODE} policy: the leader's
 * journal lives on a 3 MB tmpfs, 2 KB events fill it, and the journal write on apply fails (Chronicle
 * maps its files, so the kernel's SIGBUS reaches Java as an {@code InternalError}). Before fail-stop
 * that node kept heartbeating as leader while applying nothing, so writes timed out and its
 * {@code close()} hung. Now it stops: {@code health()} says why, {@code close()} returns, and the two
 * other nodes elect a leader and serve on.
 */
class FailStopClusterTest {
  private static final String PAGE = "p".repeat(2048);
  /** Far more than 3 MB of 2 KB events: the journal must fill long before. */
  private static final int CALLS_MAX = 20_000;
  private static final int IN_FLIGHT = 32;

  @TempDir
  Path dir;

  @Test
  void aLeaderWhoseJournalWriteFailsStopsAndTheOthersElectALeaderAndServe() throws Exception {
    List<Tmpfs> mounts = new ArrayList<>();
    // The mounts go only after the nodes have closed: a node whose directory vanished under it
    // is a different failure from the one under test.
    try {
      try (TestCluster cluster = new TestCluster(dir, 3, TestDocument.TYPES, false, (id, b) -> {
        if (id.equals("n1")) {
          mounts.add(Tmpfs.mount(dir.resolve("n1").resolve("journal"), "3m"));
          b.diskReserveBytes(0); // no early refusal: the write itself must fail
        }
      })) {
        cluster.awaitLeader();
        PachydermClient client = cluster.client(cluster.peers(), Duration.ofSeconds(20));
        client.admin().transferLeadership("n1");
        PachydermNode victim = cluster.node(0);

        int sent = 0;
        while (victim.fatalError().isEmpty() && sent < CALLS_MAX) {
          List<CompletableFuture<?>> wave = new ArrayList<>();
          for (int i = 0; i < IN_FLIGHT; i++, sent++) {
            wave.add(client.callAsync(TestDocument.TYPE.ref("doc-" + sent), new TestDocument.Append(PAGE)));
          }
          for (CompletableFuture<?> f : wave) {
            try {
              f.get(60, TimeUnit.SECONDS);
            } catch (Exception inDoubt) {
              // Calls in flight when the leader stopped: their outcome is unknown, as documented.
            }
          }
        }

        assertThat(victim.fatalError()).as("n1 stopped after %d calls", sent).isPresent();
        assertThat(victim.fatalError().get()).contains("applying log entry");
        NodeHealth health = victim.health();
        assertThat(health.live()).isFalse();
        assertThat(health.reason()).startsWith("stopped after a fatal error (fail-stop): applying log entry");

        // The other two take over and serve writes and reads.
        Reply<TestDocument.State> after = client.call(TestDocument.TYPE.ref("after"), new TestDocument.Append("x"));
        assertThat(after.version()).isEqualTo(1);
        assertThat(cluster.node(1).isLeader() || cluster.node(2).isLeader()).isTrue();

        Thread closer = new Thread(() -> cluster.stop(0), "close-failed-node");
        closer.start();
        closer.join(TimeUnit.SECONDS.toMillis(120));
        assertThat(closer.isAlive()).as("close() of the stopped node returned").isFalse();
      }
    } finally {
      for (Tmpfs m : mounts) {
        m.close();
      }
    }
  }
}
