package io.pachyderm.examples.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.Entities;
import io.pachyderm.api.QueryResult;
import io.pachyderm.api.ReadMode;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.examples.testkit.Locals;
import io.pachyderm.local.LocalPachyderm;
import io.pachyderm.simulation.Simulation;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Named queries" example, on the embedded store and in a simulation: it must compile and hold. */
class AccountQueryTest {
  @TempDir
  Path dir;

  @Test
  void theReadmeQueryExampleWorksOnTheLocalStore() {
    try (LocalPachyderm local = Locals.open(dir)) {
      checkReadmeExample(local);
    }
  }

  @Test
  void theReadmeQueryExampleWorksInASimulation() {
    checkReadmeExample(Simulation.builder(EntityTypes.of(Account.TYPE)).seed(3).build());
  }

  @Test
  void aTransferChangesTheAnswers() {
    Simulation sim = Simulation.builder(EntityTypes.of(Account.TYPE)).seed(3).build();
    sim.call(Account.TYPE.ref("alice"), new Account.Transfer("t1", "bob", 80_00));
    assertThat(sim.query(Account.TYPE.ref("alice"), Account.BALANCE)).isEqualTo(20_00);
    assertThat(sim.query(Account.TYPE.ref("alice"), Account.CAN_PAY, new Account.Amount(25_00))).isFalse();
    assertThat(sim.query(Account.TYPE.ref("bob"), Account.BALANCE)).isEqualTo(180_00);
  }

  private static void checkReadmeExample(Entities entities) {
    // --- as in README.md ---
    EntityRef<Account.State, Account.Command> alice = Account.TYPE.ref("alice");
    long cents = entities.query(alice, Account.BALANCE);                            // linearizable
    boolean covered = entities.query(alice, Account.CAN_PAY, new Account.Amount(25_00));
    QueryResult<Long> stale = entities.queryAsync(alice, Account.BALANCE, null, ReadMode.STALE).join();
    stale.result();   // the answer
    stale.version();  // the entity's version in the state the query ran on
    // --- end of the README example ---

    assertThat(cents).isEqualTo(Account.OPENING_BALANCE_CENTS);
    assertThat(covered).isTrue();
    assertThat(stale).isEqualTo(new QueryResult<>(Account.OPENING_BALANCE_CENTS, 0));
    assertThat(Account.TYPE.queryNames()).containsExactly("balance", "can-pay");
    assertThatThrownBy(() -> entities.query(alice, Account.CAN_PAY, null))
        .isInstanceOfSatisfying(CommandRejectedException.class,
            e -> assertThat(e.kind()).isEqualTo(RejectionKind.INVALID_REQUEST));
  }
}
