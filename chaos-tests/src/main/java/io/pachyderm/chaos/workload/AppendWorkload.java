package io.pachyderm.chaos.workload;

import io.pachyderm.api.Entities;
import io.pachyderm.api.ReadMode;
import io.pachyderm.chaos.checker.AppendChecker;
import io.pachyderm.chaos.checker.Checker;
import io.pachyderm.chaos.checker.Dispatch;
import io.pachyderm.chaos.history.Op;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Append lists: appends of unique elements (a global counter) and linearizable reads of whole
 * lists. Checked for lost, duplicated and reordered elements and for agreement of the final
 * reads of every node.
 */
final class AppendWorkload implements Workload {
  private static final int ACTIVE_KEYS = 4;
  private static final int OPS_PER_KEY_MAX = 300;

  private final KeyPool keys;
  private final WorkloadShape shape;
  private final AtomicLong elements = new AtomicLong();

  AppendWorkload(WorkloadShape shape) {
    this.shape = shape;
    this.keys = shape.keyPool("a", ACTIVE_KEYS, OPS_PER_KEY_MAX);
  }

  @Override
  public String name() {
    return "append";
  }

  @Override
  public OpSpec next(RandomGenerator random) {
    String key = keys.next(random);
    return shape.nextIsWrite(random, 7) ? new OpSpec(Op.APPEND, key, elements.incrementAndGet())
        : new OpSpec(Op.READ, key, null);
  }

  @Override
  public CompletableFuture<Object> invoke(Entities client, OpSpec op) {
    if (Op.APPEND.equals(op.f())) {
      return client.sendAsync(AppendListEntity.TYPE.ref(op.key()), new AppendListEntity.Append(op.number()))
          .thenApply(version -> null);
    }
    return read(client, op.key(), ReadMode.LINEARIZABLE);
  }

  @Override
  public CompletableFuture<Object> finalRead(Entities nodeClient, String key) {
    return read(nodeClient, key, ReadMode.STALE);
  }

  private static CompletableFuture<Object> read(Entities client, String key, ReadMode mode) {
    return client.queryAsync(AppendListEntity.TYPE.ref(key), mode).thenApply(s -> s.state().elements());
  }

  @Override
  public List<String> keys() {
    return keys.all();
  }

  @Override
  public List<Checker> checkers(List<Dispatch> dispatches) {
    return List.of(new AppendChecker());
  }
}
