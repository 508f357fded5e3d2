package io.pachyderm.chaos.workload;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import java.util.Optional;

/**
 * A bank account: the entity of the bank workload, which checks entity-to-entity messaging.
 * Every account opens with {@value #OPENING_BALANCE}. A {@link Transfer} debits this account
 * (rejected when the balance would go negative) and {@linkplain Decision#send sends} a
 * {@link Credit} to the target account, which credits it. Money is only moved, never made, so the
 * sum over all accounts stays {@code accounts x OPENING_BALANCE} exactly when every credit is
 * delivered exactly once.
 *
 * <p>The state keeps a ledger beside the balance (how many debits and credits, and their totals)
 * so that a checker can tell a lost credit from a duplicated one and compare the counts with the
 * acknowledged transfers of the history.
 */
public final class AccountEntity implements Entity<AccountEntity.State, AccountEntity.Command, AccountEntity.Event> {
  public static final String NAME = "bank-account";
  public static final long OPENING_BALANCE = 100;

  /**
   * @param balance what the account holds now, never negative
   * @param debits transfers out of this account (each one sent one credit)
   * @param debited their total amount
   * @param credits credits received
   * @param credited their total amount
   */
  public record State(long balance, long debits, long debited, long credits, long credited) {}

  public sealed interface Command permits Transfer, Credit {}

  /** From a client: move {@code amount} from this account to account {@code to}. */
  public record Transfer(long transferId, String to, long amount) implements Command {}

  /** From another account only ({@link Context#sender()}): the other half of a transfer. */
  public record Credit(long transferId, long amount) implements Command {}

  public sealed interface Event permits Debited, Credited {}

  public record Debited(long transferId, String to, long amount) implements Event {}

  public record Credited(long transferId, String from, long amount) implements Event {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder(NAME, new AccountEntity(), State.class, Command.class, Event.class).build();

  @Override
  public State initial(String id) {
    return new State(OPENING_BALANCE, 0, 0, 0, 0);
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    if (command instanceof Transfer t) {
      return transfer(t, state, ctx);
    }
    Credit c = (Credit) command;
    Optional<EntityRef<Object, Object>> sender = ctx.sender();
    // A credit a client could send would make money out of nothing and hide a lost one.
    if (sender.isEmpty() || !NAME.equals(sender.get().type())) {
      return Decision.reject("credits come only from another " + NAME + ", not from " + sender);
    }
    if (c.amount() <= 0) {
      return Decision.reject("credit amount must be positive, was " + c.amount());
    }
    return Decision.emit(new Credited(c.transferId(), sender.get().id(), c.amount()));
  }

  private static Decision<Event> transfer(Transfer t, State state, Context ctx) {
    if (t.amount() <= 0) {
      return Decision.reject("transfer amount must be positive, was " + t.amount());
    }
    if (t.to().equals(ctx.id())) {
      return Decision.reject("transfer to the same account " + t.to());
    }
    if (state.balance() < t.amount()) {
      return Decision.reject("insufficient funds: balance " + state.balance() + " < " + t.amount());
    }
    return Decision.<Event>emit(new Debited(t.transferId(), t.to(), t.amount()))
        .send(TYPE.ref(t.to()), new Credit(t.transferId(), t.amount()));
  }

  @Override
  public State apply(Event event, State state) {
    if (event instanceof Debited d) {
      return new State(Math.subtractExact(state.balance(), d.amount()), state.debits() + 1,
          Math.addExact(state.debited(), d.amount()), state.credits(), state.credited());
    }
    Credited c = (Credited) event;
    return new State(Math.addExact(state.balance(), c.amount()), state.debits(), state.debited(),
        state.credits() + 1, Math.addExact(state.credited(), c.amount()));
  }
}
