package io.pachyderm.examples.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.examples.bank.Account;
import io.pachyderm.simulation.Counterexample;
import io.pachyderm.simulation.Exploration;
import io.pachyderm.simulation.Failure;
import io.pachyderm.simulation.Rules;
import io.pachyderm.simulation.World;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bank transfers, model-checked: four transfers among three accounts in flight at once, and the
 * two invariants of {@link Scenarios#bankTransfers()} (money is conserved counting the credits in
 * flight; no balance is negative) checked after every step of every order.
 */
class BankExplorationTest {

  @Test
  void moneyIsConservedAndNoBalanceIsNegativeInEveryOrder() {
    Exploration e = Scenarios.bankTransfers().exhaust().assertNoFailure();
    System.out.println("bank, 4 transfers among 3 accounts: " + e);

    assertThat(e.complete()).isTrue();
    assertThat(e.statesVisited()).isGreaterThan(e.finals().size());
    // Account a pays 60.00 twice from 100.00: one payment is refused unless c's 70.00 lands first.
    assertThat(e.finals()).extracting(f -> balances(f.world())).containsExactlyInAnyOrder(
        List.of(110_00L, 110_00L, 80_00L),    // t1 paid, t2 refused
        List.of(110_00L, 50_00L, 140_00L),    // t2 paid, t1 refused
        List.of(50_00L, 110_00L, 140_00L));   // both paid: c's credit reached a first
    for (Exploration.FinalWorld f : e.finals()) {
      assertThat(f.world().isQuiescent()).isTrue();
      assertThat(Scenarios.balancesCents(f.world())).isEqualTo(Scenarios.TOTAL_CENTS);
    }
  }

  @Test
  void stateHashingFindsTheSameFinalWorldsVisitingFewerStates() {
    Exploration hashed = Scenarios.bankTransfers().exhaust().assertNoFailure();
    Exploration every = Scenarios.bankTransfers().stateHashing(false).exhaust().assertNoFailure();

    assertThat(every.complete()).isTrue();
    assertThat(every.finals()).extracting(f -> balances(f.world()))
        .containsExactlyInAnyOrderElementsOf(hashed.finals().stream().map(f -> balances(f.world())).toList());
    assertThat(hashed.statesVisited()).isLessThan(every.statesVisited());
    assertThat(every.revisits()).isZero();
  }

  @Test
  void restartsRebuildEveryAccountFromItsEventsToTheSameState() {
    // A restart folds the entity's events again: a non-deterministic apply would be a failure.
    Exploration e = Scenarios.bankTransfers().rules(Rules.DEFAULT.withRestarts(1)).exhaust().assertNoFailure();

    assertThat(e.complete()).isTrue();
    assertThat(e.finals()).hasSize(3);
  }

  @Test
  void aDuplicatedCreditWouldMintMoney() {
    // Account credits are not idempotent: applied twice, a credit pays twice. The cluster delivers
    // each message exactly once, which is what makes that fine; on a network that duplicated, the
    // account would need to remember transfer ids. The explorer shows the first such schedule.
    Exploration e = Scenarios.bankTransfers().rules(Rules.DEFAULT.withDuplicates(1)).exhaust();

    Counterexample c = e.failure().orElseThrow();
    assertThat(c.failure().kind()).isEqualTo(Failure.Kind.INVARIANT);
    assertThat(c.failure().message()).contains("money is conserved");
    assertThat(c.report()).contains("DUPLICATE message account/", "Credit", "everything account/");
    assertThat(Scenarios.balancesCents(c.world()) + Scenarios.creditsInFlightCents(c.world()))
        .isGreaterThan(Scenarios.TOTAL_CENTS);
  }

  private static List<Long> balances(World w) {
    return Scenarios.ACCOUNTS.stream().map(id -> w.state(Account.TYPE.ref(id)).balanceCents()).toList();
  }
}
