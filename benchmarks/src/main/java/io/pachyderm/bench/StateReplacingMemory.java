package io.pachyderm.bench;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.local.LocalPachyderm;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;

/**
 * Issue 12, item 3: what {@code CALLS} calls on one entity whose state is {@code STATE_BYTES} and
 * replaced by each event cost in heap, Raft log and snapshot (a state-replacing entity's entry
 * used to carry the state twice, in the event and in the default reply, and the de-duplication
 * table kept every reply). Uses the public API only, so the same class measures older commits.
 *
 * <p>{@code java ... io.pachyderm.bench.StateReplacingMemory [CALLS] [STATE_BYTES]}, default 500
 * and 100,000. Prints one line per figure.
 */
public final class StateReplacingMemory {
  /** Each event holds the whole new state; the default reply is that state. */
  static final class Blob implements Entity<Blob.State, Blob.Command, Blob.Event> {
    record State(String content) {}

    sealed interface Command permits Replace {}

    record Replace(String content) implements Command {}

    sealed interface Event permits Replaced {}

    record Replaced(String content) implements Event {}

    @Override
    public State initial(String id) {
      return new State("");
    }

    @Override
    public Decision<Event> handle(Command command, State state, Context ctx) {
      return Decision.emit(new Replaced(((Replace) command).content()));
    }

    @Override
    public State apply(Event event, State state) {
      return new State(((Replaced) event).content());
    }

    static final EntityType<State, Command, Event> TYPE =
        EntityType.builder("blob", new Blob(), State.class, Command.class, Event.class).build();
  }

  private StateReplacingMemory() {}

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int stateBytes = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    Path dir = Files.createTempDirectory("state-replacing-memory");
    EntityRef<Blob.State, Blob.Command> ref = Blob.TYPE.ref("doc");
    // No automatic snapshot during the run: the snapshot below is the one measured.
    try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(EntityTypes.of(Blob.TYPE))
        .snapshotThresholdEntries(1_000_000).open()) {
      local.call(ref, new Blob.Replace("warm-up"));
      long heapBefore = usedHeapAfterGc();
      StringBuilder content = new StringBuilder(stateBytes);
      for (int i = 0; i < calls; i++) {
        content.setLength(0);
        // Different on every call (the codec cannot share anything), the same length each time.
        String stamp = Integer.toString(i);
        while (content.length() + stamp.length() <= stateBytes) {
          content.append(stamp);
        }
        local.call(ref, new Blob.Replace(content.toString()));
      }
      long heapAfter = usedHeapAfterGc();
      long logEntryBytes = logEntryBytes(io.pachyderm.node.internal.NodeInternals.raftServer(local.node()));
      local.node().takeSnapshot();
      System.out.printf("calls %d, state %d bytes%n", calls, stateBytes);
      System.out.printf("heap growth (used after GC) %.1f MB%n", (heapAfter - heapBefore) / 1e6);
      System.out.printf("raft log entries' data %.1f MB%n", logEntryBytes / 1e6);
      System.out.printf("raft log files %.1f MB%n", fileBytes(dir, "log_") / 1e6);
      System.out.printf("snapshot %.1f MB%n", fileBytes(dir, "snapshot.") / 1e6);
    } finally {
      deleteTree(dir);
    }
  }

  /** The run's data directory holds a few hundred MB: never left behind. */
  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long logEntryBytes(RaftServer server) throws Exception {
    RaftServer.Division division = server.getDivision(server.getGroupIds().iterator().next());
    RaftLog log = division.getRaftLog();
    long bytes = 0;
    for (long i = log.getStartIndex(); i <= log.getLastEntryTermIndex().getIndex(); i++) {
      LogEntryProto e = log.get(i);
      if (e != null && e.hasStateMachineLogEntry()) {
        bytes += e.getStateMachineLogEntry().getLogData().size();
      }
    }
    return bytes;
  }

  /** Bytes of the files under {@code dir} whose names start with {@code prefix}. */
  private static long fileBytes(Path dir, String prefix) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith(prefix) && Files.isRegularFile(p))
          .mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
