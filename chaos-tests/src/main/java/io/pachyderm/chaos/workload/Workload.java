package io.pachyderm.chaos.workload;

import io.pachyderm.api.Entities;
import io.pachyderm.chaos.checker.Checker;
import io.pachyderm.chaos.checker.Dispatch;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;

/**
 * What clients do during a run, and how the result is judged. Implementations are thread-safe:
 * every client process calls {@link #next} and {@link #invoke} concurrently.
 */
public interface Workload {
  /** The name used on the command line and in reports. */
  String name();

  /** The next operation of some process. */
  OpSpec next(RandomGenerator random);

  /**
   * Performs {@code op}. Completes with the value read for reads, with null for writes (the
   * argument is recorded); fails with the client's exception.
   */
  CompletableFuture<Object> invoke(Entities client, OpSpec op);

  /** Reads {@code key} the way a final read records it, through {@code nodeClient} (stale mode). */
  CompletableFuture<Object> finalRead(Entities nodeClient, String key);

  /** The keys to read at the end, on every node. */
  List<String> keys();

  /** The checkers of this workload; {@code dispatches} are the effects every node logged. */
  List<Checker> checkers(List<Dispatch> dispatches);

  /** The workload named {@code name}: register, counter, append or effects. */
  static Workload named(String name) {
    return switch (name) {
      case "register" -> new RegisterWorkload();
      case "counter" -> new CounterWorkload(false);
      case "append" -> new AppendWorkload();
      case "effects" -> new CounterWorkload(true);
      default -> throw new IllegalArgumentException("unknown workload '" + name
          + "'; expected register, counter, append or effects");
    };
  }

  /** Names accepted by {@link #named}. */
  List<String> NAMES = List.of("register", "counter", "append", "effects");
}
