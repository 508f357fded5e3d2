package io.pachyderm.chaos.workload;

import io.pachyderm.api.Entities;
import io.pachyderm.api.EntityState;
import io.pachyderm.api.ReadMode;
import io.pachyderm.chaos.checker.BankChecker;
import io.pachyderm.chaos.checker.Checker;
import io.pachyderm.chaos.checker.Dispatch;
import io.pachyderm.chaos.history.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * The bank: a fixed set of {@link AccountEntity accounts} and random transfers between them,
 * each a debit here and a message (the credit) to the other account; a few linearizable reads of
 * single balances. Transfers contend on the same few accounts, and many are rejected for lack of
 * funds, so the accounts keep moving between rich and empty.
 *
 * <p>The harness drains the outboxes (no node has a pending message) before the final reads;
 * then {@link BankChecker} checks, on every node, that the total is unchanged, no balance is
 * negative, every node holds the same ledgers, and the ledgers agree with the acknowledged
 * transfers of the history.
 */
final class BankWorkload implements Workload {
  static final int ACCOUNTS = 8;
  /** Up to 40% of an opening balance per transfer: large enough that rejections are common. */
  private static final long AMOUNT_MAX = AccountEntity.OPENING_BALANCE * 2 / 5;

  private final List<String> accounts;
  private final AtomicLong transferIds = new AtomicLong();

  BankWorkload() {
    List<String> ids = new ArrayList<>(ACCOUNTS);
    for (int i = 0; i < ACCOUNTS; i++) {
      ids.add("b" + i);
    }
    this.accounts = List.copyOf(ids);
  }

  @Override
  public String name() {
    return "bank";
  }

  @Override
  public OpSpec next(RandomGenerator random) {
    int from = random.nextInt(ACCOUNTS);
    if (random.nextInt(10) == 0) {
      return new OpSpec(Op.READ, accounts.get(from), null);
    }
    // A target other than the source, uniformly.
    int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
    long amount = 1 + random.nextLong(AMOUNT_MAX);
    return new OpSpec(Op.TRANSFER, accounts.get(from), List.of(transferIds.incrementAndGet(), (long) to, amount));
  }

  @Override
  public CompletableFuture<Object> invoke(Entities client, OpSpec op) {
    if (Op.TRANSFER.equals(op.f())) {
      List<Long> args = op.numbers();
      AccountEntity.Transfer transfer =
          new AccountEntity.Transfer(args.get(0), accounts.get(Math.toIntExact(args.get(1))), args.get(2));
      return client.sendAsync(AccountEntity.TYPE.ref(op.key()), transfer).thenApply(version -> null);
    }
    return client.queryAsync(AccountEntity.TYPE.ref(op.key()), ReadMode.LINEARIZABLE)
        .thenApply(s -> s.state().balance());
  }

  /** The whole ledger, in the order {@link BankChecker} reads it. */
  @Override
  public CompletableFuture<Object> finalRead(Entities nodeClient, String key) {
    return nodeClient.queryAsync(AccountEntity.TYPE.ref(key), ReadMode.STALE).thenApply(BankWorkload::ledger);
  }

  private static Object ledger(EntityState<AccountEntity.State> s) {
    AccountEntity.State a = s.state();
    return BankChecker.ledger(a.balance(), a.debits(), a.debited(), a.credits(), a.credited());
  }

  @Override
  public List<String> keys() {
    return accounts;
  }

  @Override
  public boolean drainsOutboxes() {
    return true;
  }

  @Override
  public List<Checker> checkers(List<Dispatch> dispatches) {
    return List.of(new BankChecker(accounts, AccountEntity.OPENING_BALANCE));
  }
}
