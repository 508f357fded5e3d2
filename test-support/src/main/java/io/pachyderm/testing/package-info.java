/**
 * JUnit 5 integration for the simulation ecosystem ({@code io.pachyderm.simulation}). Add
 * {@code io.pachyderm:test-support} to your test scope; it brings {@code junit-jupiter-api}.
 *
 * <pre>{@code
 * class TransferTest {
 *   static final EntityTypes TYPES = EntityTypes.of(Account.TYPE);
 *
 *   @SimulationTest                                   // one run, a fresh seed each time
 *   void aTransferMovesMoney(@Seed long seed) {
 *     Simulation sim = Simulation.builder(TYPES).seed(seed).build();
 *     sim.call(Account.TYPE.ref("alice"), new Transfer("t1", "bob", 25_00));
 *     assertEquals(125_00, sim.query(Account.TYPE.ref("bob")).state().balanceCents());
 *   }
 *
 *   @SimulationSeeds(count = 20)                      // 20 invocations, "seed 1234", ...
 *   void racingTransfersConserveMoney(@Seed long seed) {
 *     Explorer explorer = Explorer.of(TYPES)
 *         .command(Account.TYPE.ref("alice"), new Transfer("t1", "bob", 25_00))
 *         .command(Account.TYPE.ref("bob"), new Transfer("t2", "alice", 10_00));
 *     ExplorationAssert.assertThat(explorer.randomWalks(seed, 50))
 *         .hasNoFailure()
 *         .allFinalWorldsSatisfy("money is conserved", w -> total(w) == 200_00);
 *   }
 * }
 * }</pre>
 *
 * <p>A failing test's message ends with {@code replay with -Dpachyderm.seed=<seed>} (with Maven:
 * {@code mvn test -Dtest=TransferTest -Dpachyderm.seed=<seed>}); a failure that carries an
 * {@code Explorer} schedule also names the file it was saved to, under
 * {@code target/pachyderm-simulation/}, which {@code explorer.replay(Schedule.load(path))} reruns
 * step by step. See {@link io.pachyderm.testing.SimulationExtension} for the details.
 */
package io.pachyderm.testing;
