package io.pachyderm.runtime;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import java.util.ArrayList;
import java.util.List;

/**
 * A bank account for executor and folder tests: deposits and withdrawals that refuse overdrafts,
 * plus commands that misbehave on purpose (a throwing handler, an event whose apply throws, an
 * event class nobody registered, a reply class nobody registered, a null decision).
 */
final class BankAccount implements Entity<BankAccount.Account, BankAccount.Command, BankAccount.Event> {
  static final String NAME = "bank-account";
  static final String MAILER = "mailer";
  static final long LARGE_DEPOSIT_CENTS = 1_000_000;

  static final EntityType<Account, Command, Event> TYPE =
      EntityType.builder(NAME, new BankAccount(), Account.class, Command.class, Event.class)
          .types(LargeDeposit.class, BalanceIs.class)
          .build();

  /** {@code history} lists every balance change, so a mutated base state would show. */
  record Account(String owner, long balanceCents, List<Long> history) {
    Account {
      history = List.copyOf(history);
    }

    Account with(long changeCents) {
      List<Long> more = new ArrayList<>(history);
      more.add(changeCents);
      return new Account(owner, balanceCents + changeCents, more);
    }
  }

  sealed interface Command
      permits Deposit, DepositInParts, Withdraw, GetBalance, Explode, Poison, EmitUnlisted, ReplyUnregistered,
      ReturnNull, Stamp {}

  /** Deposits of {@link #LARGE_DEPOSIT_CENTS} or more also mail the owner. */
  record Deposit(long cents) implements Command {}

  record DepositInParts(List<Long> parts) implements Command {}

  record Withdraw(long cents) implements Command {}

  /** Accepted with no events; replies with a {@link BalanceIs} instead of the state. */
  record GetBalance() implements Command {}

  /** {@code handle} throws. */
  record Explode(String why) implements Command {}

  /** Emits a deposit and then {@link Poisoned}, whose {@code apply} throws. */
  record Poison() implements Command {}

  /** Emits {@link Unlisted}, an event class that is not registered. */
  record EmitUnlisted() implements Command {}

  /** Replies with {@link NotRegistered}. */
  record ReplyUnregistered() implements Command {}

  /** {@code handle} returns null. */
  record ReturnNull() implements Command {}

  /** Records what the context told the handler. */
  record Stamp() implements Command {}

  sealed interface Event permits Deposited, Withdrawn, Poisoned, Stamped, Extension {}

  record Deposited(long cents) implements Event {}

  record Withdrawn(long cents) implements Event {}

  record Poisoned() implements Event {}

  record Stamped(long atMs, long drawn, String id, String ecosystem, long seenVersion) implements Event {}

  /** Not sealed, so its implementations are not found by the registry. */
  non-sealed interface Extension extends Event {}

  record Unlisted() implements Extension {}

  record LargeDeposit(String owner, long cents) {}

  record BalanceIs(long cents) {}

  record NotRegistered() {}

  static Account account(String owner, long... changes) {
    Account a = new Account(owner, 0, List.of());
    for (long c : changes) {
      a = a.with(c);
    }
    return a;
  }

  @Override
  public Account initial(String id) {
    return new Account(id, 0, List.of());
  }

  @Override
  public Decision<Event> handle(Command command, Account state, Context ctx) {
    if (command instanceof Deposit d) {
      return Decision.<Event>emit(new Deposited(d.cents()))
          .effectIf(d.cents() >= LARGE_DEPOSIT_CENTS, MAILER, new LargeDeposit(state.owner(), d.cents()));
    }
    if (command instanceof DepositInParts d) {
      List<Event> events = new ArrayList<>();
      for (long part : d.parts()) {
        events.add(new Deposited(part));
      }
      return Decision.emit(events);
    }
    if (command instanceof Withdraw w) {
      if (w.cents() > state.balanceCents()) {
        return Decision.reject("insufficient funds: balance " + state.balanceCents() + ", asked " + w.cents());
      }
      return Decision.emit(new Withdrawn(w.cents()));
    }
    if (command instanceof GetBalance) {
      return Decision.<Event>none().reply(new BalanceIs(state.balanceCents()));
    }
    if (command instanceof Explode e) {
      throw new IllegalStateException(e.why());
    }
    if (command instanceof Poison) {
      return Decision.emit(new Deposited(1), new Poisoned());
    }
    if (command instanceof EmitUnlisted) {
      return Decision.emit(new Unlisted());
    }
    if (command instanceof ReplyUnregistered) {
      return Decision.<Event>emit(new Deposited(1)).reply(new NotRegistered());
    }
    if (command instanceof ReturnNull) {
      return null;
    }
    if (command instanceof Stamp) {
      return Decision.emit(new Stamped(ctx.now().toEpochMilli(), ctx.random().nextLong(), ctx.id(),
          ctx.ecosystem(), ctx.version()));
    }
    throw new AssertionError("unhandled command " + command);
  }

  @Override
  public Account apply(Event event, Account state) {
    if (event instanceof Deposited d) {
      return state.with(d.cents());
    }
    if (event instanceof Withdrawn w) {
      return state.with(-w.cents());
    }
    if (event instanceof Poisoned) {
      throw new IllegalStateException("poisoned ledger");
    }
    return state;
  }
}
