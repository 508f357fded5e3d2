package io.pachyderm.chaos.workload;

import io.pachyderm.api.Entities;
import io.pachyderm.api.ReadMode;
import io.pachyderm.chaos.checker.Checker;
import io.pachyderm.chaos.checker.Dispatch;
import io.pachyderm.chaos.checker.EffectsChecker;
import io.pachyderm.chaos.checker.LinearizabilityChecker;
import io.pachyderm.chaos.history.Op;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;

/**
 * Counters: adds of 1 and linearizable reads, checked against the counter model. With
 * {@code effects}, the counters are {@link EffectCounterEntity}s, whose every add emits an
 * at-most-once effect; the nodes' dispatch logs are then checked too.
 */
final class CounterWorkload implements Workload {
  private static final int ACTIVE_KEYS = 4;
  private static final int OPS_PER_KEY_MAX = 150;

  private final boolean effects;
  private final KeyPool keys;
  private final WorkloadShape shape;

  CounterWorkload(boolean effects, WorkloadShape shape) {
    this.effects = effects;
    this.shape = shape;
    this.keys = shape.keyPool(effects ? "e" : "c", ACTIVE_KEYS, OPS_PER_KEY_MAX);
  }

  @Override
  public String name() {
    return effects ? "effects" : "counter";
  }

  @Override
  public OpSpec next(RandomGenerator random) {
    String key = keys.next(random);
    // Mostly adds: each one is an effect to account for in the effects workload.
    return shape.nextIsWrite(random, 7) ? new OpSpec(Op.ADD, key, 1L) : new OpSpec(Op.READ, key, null);
  }

  @Override
  public CompletableFuture<Object> invoke(Entities client, OpSpec op) {
    if (Op.ADD.equals(op.f())) {
      CompletableFuture<Long> sent = effects
          ? client.sendAsync(EffectCounterEntity.TYPE.ref(op.key()), new EffectCounterEntity.Add(op.number()))
          : client.sendAsync(CounterEntity.TYPE.ref(op.key()), new CounterEntity.Add(op.number()));
      return sent.thenApply(version -> null);
    }
    return read(client, op.key(), ReadMode.LINEARIZABLE);
  }

  @Override
  public CompletableFuture<Object> finalRead(Entities nodeClient, String key) {
    return read(nodeClient, key, ReadMode.STALE);
  }

  private CompletableFuture<Object> read(Entities client, String key, ReadMode mode) {
    if (effects) {
      return client.queryAsync(EffectCounterEntity.TYPE.ref(key), mode).thenApply(s -> s.state().count());
    }
    return client.queryAsync(CounterEntity.TYPE.ref(key), mode).thenApply(s -> s.state().count());
  }

  @Override
  public List<String> keys() {
    return keys.all();
  }

  @Override
  public List<Checker> checkers(List<Dispatch> dispatches) {
    Checker counter = new LinearizabilityChecker(LinearizabilityChecker.Model.COUNTER);
    return effects ? List.of(counter, new EffectsChecker(dispatches)) : List.of(counter);
  }
}
