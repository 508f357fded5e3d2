package io.pachyderm.chaos.workload;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;

/**
 * A read/write register: the entity the linearizability checker models. A write replaces the
 * value; reads are queries. {@code written} tells a register that holds 0 from one never
 * written, so the harness can record a read of a fresh register as "no value".
 */
public final class RegisterEntity implements Entity<RegisterEntity.State, RegisterEntity.Command, RegisterEntity.Event> {
  public static final String NAME = "register";

  public record State(long value, boolean written) {}

  public sealed interface Command permits Write {}

  public record Write(long value) implements Command {}

  public sealed interface Event permits Written {}

  public record Written(long value) implements Event {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder(NAME, new RegisterEntity(), State.class, Command.class, Event.class).build();

  @Override
  public State initial(String id) {
    return new State(0, false);
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    // One command kind; the sealed interface keeps it that way.
    Write w = (Write) command;
    return Decision.emit(new Written(w.value()));
  }

  @Override
  public State apply(Event event, State state) {
    return new State(((Written) event).value(), true);
  }
}
