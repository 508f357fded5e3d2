package io.pachyderm.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.examples.counter.Counter;
import io.pachyderm.local.LocalPachyderm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local ecosystem loses no acknowledged call when its JVM is killed with SIGKILL, and its
 * event journal comes back whole: after the kill the test also voids every journal record past
 * the last snapshot (what a machine crash could lose: only a snapshot fsyncs the journal), and
 * reopening appends them again from the Raft log, with no gap and no duplicate.
 */
class LocalCrashTest {
  @TempDir
  Path dir;

  @Test
  void killDashNineLosesNoAcknowledgedCall() throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    // The Chronicle Queue flags this test JVM got from surefire (pachyderm.jvm.flags): the journal needs them.
    for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle.")) {
        command.add(arg);
      }
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(CrashingWriter.class.getName());
    command.add(dir.toString());
    Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    long acknowledged = 0;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("ack ")) {
          acknowledged = Long.parseLong(line.substring(4));
          if (acknowledged >= 200) {
            break;
          }
        }
      }
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no snapshot on stop
      child.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(acknowledged).as("the child acknowledged calls before it was killed").isGreaterThanOrEqualTo(200);
    // As if the machine had crashed too: every journal write since the last snapshot's fsync is lost.
    long lost = loseUnsyncedJournalTail(dir);
    assertThat(lost).as("journal records voided past the last synced position").isPositive();
    try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(ExampleTypes.all())
        .effectHandler(Counter.ADMIN_MAILER, (Object effect, io.pachyderm.entity.EffectContext ctx) -> { })
        .open()) {
      var recovered = local.query(Counter.TYPE.ref("crash"));
      assertThat(recovered.state().count()).isGreaterThanOrEqualTo(acknowledged);
      var history = local.history(Counter.TYPE.ref("crash"), 1);
      assertThat(history).as("one journal record per recovered event").hasSize((int) recovered.version());
      for (int i = 0; i < history.size(); i++) {
        assertThat(history.get(i).version()).as("record " + i).isEqualTo(i + 1);
      }
    }
  }

  /**
   * Voids the journal's records after the journal position the latest snapshot recorded (0 without
   * a snapshot) and returns how many were voided.
   */
  private static long loseUnsyncedJournalTail(Path store) throws Exception {
    long synced = 0;
    Path latest = null;
    try (var files = java.nio.file.Files.walk(store)) {
      for (Path p : files.filter(f -> f.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).toList()) {
        if (latest == null || index(p) > index(latest)) {
          latest = p;
        }
      }
    }
    if (latest != null) {
      try (var reader = new io.pachyderm.storage.SnapshotReader(latest)) {
        synced = reader.header().getJournalIndex();
      }
    }
    try (var journal = io.pachyderm.storage.journal.EventJournal.open(store.resolve("journal"),
        io.pachyderm.storage.journal.JournalOptions.defaults())) {
      long before = journal.records();
      journal.truncateAfter(synced);
      return before - journal.records();
    }
  }

  private static long index(Path snapshot) {
    String name = snapshot.getFileName().toString();
    return Long.parseLong(name.substring(name.indexOf('_') + 1));
  }
}
