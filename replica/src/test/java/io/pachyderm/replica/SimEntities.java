package io.pachyderm.replica;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import java.time.Duration;

/**
 * Entity types for the seeded replica test: a counter, accounts that pay each other by message,
 * and alarms with timers and effects of both guarantees. Every event carries the version its
 * command was decided at ({@code basis}), and every state notes when an event is folded at another
 * version ({@code stale}): a record applied on a state other than the one it was decided on, which
 * the version check exists to prevent, shows in the state itself.
 */
final class SimEntities {
  private SimEntities() {}

  static final String NOTIFY = "notify";
  static final String LOG = "log";

  // ---- counter ----------------------------------------------------------------------------

  record CounterState(long total, long events, boolean stale) {}

  sealed interface CounterCommand permits Add {}

  record Add(long by) implements CounterCommand {}

  sealed interface CounterEvent permits Added {}

  record Added(long by, long basis) implements CounterEvent {}

  static final class Counter implements Entity<CounterState, CounterCommand, CounterEvent> {
    @Override
    public CounterState initial(String id) {
      return new CounterState(0, 0, false);
    }

    @Override
    public Decision<CounterEvent> handle(CounterCommand command, CounterState state, Context ctx) {
      return Decision.emit(new Added(((Add) command).by(), ctx.version()));
    }

    @Override
    public CounterState apply(CounterEvent event, CounterState state) {
      Added a = (Added) event;
      return new CounterState(state.total() + a.by(), state.events() + 1, state.stale() || a.basis() != state.events());
    }
  }

  // ---- account: transfers by message ------------------------------------------------------------

  record AccountState(long balance, long deposited, long events, boolean stale) {}

  sealed interface AccountCommand permits Deposit, Transfer, Credit {}

  record Deposit(long amount) implements AccountCommand {}

  record Transfer(String to, long amount) implements AccountCommand {}

  record Credit(long amount) implements AccountCommand {}

  sealed interface AccountEvent permits Deposited, Debited, Credited {}

  record Deposited(long amount, long basis) implements AccountEvent {}

  record Debited(long amount, long basis) implements AccountEvent {}

  record Credited(long amount, long basis) implements AccountEvent {}

  static final class Account implements Entity<AccountState, AccountCommand, AccountEvent> {
    @Override
    public AccountState initial(String id) {
      return new AccountState(0, 0, 0, false);
    }

    @Override
    public Decision<AccountEvent> handle(AccountCommand command, AccountState state, Context ctx) {
      if (command instanceof Deposit d) {
        return Decision.emit(new Deposited(d.amount(), ctx.version()));
      }
      if (command instanceof Transfer t) {
        if (t.amount() > state.balance()) {
          return Decision.reject("balance " + state.balance() + " < " + t.amount());
        }
        return Decision.<AccountEvent>emit(new Debited(t.amount(), ctx.version()))
            .send(ACCOUNT.ref(t.to()), new Credit(t.amount()));
      }
      return Decision.emit(new Credited(((Credit) command).amount(), ctx.version()));
    }

    @Override
    public AccountState apply(AccountEvent event, AccountState state) {
      long balance = state.balance();
      long deposited = state.deposited();
      long basis;
      if (event instanceof Deposited d) {
        balance += d.amount();
        deposited += d.amount();
        basis = d.basis();
      } else if (event instanceof Debited d) {
        balance -= d.amount();
        basis = d.basis();
      } else {
        Credited c = (Credited) event;
        balance += c.amount();
        basis = c.basis();
      }
      return new AccountState(balance, deposited, state.events() + 1, state.stale() || basis != state.events());
    }
  }

  // ---- alarm: timers, effects --------------------------------------------------------------------

  record AlarmState(long armed, long rings, long events, boolean stale) {}

  sealed interface AlarmCommand permits Arm, Disarm, Ring {}

  record Arm(String name, long delayMs) implements AlarmCommand {}

  record Disarm(String name) implements AlarmCommand {}

  record Ring(String name) implements AlarmCommand {}

  sealed interface AlarmEvent permits Armed, Rang {}

  record Armed(String name, long basis) implements AlarmEvent {}

  record Rang(String name, long basis) implements AlarmEvent {}

  /** An effect's payload. */
  record Note(String alarm, String name) {}

  static final class Alarm implements Entity<AlarmState, AlarmCommand, AlarmEvent> {
    @Override
    public AlarmState initial(String id) {
      return new AlarmState(0, 0, 0, false);
    }

    @Override
    public Decision<AlarmEvent> handle(AlarmCommand command, AlarmState state, Context ctx) {
      if (command instanceof Arm a) {
        return Decision.<AlarmEvent>emit(new Armed(a.name(), ctx.version()))
            .schedule(a.name(), Duration.ofMillis(a.delayMs()), new Ring(a.name()));
      }
      if (command instanceof Disarm d) {
        return Decision.<AlarmEvent>none().cancelTimer(d.name());
      }
      Ring r = (Ring) command;
      return Decision.<AlarmEvent>emit(new Rang(r.name(), ctx.version()))
          .effectAtLeastOnce(NOTIFY, new Note(ctx.id(), r.name()))
          .effect(LOG, new Note(ctx.id(), r.name()));
    }

    @Override
    public AlarmState apply(AlarmEvent event, AlarmState state) {
      if (event instanceof Armed a) {
        return new AlarmState(state.armed() + 1, state.rings(), state.events() + 1,
            state.stale() || a.basis() != state.events());
      }
      Rang r = (Rang) event;
      return new AlarmState(state.armed(), state.rings() + 1, state.events() + 1,
          state.stale() || r.basis() != state.events());
    }
  }

  static final EntityType<CounterState, CounterCommand, CounterEvent> COUNTER =
      EntityType.builder("counter", new Counter(), CounterState.class, CounterCommand.class, CounterEvent.class)
          .build();
  static final EntityType<AccountState, AccountCommand, AccountEvent> ACCOUNT =
      EntityType.builder("account", new Account(), AccountState.class, AccountCommand.class, AccountEvent.class)
          .build();
  static final EntityType<AlarmState, AlarmCommand, AlarmEvent> ALARM =
      EntityType.builder("alarm", new Alarm(), AlarmState.class, AlarmCommand.class, AlarmEvent.class)
          .types(Note.class).build();

  static final EntityTypes TYPES = EntityTypes.of(COUNTER, ACCOUNT, ALARM);
}
