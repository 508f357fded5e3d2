package io.pachyderm.examples.booking;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;

/**
 * One booking of a room's slot by check-then-act across messages, <strong>the design with the
 * bug</strong>, kept to show how exploration finds it: it asks the room {@link Room.IsFree}, and
 * on "free" confirms to its party and tells the room to {@link Room.Book} the slot. Each step is
 * correct on its own; two bookings of one slot whose checks both reach the room before either
 * book both confirm, and the room holds the slot twice (the scenario is numbered in {@link Room}).
 * {@link Booking} is the fix.
 */
public final class CheckThenBook implements Entity<CheckThenBook.State, CheckThenBook.Command, CheckThenBook.Event> {
  public static final String TYPE_NAME = "check-then-book";

  public enum Phase {
    /** Not started. */
    NEW,
    /** Asked the room whether the slot is free. */
    CHECKING,
    /** Heard "free" and told the room to book the slot for the party. */
    CONFIRMED,
    /** Heard "taken". */
    UNAVAILABLE
  }

  public record State(Phase phase, String roomId, String slot, String party) {}

  public sealed interface Command permits Start, Availability {}

  /** From a client: book {@code slot} of room {@code roomId} for {@code party}. */
  public record Start(String roomId, String slot, String party) implements Command {}

  /** From the room: the answer to {@link Room.IsFree}. */
  public record Availability(String slot, boolean free) implements Command {}

  public sealed interface Event permits Started, Confirmed, Unavailable {}

  public record Started(String roomId, String slot, String party) implements Event {}

  public record Confirmed() implements Event {}

  public record Unavailable() implements Event {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder(TYPE_NAME, new CheckThenBook(), State.class, Command.class, Event.class).build();

  @Override
  public State initial(String id) {
    return new State(Phase.NEW, "", "", "");
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    if (command instanceof Start start) {
      String invalid = Booking.invalidRequest(start.roomId(), start.slot(), start.party());
      if (invalid != null) {
        return Decision.reject(invalid);
      }
      if (state.phase() != Phase.NEW) {
        return Decision.reject("booking " + ctx.id() + " has already started (" + state.phase() + ")");
      }
      return Decision.<Event>emit(new Started(start.roomId(), start.slot(), start.party()))
          .send(Room.TYPE.ref(start.roomId()), new Room.IsFree(start.slot()));
    }
    Availability answer = (Availability) command;
    boolean fromRoom = ctx.sender()
        .filter(s -> s.type().equals(Room.TYPE_NAME) && s.id().equals(state.roomId()))
        .isPresent();
    if (!fromRoom || state.phase() != Phase.CHECKING || !answer.slot().equals(state.slot())) {
      return Decision.reject("booking " + ctx.id() + " (" + state.phase() + ") expects availability of "
          + state.slot() + " from room " + state.roomId() + ", got " + answer + " from "
          + ctx.sender().map(EntityRef::toString).orElse("a client or timer"));
    }
    if (!answer.free()) {
      return Decision.emit(new Unavailable());
    }
    // The slot was free when the room answered; by the time Book arrives it may not be.
    return Decision.<Event>emit(new Confirmed())
        .send(Room.TYPE.ref(state.roomId()), new Room.Book(state.slot(), state.party()));
  }

  @Override
  public State apply(Event event, State state) {
    if (event instanceof Started s) {
      return new State(Phase.CHECKING, s.roomId(), s.slot(), s.party());
    }
    Phase phase = event instanceof Confirmed ? Phase.CONFIRMED : Phase.UNAVAILABLE;
    return new State(phase, state.roomId(), state.slot(), state.party());
  }
}
