package io.pachyderm.bench.versus;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;

/**
 * The entity of the side-by-side rows: a versioned value whose every update depends on the state
 * before it (the new version is the old one plus one), the same read-modify-write the baselines do
 * with etcd's mod revision and PostgreSQL's version column. The payload is carried in the command
 * and the event, so every system writes the same bytes per update.
 */
public final class Register implements Entity<Register.State, Register.Command, Register.Event> {
  /** An update larger than this is rejected before it is replicated. */
  public static final int PAYLOAD_CHARS_MAX = 64 * 1024;

  public record State(long version, String payload) {}

  public sealed interface Command permits Put {}

  /** Replaces the payload; the event carries the version it makes. */
  public record Put(String payload) implements Command {}

  public sealed interface Event permits Updated {}

  public record Updated(long version, String payload) implements Event {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder("versus-register", new Register(), State.class, Command.class, Event.class).build();

  @Override
  public State initial(String id) {
    return new State(0, "");
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    Put put = (Put) command;
    if (put.payload() == null || put.payload().length() > PAYLOAD_CHARS_MAX) {
      return Decision.reject("payload must be 0.." + PAYLOAD_CHARS_MAX + " characters");
    }
    return Decision.emit(new Updated(state.version() + 1, put.payload()));
  }

  @Override
  public State apply(Event event, State state) {
    Updated u = (Updated) event;
    return new State(u.version(), u.payload());
  }
}
