package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.StorageFullException;
import io.pachyderm.client.PachydermClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk full, detected before it corrupts (issue 12): the leader's data directory is a real 64 MB
 * tmpfs; a file fills it below the node's reserve, and a write is refused at once with
 * {@link StorageFullException} (naming node, directory, free bytes and reserve) instead of timing
 * out as "outcome unknown"; reads go on; nothing acknowledged is lost and nothing refused applied;
 * when the file goes, writes resume without a restart. Before the reserve, the write reached the
 * log and the journal and failed there.
 */
class StorageFullClusterTest {
  private static final long MB = 1 << 20;
  private static final long RESERVE_BYTES = 16 * MB;
  /** Each wait below polls at most this many times, 50 ms apart. */
  private static final int POLLS_MAX = 400;

  @TempDir
  Path dir;

  @Test
  void belowTheReserveTheLeaderRefusesWritesRetryablyReadsGoOnAndWritesResumeWhenSpaceIsBack() throws Exception {
    List<Tmpfs> mounts = new ArrayList<>();
    // The mounts go only after the nodes have closed: a node whose directory vanished under it
    // is a different failure from the one under test.
    try {
      try (TestCluster cluster = new TestCluster(dir, 3, TestCounter.TYPES, false, (id, b) -> {
        if (id.equals("n1")) {
          mounts.add(Tmpfs.mount(dir.resolve("n1"), "64m"));
        }
        b.diskReserveBytes(RESERVE_BYTES);
      })) {
        cluster.awaitLeader();
        PachydermClient client = cluster.client(cluster.peers(), Duration.ofSeconds(20));
        client.admin().transferLeadership("n1");
        var counter = TestCounter.TYPE.ref("c");
        long acknowledged = 0;
        for (int i = 0; i < 5; i++) {
          client.call(counter, new TestCounter.Add(1));
          acknowledged++;
        }

        Tmpfs disk = mounts.get(0);
        Path filler = disk.dir().resolve("filler");
        assertThat(disk.usableBytes()).as("the 64 MB tmpfs, not the disk under it").isLessThan(64 * MB);
        fill(filler, disk.usableBytes() - RESERVE_BYTES / 2);
        assertThat(disk.usableBytes()).isLessThan(RESERVE_BYTES);

        StorageFullException refused = null;
        for (int poll = 0; poll < POLLS_MAX && refused == null; poll++) {
          try {
            client.call(counter, new TestCounter.Add(1));
            acknowledged++; // accepted on a free-space answer from before the file: still fits the reserve
            Thread.sleep(50);
          } catch (StorageFullException e) {
            refused = e;
          }
        }
        assertThat(refused).as("a write refused for lack of space").isNotNull();
        assertThat(refused.getMessage()).startsWith("node n1 refuses writes: " + dir.resolve("n1"))
            .contains(" bytes free, below the reserve of " + RESERVE_BYTES + " bytes")
            .contains("Nothing was written");

        assertThat(client.query(counter).state().count()).as("reads go on; nothing refused was applied")
            .isEqualTo(acknowledged);

        Files.delete(filler);
        boolean resumed = false;
        for (int poll = 0; poll < POLLS_MAX && !resumed; poll++) {
          try {
            client.call(counter, new TestCounter.Add(1));
            acknowledged++;
            resumed = true;
          } catch (StorageFullException stillFull) {
            Thread.sleep(50);
          }
        }
        assertThat(resumed).as("writes resume without a restart").isTrue();
        assertThat(client.query(counter).state().count()).isEqualTo(acknowledged);
        assertThat(cluster.node(0).fatalError()).isEmpty();
        assertThat(cluster.node(0).health().live()).isTrue();
        cluster.assertReplicasAgree();
      }
    } finally {
      for (Tmpfs m : mounts) {
        m.close();
      }
    }
  }

  /** Writes real bytes (a sparse file would take no space on tmpfs). */
  private static void fill(Path file, long bytes) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate((int) MB);
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long written = 0; written < bytes; ) {
        chunk.clear();
        chunk.limit((int) Math.min(MB, bytes - written));
        written += out.write(chunk);
      }
    }
  }
}
