package io.pachyderm.node;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;

/** A state-replacing entity for tests: each event holds the whole new state; the default reply is that state. */
public final class TestBlob implements Entity<TestBlob.State, TestBlob.Command, TestBlob.Event> {
  public record State(String content) {}

  public sealed interface Command permits Replace {}

  public record Replace(String content) implements Command {}

  public sealed interface Event permits Replaced {}

  public record Replaced(String content) implements Event {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder("blob", new TestBlob(), State.class, Command.class, Event.class).build();

  @Override
  public State initial(String id) {
    return new State("");
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    return Decision.emit(new Replaced(((Replace) command).content()));
  }

  @Override
  public State apply(Event event, State state) {
    return new State(((Replaced) event).content());
  }
}
