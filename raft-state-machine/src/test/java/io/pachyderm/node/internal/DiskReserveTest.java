package io.pachyderm.node.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskReserveTest {
  private static final long MB = 1 << 20;
  private static final long INTERVAL_NS = 200_000_000L;

  @TempDir
  Path dir;

  private final Map<Path, Long> free = new HashMap<>();
  private final AtomicInteger asked = new AtomicInteger();

  private DiskReserve reserve(long reserveBytes) {
    return new DiskReserve("n1", List.of(dir.resolve("raft"), dir.resolve("journal")), reserveBytes, d -> {
      asked.incrementAndGet();
      Long f = free.get(d);
      if (f == null) {
        throw new IOException("no such store " + d);
      }
      return f;
    }, INTERVAL_NS);
  }

  @Test
  void belowTheReserveWritesAreRefusedNamingNodeDirectoryFreeBytesAndReserveAndResumeWhenSpaceIsBack()
      throws IOException {
    java.nio.file.Files.createDirectories(dir.resolve("raft"));
    java.nio.file.Files.createDirectories(dir.resolve("journal"));
    DiskReserve r = reserve(256 * MB);
    free.put(dir.resolve("raft"), 300 * MB);
    free.put(dir.resolve("journal"), 100 * MB);

    assertThat(r.shortfall(0)).isEqualTo("node n1 refuses writes: " + dir.resolve("journal") + " has "
        + (100 * MB) + " bytes free, below the reserve of " + (256 * MB) + " bytes (diskReserveBytes, --disk-reserve). "
        + "Nothing was written; free space there and retry: writes resume on their own. Reads still work");

    free.put(dir.resolve("journal"), 400 * MB);
    assertThat(r.shortfall(INTERVAL_NS - 1)).as("the answer is reused within the interval").isNotNull();
    assertThat(r.shortfall(INTERVAL_NS)).as("asked again after it").isNull();
  }

  @Test
  void theFileSystemIsAskedAtMostOncePerIntervalNotPerCommand() throws IOException {
    java.nio.file.Files.createDirectories(dir.resolve("raft"));
    java.nio.file.Files.createDirectories(dir.resolve("journal"));
    free.put(dir.resolve("raft"), 300 * MB);
    free.put(dir.resolve("journal"), 300 * MB);
    DiskReserve r = reserve(256 * MB);

    for (long nowNs = 1_000; nowNs < 1_000 + INTERVAL_NS; nowNs += INTERVAL_NS / 1000) {
      assertThat(r.shortfall(nowNs)).isNull();
    }
    assertThat(asked.get()).as("two directories, asked once each").isEqualTo(2);
  }

  @Test
  void aDirectoryNotYetCreatedIsCheckedOnItsParentsStore() {
    free.put(dir, 10 * MB);
    assertThat(reserve(256 * MB).shortfall(0)).contains(dir.resolve("raft") + " has " + (10 * MB) + " bytes free");
  }

  @Test
  void aStoreThatCannotBeAskedRefusesWritesSayingSo() throws IOException {
    java.nio.file.Files.createDirectories(dir.resolve("raft"));
    assertThat(reserve(MB).shortfall(0)).isEqualTo("node n1 cannot tell the free space of " + dir.resolve("raft")
        + " (no such store " + dir.resolve("raft") + "), so it refuses writes until it can; reads still work");
  }

  @Test
  void zeroTurnsTheCheckOffAndANegativeReserveIsRefused() {
    assertThat(reserve(0).shortfall(0)).isNull();
    assertThat(asked.get()).isZero();
    assertThatThrownBy(() -> reserve(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("disk reserve must be >= 0 bytes: -1");
  }
}
