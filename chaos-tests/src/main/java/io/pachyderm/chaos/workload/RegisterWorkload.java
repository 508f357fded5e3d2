package io.pachyderm.chaos.workload;

import io.pachyderm.api.Entities;
import io.pachyderm.api.EntityState;
import io.pachyderm.api.ReadMode;
import io.pachyderm.chaos.checker.Checker;
import io.pachyderm.chaos.checker.Dispatch;
import io.pachyderm.chaos.checker.LinearizabilityChecker;
import io.pachyderm.chaos.history.Op;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Registers: half writes of unique values, half linearizable reads, on a few keys at a time.
 * Checked for per-key linearizability. A read of a register never written records null.
 */
final class RegisterWorkload implements Workload {
  private static final int ACTIVE_KEYS = 4;
  /** Short key histories keep the linearizability search cheap even with many unknown outcomes. */
  private static final int OPS_PER_KEY_MAX = 150;

  private final KeyPool keys;
  private final WorkloadShape shape;
  private final AtomicLong values = new AtomicLong();

  RegisterWorkload(WorkloadShape shape) {
    this.shape = shape;
    this.keys = shape.keyPool("r", ACTIVE_KEYS, OPS_PER_KEY_MAX);
  }

  @Override
  public String name() {
    return "register";
  }

  @Override
  public OpSpec next(RandomGenerator random) {
    String key = keys.next(random);
    // Without a read fraction, the draw the register workload always made (half reads), so old seeds replay.
    boolean write = shape.readFraction().isPresent() ? shape.nextIsWrite(random, 5) : random.nextBoolean();
    return write ? new OpSpec(Op.WRITE, key, values.incrementAndGet()) : new OpSpec(Op.READ, key, null);
  }

  @Override
  public CompletableFuture<Object> invoke(Entities client, OpSpec op) {
    if (Op.WRITE.equals(op.f())) {
      return client.sendAsync(RegisterEntity.TYPE.ref(op.key()), new RegisterEntity.Write(op.number()))
          .thenApply(version -> null);
    }
    return read(client, op.key(), ReadMode.LINEARIZABLE);
  }

  @Override
  public CompletableFuture<Object> finalRead(Entities nodeClient, String key) {
    return read(nodeClient, key, ReadMode.STALE);
  }

  private static CompletableFuture<Object> read(Entities client, String key, ReadMode mode) {
    return client.queryAsync(RegisterEntity.TYPE.ref(key), mode).thenApply(RegisterWorkload::valueOf);
  }

  private static Object valueOf(EntityState<RegisterEntity.State> s) {
    return s.state().written() ? s.state().value() : null;
  }

  @Override
  public List<String> keys() {
    return keys.all();
  }

  @Override
  public List<Checker> checkers(List<Dispatch> dispatches) {
    return List.of(new LinearizabilityChecker(LinearizabilityChecker.Model.REGISTER));
  }
}
