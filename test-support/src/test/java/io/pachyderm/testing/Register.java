package io.pachyderm.testing;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.simulation.Explorer;

/**
 * A register that keeps the last value written, for these tests: writes race when relayed by
 * two entities. Writing "boom" right after "x" throws, so one delivery order of a race fails.
 */
final class Register implements Entity<Register.State, Register.Command, Register.Written> {
  record State(String last, long writes) {}

  sealed interface Command permits Write, Relay {}

  /** Sets the value. */
  record Write(String value) implements Command {}

  /** Asks this register to write {@code value} into register {@code to}, by message. */
  record Relay(String to, String value) implements Command {}

  record Written(String value) {}

  static final EntityType<State, Command, Written> TYPE =
      EntityType.builder("register", new Register(), State.class, Command.class, Written.class).build();
  static final EntityTypes TYPES = EntityTypes.of(TYPE);

  static EntityRef<State, Command> ref(String id) {
    return TYPE.ref(id);
  }

  /** Registers a and b relay {@code fromA} and {@code fromB} to register r: two final worlds, one per order. */
  static Explorer race(String fromA, String fromB) {
    return Explorer.of(TYPES).command(ref("a"), new Relay("r", fromA)).command(ref("b"), new Relay("r", fromB));
  }

  @Override
  public State initial(String id) {
    return new State("", 0);
  }

  @Override
  public Decision<Written> handle(Command command, State state, Context ctx) {
    if (command instanceof Relay) {
      Relay r = (Relay) command;
      return Decision.message(ref(r.to()), new Write(r.value()));
    }
    Write w = (Write) command;
    if (w.value().equals("boom") && state.last().equals("x")) {
      throw new IllegalStateException("boom right after x");
    }
    return Decision.emit(new Written(w.value()));
  }

  @Override
  public State apply(Written event, State state) {
    return new State(event.value(), state.writes() + 1);
  }
}
