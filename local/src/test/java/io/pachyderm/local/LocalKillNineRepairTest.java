package io.pachyderm.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.EntityState;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.entity.EntityTypes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node killed with SIGKILL while it applies and journals appends comes back with every entity's
 * journal holding exactly versions {@code 1..N}, {@code N} the entity's recovered version: no gap,
 * no duplicate, nothing acknowledged lost, the events those the writer sent. A child JVM runs a
 * {@link LocalPachyderm} ({@link LocalCrashWriter}); the test kills it at several points, once
 * twice in a row and once with frequent snapshots (so that repair starts from a snapshot with
 * journal records beyond it), and reopens the directory in this JVM after each kill but the first.
 * Two rounds also leave the journal as a disk that filled mid-excerpt leaves it (issue 12): a last
 * excerpt that is complete but whose record bytes were never written (zeros); the node cuts it on
 * open and refills it from the Raft log.
 */
class LocalKillNineRepairTest {
  /**
   * Per round: acknowledged appends after which the child is killed, its snapshot threshold,
   * whether to check after, whether the disk "filled" mid-excerpt (a torn last excerpt) at the kill.
   */
  private record Round(long killAfterAcks, long snapshotThreshold, boolean checkAfter, boolean tornTail) {}

  private static final List<Round> ROUNDS = List.of(
      new Round(200, 1_000_000, false, false), // killed early; the next round starts from an unchecked crash
      new Round(900, 1_000_000, true, true),
      new Round(1_500, 300, true, true),       // snapshots every 300 entries: repair from a snapshot
      new Round(2_500, 1_000_000, true, false));
  /** Bytes of the torn excerpt: about one record of this workload. */
  private static final int TORN_EXCERPT_BYTES = 160;
  private static final long CHILD_WAIT_SECONDS = 120;

  @TempDir
  Path dir;

  @Test
  void killDashNineAtSeveralPointsLeavesEveryJournalWithVersionsOneToN() throws Exception {
    // key -> version -> element, for every acknowledged append of every round
    Map<String, Map<Long, Long>> acked = new TreeMap<>();
    for (int r = 0; r < ROUNDS.size(); r++) {
      Round round = ROUNDS.get(r);
      long acks = runChildAndKill(r + 1, round, acked);
      assertThat(acks).as("round %d: appends acknowledged before SIGKILL", r + 1)
          .isGreaterThanOrEqualTo(round.killAfterAcks());
      if (round.tornTail()) {
        tearJournalTail();
      }
      if (round.checkAfter()) {
        checkRecovered(r + 1, acked);
      }
    }
  }

  /**
   * Leaves the journal as a disk that filled while the record was written leaves it: the excerpt's
   * header complete, its bytes never written (a tmpfs page that could not be allocated reads as
   * zeros). Before journal checksums and the torn-tail cut, the next open failed with
   * JournalCorruptException "not a JournalEntry".
   */
  private void tearJournalTail() {
    try (ChronicleQueue raw = ChronicleQueue.singleBuilder(dir.resolve("journal")).rollCycle(RollCycles.FAST_DAILY).build();
         ExcerptAppender appender = raw.createAppender()) {
      try (DocumentContext dc = appender.writingDocument()) {
        dc.wire().bytes().write(new byte[TORN_EXCERPT_BYTES]);
      }
    }
  }

  /** Reopens the directory here and checks every key's journal against its state and the acknowledgements. */
  private void checkRecovered(int round, Map<String, Map<Long, Long>> acked) {
    try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(EntityTypes.of(CrashLog.TYPE))
        .snapshotThresholdEntries(1_000_000).open()) {
      for (int k = 0; k < LocalCrashWriter.KEYS; k++) {
        String key = "k" + k;
        EntityState<CrashLog.State> state = local.query(CrashLog.TYPE.ref(key));
        long n = state.version();
        List<HistoryEvent> history = local.history(CrashLog.TYPE.ref(key), 1);
        String where = "round " + round + ", " + key + " at v" + n;

        List<Long> versions = new ArrayList<>();
        for (HistoryEvent e : history) {
          versions.add(e.version());
        }
        List<Long> expected = new ArrayList<>();
        for (long v = 1; v <= n; v++) {
          expected.add(v);
        }
        assertThat(versions).as("%s: journal versions", where).containsExactlyElementsOf(expected);
        assertThat(history).extracting(HistoryEvent::logIndex).as("%s: log indexes", where).isSorted();

        long sum = 0;
        Set<Long> elements = new HashSet<>();
        for (HistoryEvent e : history) {
          long element = e.event(CrashLog.Appended.class).element();
          assertThat(elements.add(element)).as("%s: element %d journaled once", where, element).isTrue();
          sum += element;
        }
        assertThat(state.state()).as("%s: the state is the fold of the journal", where)
            .isEqualTo(new CrashLog.State(n, sum));

        for (Map.Entry<Long, Long> a : acked.getOrDefault(key, Map.of()).entrySet()) {
          assertThat(a.getKey()).as("%s: acknowledged v%d survives", where, a.getKey()).isLessThanOrEqualTo(n);
          assertThat(history.get((int) (a.getKey() - 1)).event(CrashLog.Appended.class).element())
              .as("%s: acknowledged v%d holds its element", where, a.getKey()).isEqualTo(a.getValue());
        }
      }
    }
  }

  /** Runs the writer until it has acknowledged {@code round.killAfterAcks()} appends, then SIGKILLs it. */
  private long runChildAndKill(int roundNumber, Round round, Map<String, Map<Long, Long>> acked) throws Exception {
    Process child = new ProcessBuilder(childCommand(roundNumber, round.snapshotThreshold()))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    // A child that hangs would block readLine forever: killed after a generous bound.
    Thread watchdog = new Thread(() -> {
      try {
        if (!child.waitFor(CHILD_WAIT_SECONDS, TimeUnit.SECONDS)) {
          child.destroyForcibly();
        }
      } catch (InterruptedException e) {
        child.destroyForcibly();
      }
    }, "crash-writer-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    long acks = 0;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (acks < round.killAfterAcks() && (line = out.readLine()) != null) {
        if (!line.startsWith("ack ")) {
          continue;
        }
        String[] parts = line.split(" ");
        Long previous = acked.computeIfAbsent(parts[1], k -> new TreeMap<>())
            .put(Long.parseLong(parts[2]), Long.parseLong(parts[3]));
        assertThat(previous).as("round %d: %s v%s acknowledged twice", roundNumber, parts[1], parts[2]).isNull();
        acks++;
      }
    } finally {
      child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, nothing closed or synced
      child.waitFor(30, TimeUnit.SECONDS);
      watchdog.interrupt();
    }
    return acks;
  }

  private List<String> childCommand(int round, long snapshotThreshold) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    // The Chronicle Queue flags this test JVM got from surefire (pachyderm.jvm.flags), and its logging setup.
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle.") || arg.startsWith("-Dlogback.")) {
        command.add(arg);
      }
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LocalCrashWriter.class.getName());
    command.add(dir.toString());
    command.add(Long.toString(snapshotThreshold));
    command.add(Integer.toString(round));
    return command;
  }
}
