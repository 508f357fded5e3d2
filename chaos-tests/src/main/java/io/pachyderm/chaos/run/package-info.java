/**
 * Running the chaos suite: {@link io.pachyderm.chaos.run.ChaosRunner} performs one run end to end
 * (hosts, nodes, clients, nemesis, healing, final reads, checkers, report);
 * {@link io.pachyderm.chaos.run.ChaosRun} is its command line ({@code chaos-tests/run.sh}).
 */
package io.pachyderm.chaos.run;
