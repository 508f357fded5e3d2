package io.pachyderm.bench.jmh;

import io.pachyderm.codec.Encoded;
import io.pachyderm.examples.counter.Counter;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The entity codec (the default, JSON through Jackson) on a command and an event of the example
 * counter: what every command costs at the client (encode), the leader (decode to decide, encode
 * the events) and every replica (decode the events to fold them).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {
  private final Counter.Increment command = new Counter.Increment(42);
  private final Counter.Increased event = new Counter.Increased(42);
  private final Encoded encodedCommand = HotPath.CODEC.encode(command);
  private final Encoded encodedEvent = HotPath.CODEC.encode(event);

  @Benchmark
  public Encoded encodeCommand() {
    return HotPath.CODEC.encode(command);
  }

  @Benchmark
  public Object decodeCommand() {
    return HotPath.CODEC.decodeCommand(encodedCommand);
  }

  @Benchmark
  public Encoded encodeEvent() {
    return HotPath.CODEC.encode(event);
  }

  @Benchmark
  public Object decodeEvent() {
    return HotPath.CODEC.decode(encodedEvent);
  }
}
