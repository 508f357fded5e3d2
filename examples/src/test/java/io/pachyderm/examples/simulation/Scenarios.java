package io.pachyderm.examples.simulation;

import io.pachyderm.entity.EntityTypes;
import io.pachyderm.examples.bank.Account;
import io.pachyderm.examples.booking.Booking;
import io.pachyderm.examples.booking.CheckThenBook;
import io.pachyderm.examples.booking.Room;
import io.pachyderm.examples.janken.Game;
import io.pachyderm.examples.janken.Hand;
import io.pachyderm.examples.janken.Lobby;
import io.pachyderm.examples.janken.Player;
import io.pachyderm.simulation.Explorer;
import io.pachyderm.simulation.InFlight;
import io.pachyderm.simulation.Simulation;
import io.pachyderm.simulation.World;
import java.util.List;

/**
 * The explorations the simulation tests check and {@link ExplorationSpeed} times: one place, so
 * the figures in the README are those of the tested scenarios.
 */
final class Scenarios {
  private Scenarios() {}

  // ---- janken ---------------------------------------------------------------------------------

  static final EntityTypes JANKEN = EntityTypes.of(Lobby.TYPE, Game.TYPE, Player.TYPE);
  static final String GAME_ID = "lobby-1";
  static final long MOVE_TIMEOUT_MS = 30_000;

  /** The start of a game: the lobby starts {@link #GAME_ID}, which invites alice and bob. */
  static Lobby.StartGame startGame() {
    return new Lobby.StartGame("alice", "bob", MOVE_TIMEOUT_MS);
  }

  /**
   * The world once game {@link #GAME_ID} is set up and both players are invited (a
   * {@link Simulation} runs the lobby's start to quiescence): the deadline timer is pending.
   */
  static World jankenGameReady() {
    Simulation sim = Simulation.builder(JANKEN).build();
    sim.call(Lobby.TYPE.ref("lobby"), startGame());
    return sim.world();
  }

  /** From {@link #jankenGameReady()}: alice shows rock and bob scissors, racing each other and the deadline. */
  static Explorer jankenMoves() {
    return Explorer.from(jankenGameReady())
        .command(Player.TYPE.ref("alice"), new Player.Move(GAME_ID, Hand.ROCK))
        .command(Player.TYPE.ref("bob"), new Player.Move(GAME_ID, Hand.SCISSORS));
  }

  // ---- ping-pong ------------------------------------------------------------------------------

  static final EntityTypes PING_PONG = EntityTypes.of(io.pachyderm.examples.pingpong.Player.TYPE);

  /** Alice serves bob a rally of {@code rounds}. */
  static Explorer rally(long rounds) {
    return Explorer.of(PING_PONG).command(io.pachyderm.examples.pingpong.Player.TYPE.ref("alice"),
        new io.pachyderm.examples.pingpong.Player.Serve("bob", rounds));
  }

  // ---- bank -----------------------------------------------------------------------------------

  static final EntityTypes BANK = EntityTypes.of(Account.TYPE);
  static final List<String> ACCOUNTS = List.of("a", "b", "c");
  static final long TOTAL_CENTS = ACCOUNTS.size() * Account.OPENING_BALANCE_CENTS;

  /**
   * Four transfers among three accounts, all in flight at once: a pays out 120.00 of its 100.00, so
   * one of its two payments is refused unless c's payment to a lands first.
   */
  static Explorer bankTransfers() {
    return Explorer.of(BANK)
        .command(Account.TYPE.ref("a"), new Account.Transfer("t1", "b", 60_00))
        .command(Account.TYPE.ref("a"), new Account.Transfer("t2", "c", 60_00))
        .command(Account.TYPE.ref("b"), new Account.Transfer("t3", "c", 50_00))
        .command(Account.TYPE.ref("c"), new Account.Transfer("t4", "a", 70_00))
        .invariant("money is conserved: balances + credits in flight == total",
            w -> balancesCents(w) + creditsInFlightCents(w) == TOTAL_CENTS)
        .invariant("no balance is negative", Scenarios::noNegativeBalance);
  }

  static long balancesCents(World w) {
    long sum = 0;
    for (String id : ACCOUNTS) {
      sum += w.state(Account.TYPE.ref(id)).balanceCents();
    }
    return sum;
  }

  static long creditsInFlightCents(World w) {
    long sum = 0;
    for (InFlight item : w.inFlight()) {
      if (item.kind() != InFlight.Kind.MESSAGE) {
        continue;
      }
      if (Account.TYPE.codec().decode(item.command()) instanceof Account.Credit credit) {
        sum += credit.amountCents();
      }
    }
    return sum;
  }

  static boolean noNegativeBalance(World w) {
    for (String id : ACCOUNTS) {
      if (w.state(Account.TYPE.ref(id)).balanceCents() < 0) {
        return false;
      }
    }
    return true;
  }

  // ---- booking --------------------------------------------------------------------------------

  static final EntityTypes BOOKING = EntityTypes.of(Room.TYPE, CheckThenBook.TYPE, Booking.TYPE);
  static final String ROOM_ID = "r1";
  static final String SLOT = "mon-09";
  static final String NEVER_TWICE = "a slot is never booked by two parties";

  /** The invariant both booking designs must keep, on room {@link #ROOM_ID}. */
  static boolean noSlotBookedTwice(World w) {
    for (List<String> holders : w.state(Room.TYPE.ref(ROOM_ID)).holdersBySlot().values()) {
      if (holders.size() > 1) {
        return false;
      }
    }
    return true;
  }

  /** The check-then-act design: {@code parties} book {@link #SLOT} at once, booking id = party. */
  static Explorer checkThenBook(String... parties) {
    Explorer explorer = Explorer.of(BOOKING).invariant(NEVER_TWICE, Scenarios::noSlotBookedTwice);
    for (String party : parties) {
      explorer.command(CheckThenBook.TYPE.ref(party), new CheckThenBook.Start(ROOM_ID, SLOT, party));
    }
    return explorer;
  }

  /** The reserve-or-refuse design, same race. */
  static Explorer reserveOrRefuse(String... parties) {
    Explorer explorer = Explorer.of(BOOKING).invariant(NEVER_TWICE, Scenarios::noSlotBookedTwice);
    for (String party : parties) {
      explorer.command(Booking.TYPE.ref(party), new Booking.Start(ROOM_ID, SLOT, party));
    }
    return explorer;
  }
}
