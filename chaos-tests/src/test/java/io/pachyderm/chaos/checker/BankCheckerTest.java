package io.pachyderm.chaos.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.chaos.history.HistoryBuilder;
import io.pachyderm.chaos.history.Op;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §3, entity-to-entity messages exactly once, seen through money: one crafted history per
 * anomaly the bank checker claims to find (lost and duplicated credits, negative balances,
 * disagreeing nodes, ledgers that the history cannot explain), and valid ones.
 */
class BankCheckerTest {
  private static final List<String> ACCOUNTS = List.of("b0", "b1", "b2");
  private static final long OPENING = 100;
  private static final BankChecker CHECKER = new BankChecker(ACCOUNTS, OPENING);
  private static final List<String> NODES = List.of("n1", "n2", "n3");

  /** The ledgers of the three accounts as a test writes them, opening balance 100 each. */
  private static final class Bank {
    final Map<String, long[]> accounts = new LinkedHashMap<>();

    Bank() {
      for (String a : ACCOUNTS) {
        accounts.put(a, new long[] {OPENING, 0, 0, 0, 0});
      }
    }

    Bank debit(String from, long amount) {
      long[] l = accounts.get(from);
      l[0] -= amount;
      l[1]++;
      l[2] += amount;
      return this;
    }

    Bank credit(String to, long amount) {
      long[] l = accounts.get(to);
      l[0] += amount;
      l[3]++;
      l[4] += amount;
      return this;
    }

    Bank transfer(String from, String to, long amount) {
      return debit(from, amount).credit(to, amount);
    }

    List<Long> ledger(String account) {
      long[] l = accounts.get(account);
      return BankChecker.ledger(l[0], l[1], l[2], l[3], l[4]);
    }

    Bank copy() {
      Bank b = new Bank();
      for (Map.Entry<String, long[]> e : accounts.entrySet()) {
        b.accounts.put(e.getKey(), e.getValue().clone());
      }
      return b;
    }
  }

  private static Op transfer(HistoryBuilder h, int process, String from, String to, long amount) {
    return h.invoke(process, Op.TRANSFER, from, List.of((long) process, (long) ACCOUNTS.indexOf(to), amount));
  }

  private static void finalReads(HistoryBuilder h, String node, Bank bank) {
    for (String a : ACCOUNTS) {
      h.finalRead(node, a, bank.ledger(a));
    }
  }

  private static void finalReadsEverywhere(HistoryBuilder h, Bank bank) {
    for (String node : NODES) {
      finalReads(h, node, bank);
    }
  }

  private static List<String> kinds(Verdict verdict) {
    List<String> kinds = new ArrayList<>();
    for (Anomaly a : verdict.anomalies()) {
      kinds.add(a.kind());
    }
    return kinds;
  }

  // --- valid ---

  @Test
  void acknowledgedTransfersFullyCreditedAreValid() {
    HistoryBuilder h = new HistoryBuilder();
    h.ok(transfer(h, 1, "b0", "b1", 30));
    h.ok(transfer(h, 2, "b1", "b2", 50));
    h.fail(transfer(h, 3, "b2", "b0", 500));
    h.readOk(4, "b0", 70L);
    finalReadsEverywhere(h, new Bank().transfer("b0", "b1", 30).transfer("b1", "b2", 50));

    Verdict verdict = CHECKER.check(h.build());

    assertThat(verdict.valid()).as(verdict.toString()).isTrue();
    assertThat(verdict.stats())
        .containsEntry("transfersOk", 2L)
        .containsEntry("transfersFailed", 1L)
        .containsEntry("expectedTotal", 300L)
        .containsEntry("unknownTransfersApplied", 0L)
        .containsEntry("totals", Map.of("n1", 300L, "n2", 300L, "n3", 300L));
  }

  @Test
  void aTransferOfUnknownOutcomeMayHaveHappenedOrNot() {
    for (boolean happened : new boolean[] {true, false}) {
      HistoryBuilder h = new HistoryBuilder();
      h.ok(transfer(h, 1, "b0", "b1", 30));
      h.info(transfer(h, 2, "b2", "b0", 40));
      Bank bank = new Bank().transfer("b0", "b1", 30);
      finalReadsEverywhere(h, happened ? bank.transfer("b2", "b0", 40) : bank);

      Verdict verdict = CHECKER.check(h.build());

      assertThat(verdict.valid()).as("happened=%s: %s", happened, verdict).isTrue();
      assertThat(verdict.stats()).containsEntry("unknownTransfersApplied", happened ? 1L : 0L);
    }
  }

  // --- anomalies ---

  @Test
  void aLostCreditChangesTheTotalAndIsReportedAsALostMessage() {
    HistoryBuilder h = new HistoryBuilder();
    h.ok(transfer(h, 1, "b0", "b1", 30));
    h.ok(transfer(h, 2, "b1", "b2", 20));
    // b2 never got its 20: debited at b1, the credit message lost.
    finalReadsEverywhere(h, new Bank().transfer("b0", "b1", 30).debit("b1", 20));

    Verdict verdict = CHECKER.check(h.build());

    assertThat(verdict.valid()).isFalse();
    assertThat(kinds(verdict)).contains(Anomaly.BANK_TOTAL_CHANGED, Anomaly.LOST_MESSAGE)
        .doesNotContain(Anomaly.DUPLICATE_MESSAGE, Anomaly.DIVERGENT_FINAL_READS);
    assertThat(verdict.anomalies()).filteredOn(a -> a.kind().equals(Anomaly.BANK_TOTAL_CHANGED))
        .hasSize(3)
        .anySatisfy(a -> assertThat(a.description()).contains("on n2").contains("sum to 280")
            .contains("expected 3 x 100 = 300"));
    // Both by count and by amount.
    assertThat(verdict.anomalies()).filteredOn(a -> "b2".equals(a.key()))
        .hasSize(2)
        .allSatisfy(a -> assertThat(a.kind()).isEqualTo(Anomaly.LOST_MESSAGE))
        .anySatisfy(a -> assertThat(a.description()).contains("credits 0 < 1 acknowledged transfers in"))
        .anySatisfy(a -> assertThat(a.description()).contains("credited 0 < 20 acknowledged amount"));
  }

  @Test
  void aCreditDeliveredTwiceIsADuplicateMessage() {
    HistoryBuilder h = new HistoryBuilder();
    h.ok(transfer(h, 1, "b0", "b1", 30));
    finalReadsEverywhere(h, new Bank().transfer("b0", "b1", 30).credit("b1", 30));

    Verdict verdict = CHECKER.check(h.build());

    assertThat(kinds(verdict)).contains(Anomaly.BANK_TOTAL_CHANGED, Anomaly.DUPLICATE_MESSAGE)
        .doesNotContain(Anomaly.LOST_MESSAGE);
    assertThat(verdict.anomalies()).filteredOn(a -> "b1".equals(a.key()))
        .hasSize(2)
        .allSatisfy(a -> assertThat(a.kind()).isEqualTo(Anomaly.DUPLICATE_MESSAGE))
        .anySatisfy(a -> assertThat(a.description()).contains("credits 2 > 1 transfers in"))
        .anySatisfy(a -> assertThat(a.description()).contains("credited 60 > 30 amount transferred in"));
  }

  @Test
  void aNegativeBalanceIsReportedInFinalStateAndInReads() {
    HistoryBuilder h = new HistoryBuilder();
    h.ok(transfer(h, 1, "b0", "b1", 80));
    h.ok(transfer(h, 2, "b0", "b2", 80));
    h.readOk(3, "b0", -60L);
    finalReadsEverywhere(h, new Bank().transfer("b0", "b1", 80).transfer("b0", "b2", 80));

    Verdict verdict = CHECKER.check(h.build());

    assertThat(verdict.anomalies()).as(verdict.toString())
        .allSatisfy(a -> {
          assertThat(a.kind()).isEqualTo(Anomaly.NEGATIVE_BALANCE);
          assertThat(a.key()).isEqualTo("b0");
        })
        .hasSize(4)
        .anySatisfy(a -> assertThat(a.description()).contains("on n3: balance -60"))
        .anySatisfy(a -> assertThat(a.description()).startsWith("read p3 read b0 -> -60"));
  }

  @Test
  void aNodeThatDisagreesIsNamedWithItsLedger() {
    HistoryBuilder h = new HistoryBuilder();
    h.ok(transfer(h, 1, "b0", "b1", 30));
    h.info(transfer(h, 2, "b1", "b2", 10));
    Bank applied = new Bank().transfer("b0", "b1", 30).transfer("b1", "b2", 10);
    Bank notApplied = new Bank().transfer("b0", "b1", 30);
    finalReads(h, "n1", applied);
    finalReads(h, "n2", applied.copy());
    finalReads(h, "n3", notApplied);

    Verdict verdict = CHECKER.check(h.build());

    // Each state is consistent on its own (the unknown transfer explains both); only agreement fails.
    assertThat(verdict.anomalies()).as(verdict.toString())
        .allSatisfy(a -> assertThat(a.kind()).isEqualTo(Anomaly.DIVERGENT_FINAL_READS))
        .extracting(Anomaly::key).containsExactly("b1", "b2");
    assertThat(verdict.anomalies().get(0).description())
        .contains("[n1, n2] {balance 120, debits 1 (10), credits 1 (30)}")
        .contains("[n3] {balance 130, debits 0 (0), credits 1 (30)}");
  }

  @Test
  void anAcknowledgedTransferMissingFromTheLedgerIsALostWrite() {
    HistoryBuilder h = new HistoryBuilder();
    h.ok(transfer(h, 1, "b0", "b1", 30));
    h.ok(transfer(h, 2, "b0", "b2", 5));
    finalReadsEverywhere(h, new Bank().transfer("b0", "b1", 30));

    Verdict verdict = CHECKER.check(h.build());

    assertThat(verdict.anomalies()).as(verdict.toString())
        .anySatisfy(a -> {
          assertThat(a.kind()).isEqualTo(Anomaly.LOST_WRITE);
          assertThat(a.key()).isEqualTo("b0");
          assertThat(a.description()).contains("on n1, n2, n3").contains("debits 1 < 2 acknowledged transfers out");
        })
        .anySatisfy(a -> assertThat(a.kind()).isEqualTo(Anomaly.LOST_MESSAGE));
  }

  @Test
  void aDebitNoTransferCanExplainIsReported() {
    HistoryBuilder h = new HistoryBuilder();
    h.ok(transfer(h, 1, "b0", "b1", 30));
    h.fail(transfer(h, 2, "b2", "b1", 10));
    // The rejected transfer shows up in the ledgers anyway.
    finalReadsEverywhere(h, new Bank().transfer("b0", "b1", 30).transfer("b2", "b1", 10));

    Verdict verdict = CHECKER.check(h.build());

    assertThat(verdict.anomalies()).as(verdict.toString()).extracting(Anomaly::kind, Anomaly::key)
        .contains(org.assertj.core.groups.Tuple.tuple(Anomaly.UNEXPLAINED_WRITE, "b2"),
            org.assertj.core.groups.Tuple.tuple(Anomaly.DUPLICATE_MESSAGE, "b1"));
  }

  @Test
  void aBalanceThatDisagreesWithItsOwnLedgerIsReported() {
    HistoryBuilder h = new HistoryBuilder();
    for (String node : NODES) {
      h.finalRead(node, "b0", BankChecker.ledger(90, 0, 0, 0, 0));
      h.finalRead(node, "b1", BankChecker.ledger(110, 0, 0, 0, 0));
      h.finalRead(node, "b2", BankChecker.ledger(100, 0, 0, 0, 0));
    }

    Verdict verdict = CHECKER.check(h.build());

    assertThat(verdict.anomalies()).as(verdict.toString())
        .allSatisfy(a -> assertThat(a.kind()).isEqualTo(Anomaly.LEDGER_MISMATCH))
        .hasSize(6);
  }

  @Test
  void aNodeWithoutEveryFinalReadCannotBeJudgedAsAWhole() {
    HistoryBuilder h = new HistoryBuilder();
    Bank bank = new Bank();
    finalReads(h, "n1", bank);
    h.finalRead("n2", "b0", bank.ledger("b0"));

    Verdict verdict = CHECKER.check(h.build());

    assertThat(verdict.anomalies()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Anomaly.INCOMPLETE_FINAL_READS);
      assertThat(a.description()).contains("[b1, b2]").contains("n2");
    });
  }

  @Test
  void noFinalReadsAtAllIsNotValid() {
    HistoryBuilder h = new HistoryBuilder();
    h.ok(transfer(h, 1, "b0", "b1", 30));

    assertThat(kinds(CHECKER.check(h.build()))).containsExactly(Anomaly.INCOMPLETE_FINAL_READS);
  }

  @Test
  void aTransferToItselfOrWithoutAmountIsMalformed() {
    HistoryBuilder h = new HistoryBuilder();
    h.ok(h.invoke(1, Op.TRANSFER, "b0", List.of(1L, 0L, 5L)));
    h.ok(h.invoke(1, Op.TRANSFER, "b0", List.of(2L, 1L)));
    finalReadsEverywhere(h, new Bank());

    assertThat(kinds(CHECKER.check(h.build())))
        .containsExactly(Anomaly.MALFORMED_HISTORY, Anomaly.MALFORMED_HISTORY);
  }
}
