/**
 * The simulation ecosystem: {@link io.pachyderm.simulation.Simulation} (an {@code Entities} in
 * memory, deterministic per seed, on a simulated clock) and {@link io.pachyderm.simulation.Explorer}
 * (every delivery order, seeded and PCT walks, faults). A step runs through the node's replica
 * core ({@code io.pachyderm.replica}: the leader's {@code Decider}, the {@code Replica}'s apply and
 * outbox), so the rules checked are the node's; this package only chooses what happens next and
 * keeps the immutable {@link io.pachyderm.simulation.World}s the explorer goes back to.
 */
package io.pachyderm.simulation;
