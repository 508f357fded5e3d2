package io.pachyderm.chaos.history;

import java.util.List;

/**
 * Crafts histories for tests through the real {@link HistoryRecorder}, on a clock that advances
 * one millisecond per recorded op, so the ops read in the order they are written here.
 */
public final class HistoryBuilder {
  private long nowNs;
  private final HistoryRecorder recorder =
      new HistoryRecorder(null, () -> nowNs, HistoryRecorder.OPS_MAX_DEFAULT);

  /** Sets the clock, in nanoseconds since the start; later ops keep advancing from there. */
  public HistoryBuilder at(long timeNs) {
    nowNs = timeNs;
    return this;
  }

  private void tick() {
    nowNs += 1_000_000;
  }

  public Op invoke(int process, String f, String key, Object value) {
    tick();
    return recorder.invoke(process, f, key, value);
  }

  public Op write(int process, String key, long value) {
    return invoke(process, Op.WRITE, key, value);
  }

  public Op add(int process, String key, long value) {
    return invoke(process, Op.ADD, key, value);
  }

  public Op append(int process, String key, long element) {
    return invoke(process, Op.APPEND, key, element);
  }

  public Op read(int process, String key) {
    return invoke(process, Op.READ, key, null);
  }

  /** OK for a write/add/append (the argument is recorded). */
  public Op ok(Op invocation) {
    tick();
    return recorder.complete(invocation, OpType.OK, null, null);
  }

  /** OK for a read, with the value read ({@code Long}, {@code List<Long>} or null). */
  public Op ok(Op invocation, Object value) {
    tick();
    return recorder.complete(invocation, OpType.OK, value, null);
  }

  public Op fail(Op invocation) {
    tick();
    return recorder.complete(invocation, OpType.FAIL, null, "rejected");
  }

  public Op info(Op invocation) {
    tick();
    return recorder.complete(invocation, OpType.INFO, null, "timeout");
  }

  /** A write/add/append invoked and acknowledged at once. */
  public Op done(int process, String f, String key, long value) {
    return ok(invoke(process, f, key, value));
  }

  /** A read invoked and completed at once with {@code value}. */
  public Op readOk(int process, String key, Object value) {
    return ok(read(process, key), value);
  }

  public Op finalRead(String node, String key, List<Long> value) {
    tick();
    return recorder.finalRead(node, key, value);
  }

  public Op finalRead(String node, String key, Long value) {
    tick();
    return recorder.finalRead(node, key, value);
  }

  public History build() {
    return recorder.history();
  }
}
