package io.pachyderm.chaos.nemesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control run's planted fault on a Ratis-shaped data directory. */
class LogTailCutTest {
  @Test
  void cutsHalfOfTheWrittenPartOfThePreallocatedOpenSegment(@TempDir Path data) throws IOException {
    Path current = Files.createDirectories(data.resolve("raft/group-1/current"));
    Files.write(current.resolve("log_0-99"), bytes(1000));
    byte[] open = new byte[1 << 20];  // preallocated: zeros after the written entries
    byte[] written = bytes(10_000);
    System.arraycopy(written, 0, open, 0, written.length);
    Files.write(current.resolve("log_inprogress_100"), open);

    LogTailCut.Cut cut = LogTailCut.cutNewestSegment(data, 0.5);

    assertThat(cut.segment().getFileName().toString()).isEqualTo("log_inprogress_100");
    assertThat(cut.writtenBytes()).isEqualTo(10_000);
    assertThat(cut.keptBytes()).isEqualTo(5_000);
    assertThat(Files.size(current.resolve("log_inprogress_100"))).isEqualTo(5_000);
    assertThat(Files.size(current.resolve("log_0-99"))).as("older segments untouched").isEqualTo(1000);
  }

  @Test
  void withoutAnOpenSegmentCutsTheClosedOneWithTheHighestStart(@TempDir Path data) throws IOException {
    Path current = Files.createDirectories(data.resolve("raft/group-1/current"));
    Files.write(current.resolve("log_0-99"), bytes(1000));
    Files.write(current.resolve("log_100-250"), bytes(2000));
    Files.write(current.resolve("raft-meta"), bytes(50));

    assertThat(LogTailCut.cutNewestSegment(data, 0.25).segment().getFileName().toString()).isEqualTo("log_100-250");
    assertThat(Files.size(current.resolve("log_100-250"))).isEqualTo(500);
  }

  @Test
  void keepsTheSegmentHeader(@TempDir Path data) throws IOException {
    Path current = Files.createDirectories(data.resolve("raft/g/current"));
    Files.write(current.resolve("log_inprogress_0"), "RaftLog1xy".getBytes(StandardCharsets.US_ASCII));
    assertThat(LogTailCut.cutNewestSegment(data, 0.1).keptBytes()).isEqualTo(8);
  }

  @Test
  void aDataDirWithoutSegmentsIsAnError(@TempDir Path data) throws IOException {
    Files.createDirectories(data.resolve("raft/g/current"));
    assertThatThrownBy(() -> LogTailCut.cutNewestSegment(data, 0.5)).hasMessageContaining("no Raft log segment");
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (1 + i % 251);
    }
    return b;
  }
}
