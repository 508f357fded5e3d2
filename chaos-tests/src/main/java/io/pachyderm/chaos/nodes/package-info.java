/**
 * Chaos node processes: {@link io.pachyderm.chaos.nodes.ChaosNode}, the node main class run in
 * each namespace, and {@link io.pachyderm.chaos.nodes.ChaosCluster}, which starts, kills, pauses
 * and watches them from the harness; {@link io.pachyderm.chaos.nodes.DataDisks} gives each node's
 * data directory a filesystem of its own for the storage faults.
 */
package io.pachyderm.chaos.nodes;
