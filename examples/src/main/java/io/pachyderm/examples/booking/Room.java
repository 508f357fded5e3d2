package io.pachyderm.examples.booking;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A meeting room's calendar: who reserved which of its slots ({@code "mon-09"}). Bookings talk to
 * it by message and it answers by message to the booking that asked ({@link Context#sender()}).
 *
 * <p>It serves two protocols, side by side so that they can be compared:
 * <ul>
 *   <li>check-then-act, for {@link CheckThenBook}: {@link IsFree} answers whether a slot is free,
 *       {@link Book} then writes a reservation <em>without checking again</em>, trusting the
 *       answer to {@code IsFree}. The room handles one command at a time, but the check and the
 *       write are two commands, and another booking's check can come between them:
 *       <ol>
 *         <li>alice's booking asks IsFree(mon-09): free;</li>
 *         <li>bob's booking asks IsFree(mon-09): still free;</li>
 *         <li>alice's Book(mon-09) and bob's Book(mon-09) both write: the slot is booked twice.</li>
 *       </ol></li>
 *   <li>reserve-or-refuse, for {@link Booking}: {@link Reserve} checks and writes in one handle;
 *       whichever reservation the room handles second is refused.</li>
 * </ul>
 */
public final class Room implements Entity<Room.State, Room.Command, Room.Event> {
  public static final String TYPE_NAME = "room";
  /** Most reservations one room keeps; a limit on everything, and a calendar grows. */
  public static final int RESERVATIONS_MAX = 1_000;
  /** Longest slot name, in characters. */
  public static final int SLOT_LENGTH_MAX = 64;

  public record Reservation(String slot, String party) {}

  /** @param reservations in the order the room wrote them */
  public record State(List<Reservation> reservations) {
    public State {
      reservations = List.copyOf(reservations);
    }

    /** Who holds {@code slot}, in the order they reserved it; more than one is a double booking. */
    public List<String> holders(String slot) {
      List<String> out = new ArrayList<>();
      for (Reservation r : reservations) {
        if (r.slot().equals(slot)) {
          out.add(r.party());
        }
      }
      return out;
    }

    /** Every reserved slot with its holders, slots sorted. */
    public Map<String, List<String>> holdersBySlot() {
      TreeMap<String, List<String>> out = new TreeMap<>();
      for (Reservation r : reservations) {
        out.computeIfAbsent(r.slot(), s -> new ArrayList<>()).add(r.party());
      }
      return out;
    }
  }

  public sealed interface Command permits IsFree, Book, Reserve {
    /** The slot the command is about. */
    String slot();
  }

  /** From a {@link CheckThenBook}: is {@code slot} free? Answered with {@link CheckThenBook.Availability}. */
  public record IsFree(String slot) implements Command {}

  /** From a {@link CheckThenBook} that heard "free": write the reservation (no second check: the bug). */
  public record Book(String slot, String party) implements Command {}

  /**
   * From a {@link Booking}: reserve {@code slot} if it is free, in this one handle; answered with
   * {@link Booking.Confirmed} or {@link Booking.Refused}.
   */
  public record Reserve(String slot, String party) implements Command {}

  public sealed interface Event permits SlotTaken {}

  public record SlotTaken(String slot, String party) implements Event {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder(TYPE_NAME, new Room(), State.class, Command.class, Event.class).build();

  @Override
  public State initial(String id) {
    return new State(List.of());
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    String slot = command.slot();
    if (slot == null || slot.isBlank() || slot.length() > SLOT_LENGTH_MAX) {
      return Decision.reject("slot must be 1.." + SLOT_LENGTH_MAX + " characters, was '" + slot + "'");
    }
    if (command instanceof Reserve reserve) {
      return reserve(reserve, state, ctx);
    }
    String bookingId = senderId(ctx, CheckThenBook.TYPE_NAME);
    if (bookingId == null) {
      return Decision.reject(command.getClass().getSimpleName() + " must come from a " + CheckThenBook.TYPE_NAME
          + ", came from " + ctx.sender().map(Object::toString).orElse("a client or timer"));
    }
    if (command instanceof IsFree) {
      return Decision.message(CheckThenBook.TYPE.ref(bookingId),
          new CheckThenBook.Availability(slot, state.holders(slot).isEmpty()));
    }
    Book book = (Book) command;
    if (state.reservations().size() >= RESERVATIONS_MAX) {
      return Decision.reject("room " + ctx.id() + " is full: " + RESERVATIONS_MAX + " reservations");
    }
    // Trusts the IsFree answer the booking got earlier; another booking may have taken the slot since.
    return Decision.emit(new SlotTaken(slot, book.party()));
  }

  private static Decision<Event> reserve(Reserve reserve, State state, Context ctx) {
    String bookingId = senderId(ctx, Booking.TYPE_NAME);
    if (bookingId == null) {
      return Decision.reject("Reserve must come from a " + Booking.TYPE_NAME + ", came from "
          + ctx.sender().map(Object::toString).orElse("a client or timer"));
    }
    EntityRef<Booking.State, Booking.Command> booking = Booking.TYPE.ref(bookingId);
    List<String> holders = state.holders(reserve.slot());
    if (!holders.isEmpty()) {
      return Decision.message(booking, new Booking.Refused(reserve.slot(), holders.get(0)));
    }
    if (state.reservations().size() >= RESERVATIONS_MAX) {
      return Decision.message(booking, new Booking.Refused(reserve.slot(), ""));
    }
    // Checked and written in one handle: no other command runs on this room in between.
    return Decision.<Event>emit(new SlotTaken(reserve.slot(), reserve.party()))
        .send(booking, new Booking.Confirmed(reserve.slot()));
  }

  private static String senderId(Context ctx, String typeName) {
    return ctx.sender().filter(s -> s.type().equals(typeName)).map(EntityRef::id).orElse(null);
  }

  @Override
  public State apply(Event event, State state) {
    SlotTaken taken = (SlotTaken) event;
    List<Reservation> reservations = new ArrayList<>(state.reservations());
    reservations.add(new Reservation(taken.slot(), taken.party()));
    return new State(reservations);
  }
}
