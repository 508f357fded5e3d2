package io.pachyderm.chaos.workload;

import io.pachyderm.api.Entities;
import io.pachyderm.chaos.checker.Checker;
import io.pachyderm.chaos.checker.Dispatch;
import io.pachyderm.client.PachydermClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
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
   * argument is recorded) or with what a checker needs from the reply (for example the version a
   * write reached); fails with the client's exception.
   */
  CompletableFuture<Object> invoke(Entities client, OpSpec op);

  /** Reads {@code key} the way a final read records it, through {@code nodeClient} (stale mode). */
  CompletableFuture<Object> finalRead(Entities nodeClient, String key);

  /** The keys to read at the end, on every node. */
  List<String> keys();

  /** The checkers of this workload; {@code dispatches} are the effects every node logged. */
  List<Checker> checkers(List<Dispatch> dispatches);

  /**
   * Whether the final reads must wait until every node reports empty outboxes (no pending
   * entity-to-entity message, no pending at-least-once effect): the work a command left behind
   * is part of what the checkers judge. False by default.
   */
  default boolean drainsOutboxes() {
    return false;
  }

  /** Extra {@code ChaosNode} options this workload needs (effect retry, injected failures); none by default. */
  default List<String> nodeArgs() {
    return List.of();
  }

  /**
   * What a workload may use of the cluster beside its client processes.
   *
   * @param newClient a new client of the whole cluster (the caller closes it)
   * @param nodeIds every node's id, for reads addressed to one node
   */
  record ClusterAccess(Supplier<PachydermClient> newClient, List<String> nodeIds) {
    public ClusterAccess {
      nodeIds = List.copyOf(nodeIds);
    }
  }

  /**
   * Starts work that runs beside the client processes for the whole run, faults included (the
   * follow workload's followers). Called once, before the clients start; nothing by default.
   */
  default void start(ClusterAccess cluster) {}

  /**
   * After healing and recovery (and draining), before the final reads: finishes what {@link
   * #start} began and collects what the checkers need, noting figures in {@code info}. Nothing
   * by default.
   */
  default void finish(ClusterAccess cluster, Map<String, String> info) throws InterruptedException {}

  /** Stops what {@link #start} began if {@link #finish} did not run (the run failed); idempotent. */
  default void stop() {}

  /** The workload named {@code name}, one of {@link #NAMES}, in its default shape. */
  static Workload named(String name) {
    return named(name, WorkloadShape.DEFAULT);
  }

  /**
   * The workload named {@code name}, one of {@link #NAMES}, shaped by {@code shape}.
   *
   * @throws IllegalArgumentException for an unknown name, or a shape the workload does not take
   *     (bank and follow take none)
   */
  static Workload named(String name, WorkloadShape shape) {
    return switch (name) {
      case "register" -> new RegisterWorkload(shape);
      case "counter" -> new CounterWorkload(false, shape);
      case "append" -> new AppendWorkload(shape);
      case "effects" -> new CounterWorkload(true, shape);
      case "effects-alo" -> new ReliableEffectsWorkload(shape);
      case "bank", "follow" -> {
        if (!shape.isDefault()) {
          throw new IllegalArgumentException("workload " + name + " has a fixed shape and takes neither keys nor a "
              + "read fraction (" + shape.describe() + ")");
        }
        yield name.equals("bank") ? new BankWorkload() : new FollowWorkload();
      }
      default -> throw new IllegalArgumentException("unknown workload '" + name + "'; expected one of " + NAMES);
    };
  }

  /** Names accepted by {@link #named}. */
  List<String> NAMES = List.of("register", "counter", "append", "effects", "effects-alo", "bank", "follow");
}
