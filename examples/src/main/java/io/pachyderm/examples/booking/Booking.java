package io.pachyderm.examples.booking;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;

/**
 * One booking of a room's slot, the design without the race: it asks the room to
 * {@link Room.Reserve} the slot, and the room checks and writes in one handle, answering
 * {@link Confirmed} or {@link Refused}. Only the room knows who holds its slots, so only the room
 * decides; the booking confirms to its party after the room has written the reservation.
 */
public final class Booking implements Entity<Booking.State, Booking.Command, Booking.Event> {
  public static final String TYPE_NAME = "booking";
  /** Longest room id and party name, in characters. */
  public static final int NAME_LENGTH_MAX = 100;

  public enum Phase {
    /** Not started. */
    NEW,
    /** Asked the room to reserve the slot. */
    REQUESTED,
    /** The room reserved the slot for the party. */
    CONFIRMED,
    /** The room refused: someone else holds the slot. */
    REFUSED
  }

  /** @param holder who holds the slot instead, once refused ("" otherwise, or when the room was full) */
  public record State(Phase phase, String roomId, String slot, String party, String holder) {}

  public sealed interface Command permits Start, Confirmed, Refused {}

  /** From a client: book {@code slot} of room {@code roomId} for {@code party}. */
  public record Start(String roomId, String slot, String party) implements Command {}

  /** From the room: the slot is reserved for this booking's party. */
  public record Confirmed(String slot) implements Command {}

  /** From the room: {@code holder} has the slot ("" when the room is full). */
  public record Refused(String slot, String holder) implements Command {}

  public sealed interface Event permits Requested, WasConfirmed, WasRefused {}

  public record Requested(String roomId, String slot, String party) implements Event {}

  public record WasConfirmed() implements Event {}

  public record WasRefused(String holder) implements Event {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder(TYPE_NAME, new Booking(), State.class, Command.class, Event.class).build();

  @Override
  public State initial(String id) {
    return new State(Phase.NEW, "", "", "", "");
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    if (command instanceof Start start) {
      String invalid = invalidRequest(start.roomId(), start.slot(), start.party());
      if (invalid != null) {
        return Decision.reject(invalid);
      }
      if (state.phase() != Phase.NEW) {
        return Decision.reject("booking " + ctx.id() + " has already started (" + state.phase() + ")");
      }
      return Decision.<Event>emit(new Requested(start.roomId(), start.slot(), start.party()))
          .send(Room.TYPE.ref(start.roomId()), new Room.Reserve(start.slot(), start.party()));
    }
    boolean fromRoom = ctx.sender()
        .filter(s -> s.type().equals(Room.TYPE_NAME) && s.id().equals(state.roomId()))
        .isPresent();
    if (!fromRoom || state.phase() != Phase.REQUESTED) {
      return Decision.reject("booking " + ctx.id() + " (" + state.phase() + ") expects the answer of room "
          + state.roomId() + ", got " + command + " from "
          + ctx.sender().map(EntityRef::toString).orElse("a client or timer"));
    }
    if (command instanceof Refused refused) {
      return Decision.emit(new WasRefused(refused.holder()));
    }
    return Decision.emit(new WasConfirmed());
  }

  /** Why a request cannot be booked, or null when it can; shared with {@link CheckThenBook}. */
  static String invalidRequest(String roomId, String slot, String party) {
    if (roomId == null || roomId.isBlank() || roomId.length() > NAME_LENGTH_MAX) {
      return "room id must be 1.." + NAME_LENGTH_MAX + " characters, was '" + roomId + "'";
    }
    if (slot == null || slot.isBlank() || slot.length() > Room.SLOT_LENGTH_MAX) {
      return "slot must be 1.." + Room.SLOT_LENGTH_MAX + " characters, was '" + slot + "'";
    }
    if (party == null || party.isBlank() || party.length() > NAME_LENGTH_MAX) {
      return "party must be 1.." + NAME_LENGTH_MAX + " characters, was '" + party + "'";
    }
    return null;
  }

  @Override
  public State apply(Event event, State state) {
    if (event instanceof Requested r) {
      return new State(Phase.REQUESTED, r.roomId(), r.slot(), r.party(), "");
    }
    if (event instanceof WasRefused r) {
      return new State(Phase.REFUSED, state.roomId(), state.slot(), state.party(), r.holder());
    }
    return new State(Phase.CONFIRMED, state.roomId(), state.slot(), state.party(), "");
  }
}
