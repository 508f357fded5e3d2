package io.pachyderm.chaos.nodes;

import io.pachyderm.chaos.checker.Dispatch;
import io.pachyderm.chaos.workload.EffectCounterEntity;
import io.pachyderm.chaos.workload.ReliableEffectCounterEntity;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EffectHandler;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The effect handlers of a chaos node and the file they log to: one JSON line per dispatch (see
 * {@link Dispatch}), written with one {@code write} call per line. A {@code kill -9} cannot lose a
 * line that was written (the page cache survives the process), and can at worst leave none; so the
 * file holds every dispatch this node performed, which is what the effects checker judges.
 *
 * <ul>
 *   <li>{@link #atMostOnce()}, the {@value EffectCounterEntity#DISPATCH_HANDLER} handler: logs
 *       each dispatch.
 *   <li>{@link #atLeastOnce}, the {@value ReliableEffectCounterEntity#DISPATCH_HANDLER} handler:
 *       logs each attempt with the effect's identity from the payload, this node's attempt
 *       number, the node's role and term at that moment, and whether the attempt succeeded; and
 *       fails the attempts the {@link FailurePlan} picks, after logging them, to exercise retries.
 * </ul>
 *
 * <p>Thread-safe: lines from concurrent dispatcher threads never interleave.
 */
final class DispatchLog implements AutoCloseable {
  /**
   * Attempts are counted per key in memory, for at most this many keys (oldest forgotten first). A
   * forgotten key counts from 1 again, so at worst its first attempt fails once more.
   */
  static final int COUNTED_KEYS_MAX = 100_000;

  /** The node's role when a handler runs. */
  record Role(boolean leader, long term) {}

  /** Reads the node's role; {@code term} 0 when it cannot tell (not started yet). */
  @FunctionalInterface
  interface RoleProbe {
    Role now();
  }

  /**
   * Which attempts fail on purpose: attempts {@code 1..attempts} on a node of every key whose hash
   * is a multiple of {@code everyNthKey}. Deterministic in key and attempt, so every node fails
   * the same attempts of the same effects. {@code everyNthKey} 0 fails nothing.
   */
  record FailurePlan(int everyNthKey, int attempts) {
    static final FailurePlan NONE = new FailurePlan(0, 0);

    FailurePlan {
      if (everyNthKey < 0 || attempts < 0) {
        throw new IllegalArgumentException("everyNthKey and attempts must be >= 0: " + everyNthKey + ", " + attempts);
      }
    }

    boolean fails(String idempotencyKey, int attempt) {
      return everyNthKey > 0 && attempt <= attempts && Math.floorMod(idempotencyKey.hashCode(), everyNthKey) == 0;
    }
  }

  /** Thrown by the at-least-once handler for a planned failure. */
  static final class InjectedFailure extends Exception {
    InjectedFailure(String message) {
      super(message);
    }
  }

  private final FileOutputStream out;
  private final Map<String, Integer> attempts = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > COUNTED_KEYS_MAX;
    }
  };

  DispatchLog(Path file) {
    try {
      this.out = new FileOutputStream(file.toFile(), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the dispatch log " + file, e);
    }
  }

  /** The at-most-once handler: logs the dispatch. */
  EffectHandler<EffectCounterEntity.Reached> atMostOnce() {
    return (effect, ctx) -> append(new Dispatch(ctx.nodeId(), ctx.term(), ctx.logIndex(), ctx.idempotencyKey()));
  }

  /** The at-least-once handler: logs the attempt, then fails it if {@code plan} says so. */
  EffectHandler<ReliableEffectCounterEntity.Due> atLeastOnce(FailurePlan plan, RoleProbe probe) {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(probe, "probe");
    return (due, ctx) -> attempt(due, ctx, plan, probe);
  }

  private void attempt(ReliableEffectCounterEntity.Due due, EffectContext ctx, FailurePlan plan, RoleProbe probe)
      throws IOException, InjectedFailure {
    String key = ctx.idempotencyKey();
    int attempt;
    synchronized (attempts) {
      attempt = attempts.merge(key, 1, Integer::sum);
    }
    boolean fail = plan.fails(key, attempt);
    Role role = probe.now();
    append(Dispatch.attempt(ctx.nodeId(), ctx.term(), ctx.logIndex(), key, due.effectId(), attempt, !fail,
        role.term(), role.leader(), System.currentTimeMillis()));
    if (fail) {
      throw new InjectedFailure("planned failure of attempt " + attempt + " of " + key + " (" + plan + ")");
    }
  }

  private void append(Dispatch dispatch) throws IOException {
    byte[] bytes = (dispatch.toJsonLine() + "\n").getBytes(StandardCharsets.UTF_8);
    synchronized (out) {
      out.write(bytes);
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
