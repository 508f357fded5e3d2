package io.pachyderm.storage.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The journal options of the journal suite: {@link JournalOptions}' defaults with the ref index kind
 * of the system property {@value #PROPERTY} ({@code HEAP} unless set), so that the whole suite runs
 * on either kind (log-storage's pom runs it twice; a crash test's child JVM gets the property too).
 */
final class TestJournalOptions {
  static final String PROPERTY = "pachyderm.test.journalIndex";

  private TestJournalOptions() {}

  static JournalOptions.IndexKind kind() {
    return JournalOptions.IndexKind.valueOf(System.getProperty(PROPERTY, JournalOptions.IndexKind.HEAP.name()));
  }

  static JournalOptions defaults() {
    return builder().build();
  }

  static JournalOptions.Builder builder() {
    return JournalOptions.builder().indexKind(kind());
  }

  /** The directory of the index this kind saves under the journal's: the index files, or the RocksDB ref index. */
  static String savedIndexDirectory() {
    return kind() == JournalOptions.IndexKind.HEAP ? IndexFile.DIRECTORY : DiskRefIndex.DIRECTORY;
  }

  /**
   * Deletes what either kind saved of the index in {@code journalDir}, so that the next open builds it
   * by a full scan (what a journal without a saved index does).
   */
  static void forgetSavedIndex(Path journalDir) throws IOException {
    for (String saved : new String[] {IndexFile.DIRECTORY, DiskRefIndex.DIRECTORY}) {
      Path root = journalDir.resolve(saved);
      if (!Files.exists(root)) {
        continue;
      }
      List<Path> all = new ArrayList<>();
      try (var paths = Files.walk(root)) {
        paths.forEach(all::add);
      }
      for (int i = all.size() - 1; i >= 0; i--) {
        Files.deleteIfExists(all.get(i));
      }
    }
  }
}
