package io.pachyderm.chaos.checker;

import io.pachyderm.chaos.history.History;
import io.pachyderm.chaos.history.Op;
import io.pachyderm.chaos.history.OpPair;
import io.pachyderm.chaos.history.OpType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Checks the bank workload: transfers between a fixed set of accounts, each a debit of the source
 * and a credit delivered to the target as an entity-to-entity message (DESIGN §3: exactly once).
 * The evidence is the history: its transfers and reads, and the final read of every account on
 * every node, taken after every outbox drained. A final read's value is the account's ledger,
 * {@code [balance, debits, debited, credits, credited]} (see {@link #ledger}).
 *
 * <p>On every node's final state:
 *
 * <ul>
 *   <li>{@link Anomaly#BANK_TOTAL_CHANGED}: the balances do not sum to {@code accounts x
 *       opening}. With {@link Anomaly#LOST_MESSAGE} or {@link Anomaly#DUPLICATE_MESSAGE} when the
 *       ledgers also show fewer (more) credits than debits.
 *   <li>{@link Anomaly#NEGATIVE_BALANCE}: a balance below zero (also in any read of the run).
 *   <li>{@link Anomaly#LEDGER_MISMATCH}: a balance other than {@code opening - debited + credited}.
 *   <li>{@link Anomaly#DIVERGENT_FINAL_READS}: nodes hold different ledgers for an account.
 *   <li>{@link Anomaly#INCOMPLETE_FINAL_READS}: a node did not answer for every account, so its
 *       total cannot be judged (the harness reports the failed reads themselves).
 * </ul>
 *
 * <p>Against the history (only what is sound when some outcomes are unknown: an OK transfer was
 * debited, a FAIL one was not, an INFO one may or may not have been), per account, for counts and
 * amounts alike:
 *
 * <ul>
 *   <li>{@link Anomaly#LOST_WRITE}: fewer debits than acknowledged transfers out of the account;
 *   <li>{@link Anomaly#UNEXPLAINED_WRITE}: more debits than acknowledged plus unknown ones;
 *   <li>{@link Anomaly#LOST_MESSAGE}: fewer credits than acknowledged transfers into the account;
 *   <li>{@link Anomaly#DUPLICATE_MESSAGE}: more credits than acknowledged plus unknown transfers
 *       into it.
 * </ul>
 *
 * <p>Conservation holds whatever happened to the unknown transfers, so the total is checked
 * exactly; the history only bounds each ledger. At most {@link #ANOMALIES_PER_KIND_MAX}
 * anomalies of each kind are listed, the rest counted in the {@code anomaliesSuppressed} stat.
 * Thread-safe (immutable).
 */
public final class BankChecker implements Checker {
  public static final int ANOMALIES_PER_KIND_MAX = 20;
  /** Positions in a ledger (a final read's value). */
  public static final int BALANCE = 0;
  public static final int DEBITS = 1;
  public static final int DEBITED = 2;
  public static final int CREDITS = 3;
  public static final int CREDITED = 4;
  private static final int LEDGER_SIZE = 5;

  private final List<String> accounts;
  private final long openingBalance;

  /**
   * @param accounts every account of the bank; a transfer's {@code toAccount} indexes this list
   * @param openingBalance what each account holds before any transfer
   */
  public BankChecker(List<String> accounts, long openingBalance) {
    if (accounts.size() < 2) {
      throw new IllegalArgumentException("a bank needs at least two accounts: " + accounts);
    }
    if (openingBalance < 0) {
      throw new IllegalArgumentException("opening balance must be >= 0: " + openingBalance);
    }
    this.accounts = List.copyOf(accounts);
    this.openingBalance = openingBalance;
  }

  /** The final-read value of an account, in the order this checker reads it. */
  public static List<Long> ledger(long balance, long debits, long debited, long credits, long credited) {
    return List.of(balance, debits, debited, credits, credited);
  }

  public String name() {
    return "bank";
  }

  @Override
  public Verdict check(History history) {
    CappedAnomalies anomalies = new CappedAnomalies(ANOMALIES_PER_KIND_MAX);
    Flows flows = flows(history, anomalies);
    Map<String, Map<String, List<Long>>> byNode = finalLedgers(history, anomalies);

    Map<String, Object> totals = new TreeMap<>();
    for (Map.Entry<String, Map<String, List<Long>>> node : byNode.entrySet()) {
      checkNode(node.getKey(), node.getValue(), anomalies, totals);
    }
    if (byNode.isEmpty()) {
      anomalies.add(Anomaly.INCOMPLETE_FINAL_READS, null, "no node answered a final read; nothing to judge");
    }
    checkAgreement(byNode, anomalies);
    // Nodes with the same ledgers are judged against the history once, named together.
    Map<Map<String, List<Long>>, List<String>> distinct = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, List<Long>>> node : byNode.entrySet()) {
      if (node.getValue().size() == accounts.size()) {
        distinct.computeIfAbsent(node.getValue(), k -> new ArrayList<>()).add(node.getKey());
      }
    }
    long debitsMax = -1;
    for (Map.Entry<Map<String, List<Long>>, List<String>> state : distinct.entrySet()) {
      checkAgainstHistory(state.getValue(), state.getKey(), flows, anomalies);
      long debits = 0;
      for (List<Long> l : state.getKey().values()) {
        debits += l.get(DEBITS);
      }
      debitsMax = Math.max(debitsMax, debits);
    }

    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("accounts", accounts.size());
    stats.put("expectedTotal", expectedTotal());
    stats.put("transfersOk", flows.ok);
    stats.put("transfersFailed", flows.failed);
    stats.put("transfersUnknown", flows.unknown);
    stats.put("reads", flows.reads);
    stats.put("nodesRead", byNode.size());
    stats.put("totals", totals);
    if (debitsMax >= 0) {
      stats.put("debits", debitsMax);
    }
    if (debitsMax >= flows.ok) {
      // Sound only as a count: which of the unknown transfers happened is not known, only how many.
      // (Fewer debits than acknowledged transfers is a lost write, reported above.)
      stats.put("unknownTransfersApplied", debitsMax - flows.ok);
    }
    stats.put("anomaliesSuppressed", anomalies.suppressed());
    return Verdict.of(name(), anomalies.listed(), stats);
  }

  private long expectedTotal() {
    return Math.multiplyExact(openingBalance, accounts.size());
  }

  /** One node's accounts on their own: no negative balance, each ledger adds up, the total holds. */
  private void checkNode(String node, Map<String, List<Long>> ledgers, CappedAnomalies anomalies,
                         Map<String, Object> totals) {
    long total = 0;
    long debits = 0;
    long debited = 0;
    long credits = 0;
    long credited = 0;
    for (Map.Entry<String, List<Long>> e : ledgers.entrySet()) {
      List<Long> l = e.getValue();
      if (l.get(BALANCE) < 0) {
        anomalies.add(Anomaly.NEGATIVE_BALANCE, e.getKey(), "on " + node + ": balance " + l.get(BALANCE)
            + ", ledger " + describe(l));
      }
      long expected = openingBalance - l.get(DEBITED) + l.get(CREDITED);
      if (l.get(BALANCE) != expected) {
        anomalies.add(Anomaly.LEDGER_MISMATCH, e.getKey(), "on " + node + ": balance " + l.get(BALANCE)
            + " but opening " + openingBalance + " - debited " + l.get(DEBITED) + " + credited "
            + l.get(CREDITED) + " = " + expected);
      }
      total += l.get(BALANCE);
      debits += l.get(DEBITS);
      debited += l.get(DEBITED);
      credits += l.get(CREDITS);
      credited += l.get(CREDITED);
    }
    if (ledgers.size() < accounts.size()) {
      List<String> missing = new ArrayList<>();
      for (String a : accounts) {
        if (!ledgers.containsKey(a)) {
          missing.add(a);
        }
      }
      anomalies.add(Anomaly.INCOMPLETE_FINAL_READS, null, "no final read of " + missing + " on " + node
          + "; its total cannot be judged");
      return;
    }
    totals.put(node, total);
    String flowSummary = "debits " + debits + " (" + debited + ") vs credits " + credits + " (" + credited + ")";
    if (total != expectedTotal()) {
      anomalies.add(Anomaly.BANK_TOTAL_CHANGED, null, "on " + node + ": accounts sum to " + total
          + ", expected " + accounts.size() + " x " + openingBalance + " = " + expectedTotal() + "; "
          + flowSummary);
    }
    if (credits < debits || credited < debited) {
      anomalies.add(Anomaly.LOST_MESSAGE, null, "on " + node + ": " + flowSummary
          + "; some debits' credits never arrived");
    } else if (credits > debits || credited > debited) {
      anomalies.add(Anomaly.DUPLICATE_MESSAGE, null, "on " + node + ": " + flowSummary
          + "; more credited than was ever debited");
    }
  }

  private void checkAgreement(Map<String, Map<String, List<Long>>> byNode, CappedAnomalies anomalies) {
    for (String account : accounts) {
      Map<List<Long>, List<String>> seen = new LinkedHashMap<>();
      for (Map.Entry<String, Map<String, List<Long>>> node : byNode.entrySet()) {
        List<Long> l = node.getValue().get(account);
        if (l != null) {
          seen.computeIfAbsent(l, k -> new ArrayList<>()).add(node.getKey());
        }
      }
      if (seen.size() > 1) {
        StringBuilder sb = new StringBuilder("nodes disagree:");
        for (Map.Entry<List<Long>, List<String>> e : seen.entrySet()) {
          sb.append(' ').append(e.getValue()).append(' ').append(describe(e.getKey())).append(';');
        }
        anomalies.add(Anomaly.DIVERGENT_FINAL_READS, account, sb.substring(0, sb.length() - 1));
      }
    }
  }

  /** Bounds each ledger by the transfers the history acknowledged (lower) and could have caused (upper). */
  private void checkAgainstHistory(List<String> nodes, Map<String, List<Long>> ledgers, Flows flows,
                                   CappedAnomalies anomalies) {
    String where = "on " + String.join(", ", nodes);
    for (String account : accounts) {
      List<Long> l = ledgers.get(account);
      Flow out = flows.out.getOrDefault(account, new Flow());
      Flow in = flows.in.getOrDefault(account, new Flow());
      bound(anomalies, account, where, "debits", l.get(DEBITS), out.okCount, out.okCount + out.unknownCount,
          "transfers out", Anomaly.LOST_WRITE, Anomaly.UNEXPLAINED_WRITE);
      bound(anomalies, account, where, "debited", l.get(DEBITED), out.okAmount, out.okAmount + out.unknownAmount,
          "amount transferred out", Anomaly.LOST_WRITE, Anomaly.UNEXPLAINED_WRITE);
      bound(anomalies, account, where, "credits", l.get(CREDITS), in.okCount, in.okCount + in.unknownCount,
          "transfers in", Anomaly.LOST_MESSAGE, Anomaly.DUPLICATE_MESSAGE);
      bound(anomalies, account, where, "credited", l.get(CREDITED), in.okAmount, in.okAmount + in.unknownAmount,
          "amount transferred in", Anomaly.LOST_MESSAGE, Anomaly.DUPLICATE_MESSAGE);
    }
  }

  private static void bound(CappedAnomalies anomalies, String account, String where, String field, long actual,
                            long acknowledged, long possible, String what, String belowKind, String aboveKind) {
    if (actual < acknowledged) {
      anomalies.add(belowKind, account, where + ": ledger " + field + " " + actual + " < " + acknowledged
          + " acknowledged " + what);
    } else if (actual > possible) {
      anomalies.add(aboveKind, account, where + ": ledger " + field + " " + actual + " > " + possible
          + " " + what + " acknowledged or of unknown outcome");
    }
  }

  /** Every node's last final read of each account, validated; nodes in sorted order. */
  private Map<String, Map<String, List<Long>>> finalLedgers(History history, CappedAnomalies anomalies) {
    Map<String, Map<String, List<Long>>> byNode = new TreeMap<>();
    for (Op op : history.ops()) {
      if (!Op.FINAL_READ.equals(op.f()) || !op.isOk()) {
        continue;
      }
      if (!accounts.contains(op.key())) {
        anomalies.add(Anomaly.MALFORMED_HISTORY, op.key(), "final read of an unknown account: " + op.brief());
        continue;
      }
      if (!(op.value() instanceof List<?>) || op.listValue().size() != LEDGER_SIZE) {
        anomalies.add(Anomaly.MALFORMED_HISTORY, op.key(), "a final read must be a ledger of " + LEDGER_SIZE
            + " numbers: " + op.brief());
        continue;
      }
      byNode.computeIfAbsent(Objects.requireNonNull(op.node(), "final read without node"), n -> new TreeMap<>())
          .put(op.key(), op.listValue());
    }
    return byNode;
  }

  private Flows flows(History history, CappedAnomalies anomalies) {
    Flows flows = new Flows();
    for (OpPair pair : history.pairs()) {
      if (Op.READ.equals(pair.f())) {
        flows.reads++;
        if (pair.outcome() == OpType.OK && pair.value() instanceof Long balance && balance < 0) {
          anomalies.add(Anomaly.NEGATIVE_BALANCE, pair.key(), "read " + pair.brief());
        }
        continue;
      }
      if (!Op.TRANSFER.equals(pair.f())) {
        continue;
      }
      Object value = pair.invoke().value();
      List<Long> args = value instanceof List<?> ? pair.invoke().listValue() : List.of();
      if (args.size() != 3 || args.get(1) < 0 || args.get(1) >= accounts.size() || args.get(2) <= 0
          || accounts.get(Math.toIntExact(args.get(1))).equals(pair.key())) {
        anomalies.add(Anomaly.MALFORMED_HISTORY, pair.key(),
            "a transfer's value must be [transferId, toAccount, amount > 0] to another account: " + pair.brief());
        continue;
      }
      String to = accounts.get(Math.toIntExact(args.get(1)));
      long amount = args.get(2);
      Flow out = flows.out.computeIfAbsent(pair.key(), k -> new Flow());
      Flow in = flows.in.computeIfAbsent(to, k -> new Flow());
      switch (pair.outcome()) {
        case OK -> {
          flows.ok++;
          out.ok(amount);
          in.ok(amount);
        }
        case FAIL -> flows.failed++;
        default -> {
          flows.unknown++;
          out.unknown(amount);
          in.unknown(amount);
        }
      }
    }
    return flows;
  }

  private static String describe(List<Long> l) {
    return "{balance " + l.get(BALANCE) + ", debits " + l.get(DEBITS) + " (" + l.get(DEBITED) + "), credits "
        + l.get(CREDITS) + " (" + l.get(CREDITED) + ")}";
  }

  /** Transfers the history shows, per account and direction. */
  private static final class Flows {
    final Map<String, Flow> out = new TreeMap<>();
    final Map<String, Flow> in = new TreeMap<>();
    long ok;
    long failed;
    long unknown;
    long reads;
  }

  private static final class Flow {
    long okCount;
    long okAmount;
    long unknownCount;
    long unknownAmount;

    void ok(long amount) {
      okCount++;
      okAmount += amount;
    }

    void unknown(long amount) {
      unknownCount++;
      unknownAmount += amount;
    }
  }
}
