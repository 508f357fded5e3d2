/**
 * Running the chaos suite: {@link io.pachyderm.chaos.run.ChaosRunner} performs one run end to end
 * (hosts, nodes, clients, nemesis, healing, final reads, checkers, report);
 * {@link io.pachyderm.chaos.run.ChaosRun} is its command line ({@code chaos-tests/run.sh});
 * {@link io.pachyderm.chaos.run.ChaosScenario} is the entry point from code, for a user's own
 * entity types, workload and schedule; {@link io.pachyderm.chaos.run.Recovery} holds the steps
 * after the faults (recovery wait, draining, final reads) for harnesses of their own.
 */
package io.pachyderm.chaos.run;
