package io.pachyderm.examples;

import io.pachyderm.entity.EntityTypes;
import io.pachyderm.examples.bank.Account;
import io.pachyderm.examples.booking.Booking;
import io.pachyderm.examples.booking.CheckThenBook;
import io.pachyderm.examples.booking.Room;
import io.pachyderm.examples.counter.Counter;
import io.pachyderm.examples.janken.Game;
import io.pachyderm.examples.janken.Lobby;
import io.pachyderm.examples.profile.Profile;
import io.pachyderm.examples.pingpong.Player;

/**
 * Every example entity type, as the launcher's nodes register them. Types that message each other
 * must be registered together: a node rejects a message to a type it does not know.
 */
public final class ExampleTypes {
  private ExampleTypes() {}

  public static EntityTypes all() {
    return EntityTypes.of(Counter.TYPE, Profile.TYPE, Player.TYPE, Account.TYPE, Lobby.TYPE, Game.TYPE,
        io.pachyderm.examples.janken.Player.TYPE, Room.TYPE, Booking.TYPE, CheckThenBook.TYPE);
  }
}
