package io.pachyderm.chaos.workload;

import io.pachyderm.api.Entities;
import io.pachyderm.api.ReadMode;
import io.pachyderm.chaos.checker.Checker;
import io.pachyderm.chaos.checker.Dispatch;
import io.pachyderm.chaos.checker.EffectsChecker;
import io.pachyderm.chaos.checker.LinearizabilityChecker;
import io.pachyderm.chaos.history.History;
import io.pachyderm.chaos.history.Op;
import io.pachyderm.chaos.history.OpPair;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;

/**
 * Reliable (at-least-once) effects: adds of 1 to {@link ReliableEffectCounterEntity}s, each
 * emitting one at-least-once effect, and linearizable reads. The nodes' handler logs every
 * attempt and fails some of them on purpose ({@link #FAIL_EVERY_NTH_KEY}, {@link #FAIL_ATTEMPTS}),
 * so retries are exercised on every run; the nodes retry with a short backoff so that the outbox
 * drains soon after the nemesis heals.
 *
 * <p>An OK add records the version it reached; every committed version owes one effect. The
 * harness drains the outboxes before the final reads; then the effects checker, in its
 * at-least-once mode, requires a successful dispatch of every effect of a committed add (those
 * acknowledged, and all versions up to the final count), one idempotency key per effect, only
 * leaders dispatching, and no effect of a version beyond the final count. The counter model checks
 * the adds and reads themselves.
 */
final class ReliableEffectsWorkload implements Workload {
  private static final int ACTIVE_KEYS = 4;
  private static final int OPS_PER_KEY_MAX = 150;
  /** The nodes fail attempts of every 3rd effect (by key hash) ... */
  static final int FAIL_EVERY_NTH_KEY = 3;
  /** ... namely each node's first attempt of it. */
  static final int FAIL_ATTEMPTS = 1;
  /** Short, so that retries finish within the drain wait; attempts are cheap (a local file write). */
  private static final long BACKOFF_MIN_MS = 50;
  private static final long BACKOFF_MAX_MS = 1000;
  /** The node's default: an effect failing this often lands in the dead-letter store, and the checker reports it missing. */
  private static final int ATTEMPTS_MAX = 10;

  private final KeyPool keys;
  private final WorkloadShape shape;

  ReliableEffectsWorkload(WorkloadShape shape) {
    this.shape = shape;
    this.keys = shape.keyPool("l", ACTIVE_KEYS, OPS_PER_KEY_MAX);
  }

  @Override
  public String name() {
    return "effects-alo";
  }

  @Override
  public OpSpec next(RandomGenerator random) {
    String key = keys.next(random);
    return shape.nextIsWrite(random, 7) ? new OpSpec(Op.ADD, key, 1L) : new OpSpec(Op.READ, key, null);
  }

  /** An add completes with the version it reached: the effect it owes is {@code key@version}. */
  @Override
  public CompletableFuture<Object> invoke(Entities client, OpSpec op) {
    if (Op.ADD.equals(op.f())) {
      return client.sendAsync(ReliableEffectCounterEntity.TYPE.ref(op.key()),
          new ReliableEffectCounterEntity.Add(op.number())).thenApply(version -> (Object) version);
    }
    return read(client, op.key(), ReadMode.LINEARIZABLE);
  }

  @Override
  public CompletableFuture<Object> finalRead(Entities nodeClient, String key) {
    return read(nodeClient, key, ReadMode.STALE);
  }

  private static CompletableFuture<Object> read(Entities client, String key, ReadMode mode) {
    return client.queryAsync(ReliableEffectCounterEntity.TYPE.ref(key), mode).thenApply(s -> s.state().count());
  }

  @Override
  public List<String> keys() {
    return keys.all();
  }

  @Override
  public boolean drainsOutboxes() {
    return true;
  }

  @Override
  public List<String> nodeArgs() {
    return List.of("--effect-attempts-max", Integer.toString(ATTEMPTS_MAX),
        "--effect-backoff-min-ms", Long.toString(BACKOFF_MIN_MS),
        "--effect-backoff-max-ms", Long.toString(BACKOFF_MAX_MS),
        "--fail-every-nth-effect", Integer.toString(FAIL_EVERY_NTH_KEY),
        "--fail-effect-attempts", Integer.toString(FAIL_ATTEMPTS));
  }

  @Override
  public List<Checker> checkers(List<Dispatch> dispatches) {
    return List.of(new LinearizabilityChecker(LinearizabilityChecker.Model.COUNTER),
        new EffectsChecker(dispatches, EffectsChecker.Guarantee.AT_LEAST_ONCE, ReliableEffectsWorkload::expected));
  }

  /**
   * The effects a history owes. Every add is +1 and emits one effect, so an entity at count
   * {@code c} has committed exactly the adds of versions 1..c, each owing {@code entity@version};
   * an OK add owes the one of the version it reported. The final count is the highest any node
   * read (the nodes agree unless something else is broken, which the counter model reports). An
   * effect of a version above the final count cannot have committed; for entities without a final
   * read nothing is known.
   */
  static EffectsChecker.Expected expected(History history) {
    Set<String> required = new TreeSet<>();
    Map<String, Long> finalCount = new TreeMap<>();
    for (OpPair pair : history.pairs()) {
      Op end = pair.completion();
      if (end == null || !end.isOk() || !(end.value() instanceof Long n)) {
        continue;
      }
      if (Op.ADD.equals(pair.f())) {
        required.add(ReliableEffectCounterEntity.Due.effectId(pair.key(), n));
      } else if (Op.FINAL_READ.equals(pair.f())) {
        finalCount.merge(pair.key(), n, Math::max);
      }
    }
    for (Map.Entry<String, Long> e : finalCount.entrySet()) {
      for (long v = 1; v <= e.getValue(); v++) {
        required.add(ReliableEffectCounterEntity.Due.effectId(e.getKey(), v));
      }
    }
    return new EffectsChecker.Expected(required, id -> mayHaveCommitted(id, finalCount));
  }

  private static boolean mayHaveCommitted(String effectId, Map<String, Long> finalCount) {
    int at = effectId.lastIndexOf('@');
    if (at < 0) {
      return true;
    }
    Long count = finalCount.get(effectId.substring(0, at));
    if (count == null) {
      return true;
    }
    try {
      return Long.parseLong(effectId.substring(at + 1)) <= count;
    } catch (NumberFormatException e) {
      return true;
    }
  }
}
