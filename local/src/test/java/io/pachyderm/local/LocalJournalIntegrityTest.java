package io.pachyderm.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pachyderm.api.HistoryEvent;
import io.pachyderm.entity.EntityTypes;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, item 2: flip one byte of an event in a journal {@code .cq4} file and reopen the node.
 * Before journal checksums it opened normally and {@code history} returned the altered event while
 * the state disagreed. Now the node never returns it: open's scan refuses the journal (naming the
 * file), or, when the saved index spares open the scan, the history read covering it fails naming
 * the file and the record, while the rest of the history and the state are served.
 */
class LocalJournalIntegrityTest {
  private static final int APPENDS = 20;
  /** Elements 7000001..7000020: unique digits in the journal file, one per event. */
  private static final long FIRST_ELEMENT = 7_000_001;
  private static final int DAMAGED_VERSION = 5;

  @TempDir
  Path dir;

  @Test
  void aFlippedEventByteBehindTheSavedIndexFailsTheHistoryReadAndNeverReturnsTheEvent() throws IOException {
    // Snapshots every 5 entries: each saves the journal's index, so the reopened node does not scan v5.
    writeAppends(5);
    Path file = flipElementOf(DAMAGED_VERSION);

    try (LocalPachyderm local = open(5)) {
      assertThat(local.query(CrashLog.TYPE.ref("k")).state()).isEqualTo(new CrashLog.State(APPENDS, expectedSum()));
      Throwable failure = catchThrowable(() -> local.history(CrashLog.TYPE.ref("k"), 1));
      assertThat(failure).as("history covering the damaged event").isNotNull();
      assertThat(messages(failure)).contains("journal " + file).contains("fails its CRC32C check")
          .contains("crash-log/k version " + DAMAGED_VERSION);
      List<HistoryEvent> after = local.history(CrashLog.TYPE.ref("k"), DAMAGED_VERSION + 1);
      assertThat(after).hasSize(APPENDS - DAMAGED_VERSION);
      for (HistoryEvent e : after) {
        assertThat(e.event(CrashLog.Appended.class).element()).isEqualTo(FIRST_ELEMENT + e.version() - 1);
      }
    }
  }

  @Test
  void aFlippedEventByteStopsTheNodesStartNamingTheFileWhenOpenScansIt() throws IOException {
    writeAppends(1_000_000);
    Path file = flipElementOf(DAMAGED_VERSION);
    deleteSavedIndex();

    Throwable failure = catchThrowable(() -> open(1_000_000).close());
    assertThat(failure).as("the node's start over a damaged journal").isNotNull();
    assertThat(messages(failure)).contains("journal " + file).contains("fails its CRC32C check");
  }

  private void writeAppends(long snapshotThreshold) {
    try (LocalPachyderm local = open(snapshotThreshold)) {
      for (int i = 0; i < APPENDS; i++) {
        local.send(CrashLog.TYPE.ref("k"), new CrashLog.Append(FIRST_ELEMENT + i));
      }
      assertThat(local.history(CrashLog.TYPE.ref("k"), 1)).hasSize(APPENDS);
    }
  }

  private LocalPachyderm open(long snapshotThreshold) {
    return LocalPachyderm.builder(dir).entityTypes(EntityTypes.of(CrashLog.TYPE))
        .snapshotThresholdEntries(snapshotThreshold).open();
  }

  private static long expectedSum() {
    long sum = 0;
    for (int i = 0; i < APPENDS; i++) {
      sum += FIRST_ELEMENT + i;
    }
    return sum;
  }

  /** Changes the first digit of the event of {@code version} in the journal file: 7 becomes 9. */
  private Path flipElementOf(long version) throws IOException {
    byte[] needle = Long.toString(FIRST_ELEMENT + version - 1).getBytes(StandardCharsets.UTF_8);
    Path file = onlyCycleFile();
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      byte[] head = new byte[(int) Math.min(raf.length(), 16 << 20)];
      raf.readFully(head);
      int at = -1;
      for (int i = 0; i + needle.length <= head.length && at < 0; i++) {
        if (Arrays.equals(head, i, i + needle.length, needle, 0, needle.length)) {
          at = i;
        }
      }
      assertThat(at).as("the event of v%d in %s", version, file).isNotNegative();
      raf.seek(at);
      raf.write('9');
    }
    return file;
  }

  private Path onlyCycleFile() throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir.resolve("journal"), "*.cq4")) {
      for (Path p : stream) {
        files.add(p);
      }
    }
    assertThat(files).hasSize(1);
    return files.get(0);
  }

  /**
   * Deletes what spares open the scan: the heap kind's index files and, with the disk state store
   * (the default), the journal's ref index on disk ({@code journal/ref-index}), whose absence makes
   * open rebuild it by a full scan.
   */
  private void deleteSavedIndex() throws IOException {
    Path index = dir.resolve("journal").resolve("index");
    if (Files.isDirectory(index)) {
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(index)) {
        for (Path p : stream) {
          Files.delete(p);
        }
      }
    }
    Path refIndex = dir.resolve("journal").resolve("ref-index");
    if (Files.isDirectory(refIndex)) {
      try (java.util.stream.Stream<Path> tree = Files.walk(refIndex)) {
        for (Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** Every message of the cause chain, for asserting on what the caller can read. */
  private static String messages(Throwable t) {
    StringBuilder out = new StringBuilder();
    for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
      out.append(t).append('\n');
    }
    return out.toString();
  }
}
