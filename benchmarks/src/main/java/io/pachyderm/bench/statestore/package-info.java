/**
 * The entity state store benchmark behind {@code benchmarks/run.sh state-store} (issue 14): the
 * driver ({@link io.pachyderm.bench.statestore.StateStoreBenchmark}) runs each measurement in a
 * child JVM under a watchdog and prints every figure for each store on adjacent lines;
 * {@link io.pachyderm.bench.statestore.StoreKind} is the one place where {@code --store heap|disk}
 * reaches a node builder (the load benchmark uses it too). Nothing here asserts on time.
 */
package io.pachyderm.bench.statestore;
