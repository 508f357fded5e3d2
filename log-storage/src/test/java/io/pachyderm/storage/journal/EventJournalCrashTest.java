package io.pachyderm.storage.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Ref;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM killed with SIGKILL while appending, or whose disk fills mid-excerpt, leaves a journal that
 * replay completes exactly.
 */
class EventJournalCrashTest {
  /** Event size of the disk-full child: issue 12 reproduced it with 2 KB calls on a 3 MB tmpfs. */
  static final int DISK_FULL_EVENT_BYTES = 2_000;

  @TempDir
  Path dir;

  /** Odd repetitions replay every entry from 1 (empty snapshot), even ones from lastCompleteIndex() + 1. */
  @RepeatedTest(4)
  void killDashNineWhileAppendingThenReplayGivesGapFreeDuplicateFreeJournal(RepetitionInfo repetition) throws Exception {
    long acknowledged = runChildAndKill(2_000 + System.nanoTime() % 3_000);
    assertThat(acknowledged).as("entries the child acknowledged before SIGKILL").isGreaterThanOrEqualTo(2_000);

    long lastIndex;
    long recordsAfterCrash;
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      lastIndex = journal.lastIndex();
      recordsAfterCrash = journal.records();
      // A process crash keeps the page cache: every acknowledged entry is there.
      assertThat(lastIndex).isGreaterThanOrEqualTo(acknowledged);
      // Everything visible is exactly what the child wrote, in order; no partial record parses.
      assertThat(readAll(journal)).containsExactlyElementsOf(expected(lastIndex).subList(0, (int) recordsAfterCrash));

      long complete = journal.lastCompleteIndex();
      assertThat(complete).isBetween(lastIndex - 1, lastIndex);
      assertThat(complete).isGreaterThanOrEqualTo(acknowledged);

      long replayTo = lastIndex + 100;
      Workload replay = new Workload(13, 120);
      long replayFrom = repetition.getCurrentRepetition() % 2 == 1 ? 1 : complete + 1;
      long alreadyThere = 0;
      for (long index = 1; index < replayFrom; index++) {
        alreadyThere += replay.entry(index).size(); // advances versions as the real history did
      }
      long appended = 0;
      long skipped = 0;
      for (long index = replayFrom; index <= replayTo; index++) {
        for (JournalRecord r : replay.entry(index)) {
          if (journal.append(r)) {
            appended++;
          } else {
            skipped++;
          }
        }
      }
      assertThat(skipped).isEqualTo(recordsAfterCrash - alreadyThere);
      List<JournalRecord> all = expected(replayTo);
      assertThat(appended).isEqualTo(all.size() - recordsAfterCrash);
      assertThat(journal.lastIndex()).isEqualTo(replayTo);
      assertThat(readAll(journal)).containsExactlyElementsOf(all);
    }
    try (EventJournal reopened = EventJournal.open(dir, TestJournalOptions.defaults())) {
      assertThat(reopened.lastIndex()).isEqualTo(lastIndex + 100);
      assertThat(readAll(reopened)).containsExactlyElementsOf(expected(lastIndex + 100));
    }
  }

  @Test
  void aWriterThatDiesInsideAnExcerptLeavesNothingVisibleAndTheNextAppendProceeds() throws Exception {
    List<String> command = childCommand("300", "die-inside-excerpt");
    Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out;
    try {
      out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(out).contains("ack 300").contains("dying");
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      assertThat(journal.lastIndex()).isEqualTo(300);
      assertThat(journal.lastCompleteIndex()).isEqualTo(300);
      assertThat(readAll(journal)).containsExactlyElementsOf(expected(300));
      Workload replay = new Workload(13, 120);
      for (long index = 1; index <= 300; index++) {
        replay.entry(index);
      }
      long startNs = System.nanoTime();
      for (JournalRecord r : replay.entry(301)) {
        assertThat(journal.append(r)).isTrue();
      }
      System.out.printf("append after a writer died inside an excerpt took %d ms%n", (System.nanoTime() - startNs) / 1_000_000);
      assertThat(readAll(journal)).containsExactlyElementsOf(expected(301));
    }
    try (EventJournal reopened = EventJournal.open(dir, TestJournalOptions.defaults())) {
      assertThat(readAll(reopened)).containsExactlyElementsOf(expected(301));
    }
  }

  /**
   * The disk ref index after kill -9 of a journal that saved its index (sync + saveIndex, as at a
   * snapshot) every 300 entries: open resumes after the index's last persisted change (it does not
   * scan every record), and every ref's history is exactly what the child journaled.
   */
  @Test
  void killDashNineAfterIndexSavesResumesTheDiskRefIndexAndEveryRefsHistoryIsRight() throws Exception {
    assumeTrue(TestJournalOptions.kind() == JournalOptions.IndexKind.DISK, "the disk ref index's crash test");
    long acknowledged = runChildAndKill(childCommand("10000000", "save-every-300"), 1_000 + System.nanoTime() % 1_000);
    assertThat(acknowledged).isGreaterThanOrEqualTo(1_000);
    try (EventJournal journal = EventJournal.open(dir, TestJournalOptions.defaults())) {
      long lastIndex = journal.lastIndex();
      assertThat(lastIndex).isGreaterThanOrEqualTo(acknowledged);
      assertThat(journal.excerptsScannedAtOpen()).as("resumed after the saved index, not a full scan")
          .isLessThan(journal.records());
      List<JournalRecord> all = expected(lastIndex).subList(0, (int) journal.records());
      for (int n = 0; n < 13; n++) {
        Ref ref = Workload.ref(n);
        List<JournalRecord> ofRef = new ArrayList<>();
        for (JournalRecord r : all) {
          if (r.getRef().equals(ref)) {
            ofRef.add(r);
          }
        }
        assertThat(journal.history(ref, 1, Integer.MAX_VALUE)).as("history of %s", ref.getId()).isEqualTo(ofRef);
        assertThat(journal.versions(ref)).isEqualTo(new VersionRange(1, ofRef.size()));
      }
    }
  }

  /**
   * The disk fills while the journal appends (issue 12: a 3 MB tmpfs, SIGBUS in a mapped write
   * surfaced as InternalError, and the excerpt it hit, marked complete over bytes never written,
   * made the next open fail with "not a JournalEntry"). Now the append fails with a
   * JournalWriteException naming the file and the free space, and after space is back open cuts
   * the torn excerpt and replay completes the journal. Needs root for the tmpfs mount.
   */
  @Test
  void aDiskThatFillsMidExcerptFailsTheAppendClearlyAndTheJournalReopensAfterSpaceIsBack() throws Exception {
    Path journalDir = dir.resolve("tmpfs-journal");
    Files.createDirectories(journalDir);
    assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", journalDir.toString()) == 0,
        "needs root (or CAP_SYS_ADMIN) to mount a 3 MB tmpfs for the journal: skipped");
    try {
      List<String> command = childCommand(journalDir, "10000000", "until-write-fails");
      Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      long acknowledged = 0;
      String failure = null;
      try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        // Ends when the child halts after the failed append (a full 3 MB tmpfs holds ~1,500 records).
        while ((line = out.readLine()) != null) {
          if (line.startsWith("ack ")) {
            acknowledged = Long.parseLong(line.substring(4));
          } else if (line.startsWith("failed ")) {
            failure = line;
          }
        }
      } finally {
        child.destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
      }
      assertThat(acknowledged).as("entries journaled before the disk filled").isGreaterThan(100);
      System.out.println("disk full after " + acknowledged + " entries: " + failure);
      assertThat(failure).as("the child's failed append").isNotNull();
      if (!failure.contains(JournalWriteException.class.getName())) {
        // The JVM reports a faulting mapped write late, at its next check: now and then that lands
        // after append returned, as a bare InternalError in the caller (seen in a full verify). A
        // node turns any such Throwable into its fail-stop; the torn tail is what open repairs.
        assertThat(failure).as("a fault reported after append returned")
            .contains(InternalError.class.getName()).contains("unsafe memory access");
      } else {
        assertThat(failure).contains(journalDir.toString()).contains(".cq4").contains("bytes free on its file system");
      }

      assertThat(run("mount", "-o", "remount,size=64m", journalDir.toString())).isZero();
      long lastIndex;
      try (EventJournal journal = EventJournal.open(journalDir, TestJournalOptions.defaults())) {
        lastIndex = journal.lastIndex();
        assertThat(lastIndex).isGreaterThanOrEqualTo(acknowledged);
        assertThat(readAll(journal))
            .containsExactlyElementsOf(expected(lastIndex, DISK_FULL_EVENT_BYTES).subList(0, (int) journal.records()));
        Workload replay = new Workload(13, DISK_FULL_EVENT_BYTES);
        for (long index = 1; index <= acknowledged + 100; index++) {
          for (JournalRecord r : replay.entry(index)) {
            journal.append(r);
          }
        }
        assertThat(readAll(journal)).containsExactlyElementsOf(expected(acknowledged + 100, DISK_FULL_EVENT_BYTES));
      }
      try (EventJournal reopened = EventJournal.open(journalDir, TestJournalOptions.defaults())) {
        assertThat(readAll(reopened)).containsExactlyElementsOf(expected(acknowledged + 100, DISK_FULL_EVENT_BYTES));
      }
    } finally {
      // Lazy: this JVM may still map the closed journal's files until Chronicle releases them.
      run("umount", "-l", journalDir.toString());
    }
  }

  private static int run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  private List<String> childCommand(String... args) {
    return childCommand(dir, args);
  }

  private List<String> childCommand(Path journalDir, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    // A JVM that dies of a fault outside Unsafe leaves its crash report here, not in the module.
    command.add("-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"));
    // The Chronicle Queue flags this test JVM got from surefire (pachyderm.jvm.flags).
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle.")) {
        command.add(arg);
      }
    }
    command.add("-D" + TestJournalOptions.PROPERTY + "=" + TestJournalOptions.kind());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(JournalCrashWriter.class.getName());
    command.add(journalDir.toString());
    command.addAll(List.of(args));
    return command;
  }

  private long runChildAndKill(long killAfterAcks) throws Exception {
    return runChildAndKill(childCommand("10000000"), killAfterAcks);
  }

  private long runChildAndKill(List<String> command, long killAfterAcks) throws Exception {
    Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    long acknowledged = 0;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("ack ")) {
          acknowledged = Long.parseLong(line.substring(4));
          if (acknowledged >= killAfterAcks) {
            break;
          }
        }
      }
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no close
      child.waitFor(30, TimeUnit.SECONDS);
    }
    return acknowledged;
  }

  private static List<JournalRecord> expected(long toIndex) {
    return expected(toIndex, 120);
  }

  private static List<JournalRecord> expected(long toIndex, int eventBytes) {
    Workload w = new Workload(13, eventBytes);
    List<JournalRecord> out = new ArrayList<>();
    for (long index = 1; index <= toIndex; index++) {
      out.addAll(w.entry(index));
    }
    return out;
  }

  static List<JournalRecord> readAll(EventJournal journal) {
    List<JournalRecord> out = new ArrayList<>();
    try (JournalTailer tailer = journal.readFrom(1)) {
      long bound = journal.records() + 1;
      for (long i = 0; i < bound; i++) {
        JournalRecord r = tailer.next();
        if (r == null) {
          break;
        }
        out.add(r);
      }
    }
    return out;
  }
}
