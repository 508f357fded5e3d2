package io.pachyderm.examples.bank;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.Query;

/**
 * A bank account that pays other accounts by message: a {@link Transfer} debits this account
 * (an event, so it commits with the decision) and sends a {@link Credit} to the payee, which
 * Pachyderm delivers exactly once after the debit commits. No money is created or lost: the sum
 * of all balances stays {@code accounts × OPENING_BALANCE_CENTS} once every credit has landed,
 * and in the meantime differs only by the credits in flight.
 *
 * <p>Every account opens with {@link #OPENING_BALANCE_CENTS}, so totals are known without setup.
 * A balance never goes negative: a transfer larger than the balance is rejected before anything
 * is written. A credit is accepted only from another account (its sender), else a client could
 * mint money by sending one.
 */
public final class Account implements Entity<Account.State, Account.Command, Account.Event> {
  public static final String TYPE_NAME = "account";
  /** What every account holds before its first event: 100.00. */
  public static final long OPENING_BALANCE_CENTS = 100_00;
  /** Longest transfer id, in characters; ids travel in events and messages. */
  public static final int TRANSFER_ID_LENGTH_MAX = 100;

  /**
   * @param balanceCents what the account holds; never negative
   * @param debits transfers this account has paid
   * @param credits credits this account has received
   */
  public record State(long balanceCents, long debits, long credits) {}

  public sealed interface Command permits Transfer, Credit {}

  /**
   * From a client: pay {@code amountCents} to account {@code toAccountId}. {@code transferId}
   * names the transfer in both accounts' events (for audit; uniqueness is the caller's business).
   */
  public record Transfer(String transferId, String toAccountId, long amountCents) implements Command {}

  /** From another account: the receiving half of its transfer {@code transferId}. */
  public record Credit(String transferId, String fromAccountId, long amountCents) implements Command {}

  public sealed interface Event permits Debited, Credited {}

  public record Debited(String transferId, String toAccountId, long amountCents) implements Event {}

  public record Credited(String transferId, String fromAccountId, long amountCents) implements Event {}

  /** The balance in cents, answered by the node that serves the read: a few bytes, not the state. */
  public static final Query<State, Void, Long> BALANCE = Query.of("balance", Long.class, State::balanceCents);

  /** Args of {@link #CAN_PAY}. */
  public record Amount(long cents) {}

  /** Whether the balance covers {@code cents} now (a transfer decided later may still find it short). */
  public static final Query<State, Amount, Boolean> CAN_PAY =
      Query.of("can-pay", Amount.class, Boolean.class, (state, amount) -> state.balanceCents() >= amount.cents());

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder(TYPE_NAME, new Account(), State.class, Command.class, Event.class)
          .query(BALANCE)
          .query(CAN_PAY)
          .build();

  @Override
  public State initial(String id) {
    return new State(OPENING_BALANCE_CENTS, 0, 0);
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    if (command instanceof Transfer t) {
      return transfer(t, state, ctx);
    }
    return credit((Credit) command, state, ctx);
  }

  private static Decision<Event> transfer(Transfer t, State state, Context ctx) {
    if (t.transferId() == null || t.transferId().isBlank() || t.transferId().length() > TRANSFER_ID_LENGTH_MAX) {
      return Decision.reject("transfer id must be 1.." + TRANSFER_ID_LENGTH_MAX + " characters, was '"
          + t.transferId() + "'");
    }
    if (t.toAccountId() == null || t.toAccountId().isBlank()) {
      return Decision.reject("transfer " + t.transferId() + " needs a payee account id");
    }
    if (t.toAccountId().equals(ctx.id())) {
      return Decision.reject("transfer " + t.transferId() + ": account " + ctx.id() + " cannot pay itself");
    }
    if (t.amountCents() <= 0) {
      return Decision.reject("transfer " + t.transferId() + ": amount must be positive, was " + t.amountCents()
          + " cents");
    }
    if (t.amountCents() > state.balanceCents()) {
      return Decision.reject("transfer " + t.transferId() + ": insufficient funds in " + ctx.id() + " (balance "
          + state.balanceCents() + " cents, asked " + t.amountCents() + ")");
    }
    return Decision.<Event>emit(new Debited(t.transferId(), t.toAccountId(), t.amountCents()))
        .send(TYPE.ref(t.toAccountId()), new Credit(t.transferId(), ctx.id(), t.amountCents()));
  }

  private static Decision<Event> credit(Credit c, State state, Context ctx) {
    boolean fromPayer = ctx.sender()
        .filter(s -> s.type().equals(TYPE_NAME) && s.id().equals(c.fromAccountId()))
        .isPresent();
    if (!fromPayer) {
      return Decision.reject("credit " + c.transferId() + " must be sent by account " + c.fromAccountId()
          + ", came from " + ctx.sender().map(Object::toString).orElse("a client or timer"));
    }
    if (c.amountCents() <= 0) {
      return Decision.reject("credit " + c.transferId() + ": amount must be positive, was " + c.amountCents());
    }
    if (state.balanceCents() > Long.MAX_VALUE - c.amountCents()) {
      // Unreachable while money is only moved, never created: the total of all balances bounds each one.
      return Decision.reject("credit " + c.transferId() + " would overflow the balance of " + ctx.id());
    }
    return Decision.emit(new Credited(c.transferId(), c.fromAccountId(), c.amountCents()));
  }

  @Override
  public State apply(Event event, State state) {
    if (event instanceof Debited d) {
      return new State(state.balanceCents() - d.amountCents(), state.debits() + 1, state.credits());
    }
    Credited c = (Credited) event;
    return new State(Math.addExact(state.balanceCents(), c.amountCents()), state.debits(), state.credits() + 1);
  }
}
