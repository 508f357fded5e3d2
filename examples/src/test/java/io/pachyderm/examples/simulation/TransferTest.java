package io.pachyderm.examples.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pachyderm.entity.EntityTypes;
import io.pachyderm.examples.bank.Account;
import io.pachyderm.simulation.Explorer;
import io.pachyderm.simulation.Simulation;
import io.pachyderm.testing.ExplorationAssert;
import io.pachyderm.testing.Seed;
import io.pachyderm.testing.SimulationSeeds;
import io.pachyderm.testing.SimulationTest;

/** README's test-support example, verbatim: it must compile and pass as printed. */
class TransferTest {
  static final EntityTypes TYPES = EntityTypes.of(Account.TYPE);

  @SimulationTest                                   // a fresh seed each run, or -Dpachyderm.seed=N
  void aTransferMovesMoney(@Seed long seed) {
    Simulation sim = Simulation.builder(TYPES).seed(seed).build();
    sim.call(Account.TYPE.ref("alice"), new Account.Transfer("t1", "bob", 25_00));
    assertEquals(125_00, sim.query(Account.TYPE.ref("bob")).state().balanceCents());
  }

  @SimulationSeeds(count = 20)                      // 20 invocations, named "seed 1234", ...
  void racingTransfersNeverOverdraw(@Seed long seed) {
    Explorer explorer = Explorer.of(TYPES)
        .command(Account.TYPE.ref("alice"), new Account.Transfer("t1", "bob", 60_00))
        .command(Account.TYPE.ref("alice"), new Account.Transfer("t2", "carol", 60_00));
    ExplorationAssert.assertThat(explorer.randomWalks(seed, 50))
        .hasNoFailure()
        .allFinalWorldsSatisfy("alice never below zero",
            w -> w.state(Account.TYPE.ref("alice")).balanceCents() >= 0);
  }
}
