/**
 * The side-by-side suite of {@code benchmarks/versus.sh} (issue 15): the same state-dependent
 * update, closed loop with the same callers and payload, against a three-node Pachyderm cluster
 * (node JVMs started by the script), a raw-Ratis baseline with the node's Ratis settings, a
 * three-member etcd, PostgreSQL with optimistic concurrency and the local ecosystem, all driven
 * from one load-generator JVM ({@link io.pachyderm.bench.versus.Versus}); one table, with the
 * issue's targets checked. Nothing here asserts on time: the tests cover the pure parts.
 */
package io.pachyderm.bench.versus;
