package io.pachyderm.bench.jmh;

import com.google.protobuf.InvalidProtocolBufferException;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.replica.Applied;
import io.pachyderm.replica.Decider;
import io.pachyderm.replica.WorkItem;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The replica core's hot path for one batch of {@code batch} increments over {@code entities}
 * counters: decide one item, decide a whole entry (the leader), encode and parse the entry (what
 * Ratis carries and every follower reads), and apply it (every replica, with the digest the node
 * keeps). Apply needs an entry decided on the current state, so it is made per invocation
 * ({@link Level#Invocation}, which JMH warns costs ~µs of timer overhead: an entry of 32 records
 * takes far longer to apply, so the overhead is small beside it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ReplicaBenchmark {
  /** A fixed clock reading: decide takes the time as an argument, never reads it. */
  private static final long NOW_MS = 1_700_000_000_000L;

  @Param({"32"})
  public int batch;

  @Param({"10000"})
  public int entities;

  private HotPath path;
  private WorkItem item;
  private List<WorkItem> work;
  private LogEntry entry;
  private byte[] entryBytes;
  private LogEntry toApply;

  @Setup(Level.Trial)
  public void setUp() {
    path = new HotPath(entities, true);
    // Every counter exists before the run: apply then updates, as in a steady state.
    for (int done = 0; done < entities; done += batch) {
      path.apply(path.nextEntry(batch, NOW_MS));
    }
    item = path.nextWork(1).get(0);
    work = path.nextWork(batch);
    entry = path.nextEntry(batch, NOW_MS);
    entryBytes = entry.toByteArray();
  }

  @Setup(Level.Invocation)
  public void nextEntry() {
    toApply = path.nextEntry(batch, NOW_MS);
  }

  @Benchmark
  public Decider.Decided decideOne() {
    return path.decide(item, NOW_MS);
  }

  @Benchmark
  public LogEntry decideEntry() {
    return path.decideOnly(work, NOW_MS);
  }

  @Benchmark
  public byte[] encodeEntry() {
    return entry.toByteArray();
  }

  @Benchmark
  public LogEntry parseEntry() throws InvalidProtocolBufferException {
    return LogEntry.parseFrom(entryBytes);
  }

  @Benchmark
  public Applied applyEntry() {
    return path.apply(toApply);
  }
}
