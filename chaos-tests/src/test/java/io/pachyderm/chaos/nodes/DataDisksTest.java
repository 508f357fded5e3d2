package io.pachyderm.chaos.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pachyderm.chaos.nemesis.DiskFill;
import io.pachyderm.chaos.net.NetnsHosts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each node's data directory is a filesystem of its own that the storage nemesis fills to the
 * last block and frees again, and no mount outlives the run: not after a normal end, not after
 * a harness interrupted mid-run (the hosts' teardown), not after one killed outright (the next
 * run of the slot). Needs root, like the chaos suite.
 */
class DataDisksTest {
  private static final long SIZE_BYTES = 64L << 20;
  private static final byte[] ONE_MB = new byte[1 << 20];

  @BeforeAll
  static void available() {
    Optional<String> why = NetnsHosts.unavailableReason().or(DataDisks::unavailableReason);
    assumeTrue(why.isEmpty(), () -> "data disk tests skipped: " + why.orElse(""));
  }

  @Test
  @Timeout(60)
  void oneNodesDiskFillsToTheLastBlockAndEmptiesWhileTheOthersKeepTheirSpace(@TempDir Path runDir)
      throws IOException {
    Path full;
    Path other;
    try (NetnsHosts hosts = NetnsHosts.create(2);
         DataDisks disks = DataDisks.mount(hosts, runDir, SIZE_BYTES)) {
      full = disks.mountPoint(1);
      other = disks.mountPoint(2);
      assertThat(full).isEqualTo(runDir.resolve("n1").toAbsolutePath().normalize());
      assertThat(DataDisks.isMounted(full)).isTrue();
      assertThat(DataDisks.isMounted(other)).isTrue();

      DiskFill.Filled filled = DiskFill.fill(full);

      assertThat(filled.freeBytesBefore()).as("%s", filled).isGreaterThan(SIZE_BYTES / 2);
      assertThat(filled.freeBytesAfter()).as("%s", filled).isLessThan(ONE_MB.length);
      assertThatThrownBy(() -> Files.write(full.resolve("event"), ONE_MB)).isInstanceOf(IOException.class)
          .hasMessageContaining("No space left on device");
      assertThatThrownBy(() -> DiskFill.fill(full)).hasMessageContaining("is filled already");
      Files.write(other.resolve("event"), ONE_MB);

      long freeAfterRelease = DiskFill.release(full);

      assertThat(freeAfterRelease).isGreaterThan(SIZE_BYTES / 2);
      Files.write(full.resolve("event"), ONE_MB);
    }
    assertThat(DataDisks.isMounted(full)).isFalse();
    assertThat(DataDisks.isMounted(other)).isFalse();
    assertThat(runDir.resolve("n1" + DataDisks.IMAGE_SUFFIX)).as("the node's data, kept in its image").exists();
  }

  @Test
  @Timeout(60)
  void theHostsTeardownOfAnInterruptedHarnessUnmountsDisksStillInUse(@TempDir Path runDir) throws Exception {
    NetnsHosts hosts = NetnsHosts.create(1);
    Process node = null;
    Path point;
    try {
      DataDisks disks = DataDisks.mount(hosts, runDir, SIZE_BYTES);
      point = disks.mountPoint(1);
      // A node that still runs in its namespace with the disk open, as when the harness is interrupted.
      node = new ProcessBuilder(hosts.inNamespace(1, java.util.List.of("sleep", "300"))).directory(point.toFile())
          .start();
      // What the shutdown hook runs.
      hosts.close();
      assertThat(node.waitFor(10, TimeUnit.SECONDS)).as("the node process was killed").isTrue();
      assertThat(DataDisks.isMounted(point)).isFalse();
    } finally {
      if (node != null) {
        node.destroyForcibly();
      }
      hosts.close();
    }
  }

  @Test
  @Timeout(60)
  void theNextRunOfTheSlotUnmountsWhatAKilledHarnessLeft(@TempDir Path runDir) {
    try (NetnsHosts hosts = NetnsHosts.create(1)) {
      DataDisks leftover = DataDisks.mount(hosts, runDir, SIZE_BYTES);
      Path point = leftover.mountPoint(1);
      assertThat(DataDisks.isMounted(point)).isTrue();

      // A harness killed with SIGKILL never closes its disks; the next run that takes the slot:
      DataDisks.removeLeftovers(hosts.slot());

      assertThat(DataDisks.isMounted(point)).isFalse();
    }
  }

  @Test
  void aDiskTooSmallForANodeIsRefusedWithItsSize(@TempDir Path runDir) {
    try (NetnsHosts hosts = NetnsHosts.create(1)) {
      assertThatThrownBy(() -> DataDisks.mount(hosts, runDir, 1L << 20)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("a node's data disk must be at least 32 MB: 1048576 bytes");
    }
  }
}
