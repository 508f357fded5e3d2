package io.pachyderm.examples.profile;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;

/**
 * A state-replacing entity (the seed's "all events are replace-state events"): every accepted
 * command emits one {@link StateReplaced} carrying the whole new state, and {@code apply} just
 * takes it.
 */
public final class Profile implements Entity<Profile.State, Profile.Command, Profile.Event> {

  public record State(String name, String email) {}

  public sealed interface Command permits Update {}

  public record Update(String name, String email) implements Command {}

  public sealed interface Event permits StateReplaced {}

  public record StateReplaced(State state) implements Event {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder("profile", new Profile(), State.class, Command.class, Event.class).build();

  @Override
  public State initial(String id) {
    return new State("", "");
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    Update u = (Update) command;
    if (u.email() == null || !u.email().contains("@")) {
      return Decision.reject("not an email address: " + u.email());
    }
    return Decision.emit(new StateReplaced(new State(u.name(), u.email())));
  }

  @Override
  public State apply(Event event, State state) {
    return ((StateReplaced) event).state();
  }
}
