package io.pachyderm.chaos.history;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Records a history while clients run. Thread-safe: every method takes one lock, so the index
 * order of recorded ops is a real-time order (an op that completed before another was invoked
 * has the smaller index) — the property the checkers rely on. Record a completion as soon as the
 * client learns the outcome, and an invocation just before the request is sent.
 *
 * <p>When built with a path, every op is also appended to that JSON lines file and flushed
 * before the method returns, so a run that crashes still leaves its history up to the crash
 * (at most the last line truncated, which {@link History#read} tolerates).
 *
 * <p>Limits: at most {@link #opsMax} ops (default 10 million); beyond that recording fails with
 * {@link IllegalStateException} rather than exhausting memory.
 */
public final class HistoryRecorder implements Closeable {
  /** Default for {@link #opsMax}: well above a long run at a few thousand ops per second. */
  public static final int OPS_MAX_DEFAULT = 10_000_000;

  private final LongSupplier nanoClock;
  private final long startNs;
  private final int opsMax;
  private final BufferedWriter out;
  private final List<Op> ops = new ArrayList<>();
  private final Map<Integer, Op> outstanding = new HashMap<>();
  private boolean closed;

  /**
   * A recorder timed by {@link System#nanoTime()} from now.
   *
   * @param jsonlOrNull a file to stream the history to (created or truncated), or null
   */
  public HistoryRecorder(Path jsonlOrNull) {
    this(jsonlOrNull, System::nanoTime, OPS_MAX_DEFAULT);
  }

  /**
   * A recorder with an explicit clock, so tests control op times.
   *
   * @param jsonlOrNull a file to stream the history to (created or truncated), or null
   * @param nanoClock a monotonic clock in nanoseconds; op times are relative to its value now
   * @param opsMax the most ops this recorder accepts
   */
  public HistoryRecorder(Path jsonlOrNull, LongSupplier nanoClock, int opsMax) {
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    if (opsMax <= 0) {
      throw new IllegalArgumentException("opsMax must be > 0: " + opsMax);
    }
    this.opsMax = opsMax;
    this.startNs = nanoClock.getAsLong();
    if (jsonlOrNull == null) {
      this.out = null;
      return;
    }
    try {
      this.out =
          Files.newBufferedWriter(
              jsonlOrNull,
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open history file " + jsonlOrNull, e);
    }
  }

  /**
   * Records the invocation of an operation and returns it; pass it to {@link #complete}.
   *
   * @param value the argument of write/add/append; null for reads
   * @throws IllegalStateException if the process already has an outstanding operation (after an
   *     INFO, continue under a new process number)
   */
  public synchronized Op invoke(int process, String f, String key, Object value) {
    Op pending = outstanding.get(process);
    if (pending != null) {
      throw new IllegalStateException(
          "process " + process + " still has " + pending.brief() + " outstanding");
    }
    Op op = record(process, OpType.INVOKE, f, key, value, null, null);
    outstanding.put(process, op);
    return op;
  }

  /**
   * Records the completion of an invocation.
   *
   * @param type OK, FAIL or INFO
   * @param value for reads the value read (null unless OK); for write/add/append, null means the
   *     invocation's argument, which is what is recorded
   * @param error for FAIL and INFO, why; null otherwise
   * @throws IllegalStateException if {@code invocation} is not outstanding
   */
  public synchronized Op complete(Op invocation, OpType type, Object value, String error) {
    Objects.requireNonNull(invocation, "invocation");
    Objects.requireNonNull(type, "type");
    if (!type.isCompletion()) {
      throw new IllegalArgumentException("not a completion type: " + type);
    }
    Op pending = outstanding.get(invocation.process());
    if (pending == null || pending.index() != invocation.index()) {
      throw new IllegalStateException("not outstanding: " + invocation.brief());
    }
    Object recorded = value;
    if (recorded == null && !invocation.isRead()) {
      recorded = invocation.value();
    }
    Op op = record(
        invocation.process(), type, invocation.f(), invocation.key(), recorded, null, error);
    outstanding.remove(invocation.process());
    return op;
  }

  /**
   * Records a final read served by {@code node}: an invocation and its OK completion, adjacent,
   * under process {@link Op#FINAL_READ_PROCESS}. Returns the completion. Call it only for reads
   * that succeeded; a final read that failed tells nothing.
   */
  public synchronized Op finalRead(String node, String key, Object value) {
    Objects.requireNonNull(node, "node");
    record(Op.FINAL_READ_PROCESS, OpType.INVOKE, Op.FINAL_READ, key, null, node, null);
    return record(Op.FINAL_READ_PROCESS, OpType.OK, Op.FINAL_READ, key, value, node, null);
  }

  /** The history so far. Invocations still outstanding appear without completion. */
  public synchronized History history() {
    return History.of(ops);
  }

  /** Nanoseconds since this recorder was created, by its clock. */
  public long elapsedNs() {
    return nanoClock.getAsLong() - startNs;
  }

  /** Closes the stream file, if any; recording after close fails. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (out == null) {
      return;
    }
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close history file", e);
    }
  }

  private Op record(
      int process, OpType type, String f, String key, Object value, String node, String error) {
    if (closed) {
      throw new IllegalStateException("recorder is closed");
    }
    if (ops.size() >= opsMax) {
      throw new IllegalStateException("history is full: opsMax " + opsMax);
    }
    Op op = new Op(ops.size(), process, type, f, key, value, elapsedNs(), node, error);
    if (out != null) {
      // Durability of the history matters more than throughput here: a crashed run must still
      // leave every op it recorded, so flush each line. Failing loudly beats a silent gap.
      try {
        out.write(OpJson.toLine(op));
        out.write('\n');
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write history line", e);
      }
    }
    ops.add(op);
    return op;
  }
}
