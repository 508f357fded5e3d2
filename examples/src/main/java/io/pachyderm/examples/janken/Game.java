package io.pachyderm.examples.janken;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One game of janken between two players. Set up by its lobby, it invites both players and arms
 * a durable timer, {@link #DEADLINE_TIMER}, for the move deadline. Each player's move arrives as
 * a {@link Play} sent by that player's entity (the sender is the player: a client cannot move for
 * someone else). The game resolves when both have moved (and cancels the timer), or when the
 * timer fires: whoever moved wins by forfeit, and if no one did the game is abandoned. Either way
 * both players and the lobby are told with a message.
 */
public final class Game implements Entity<Game.State, Game.Command, Game.Event> {
  public static final String TYPE_NAME = "janken-game";
  /** The durable timer that ends the game when a player has not moved in time. */
  public static final String DEADLINE_TIMER = "move-deadline";

  public enum Phase {
    /** Not set up yet: a game exists before its lobby's {@link Setup} arrives. */
    NEW,
    /** Set up, waiting for moves. */
    WAITING,
    /** Resolved; see {@link State#winnerId()} and {@link State#ending()}. */
    OVER
  }

  /**
   * @param firstHand the first player's move, null until it moved (likewise {@code secondHand})
   * @param deadlineMs when the move deadline passes, epoch ms of the leader's clock (0 until set up)
   * @param winnerId "" while not over and when no one won
   * @param ending null until over
   */
  public record State(Phase phase, String lobbyId, String firstPlayerId, String secondPlayerId, Hand firstHand,
                      Hand secondHand, long deadlineMs, String winnerId, Ending ending) {}

  public sealed interface Command permits Setup, Play, MoveDeadline {}

  /** From the lobby that numbered this game. */
  public record Setup(String firstPlayerId, String secondPlayerId, long moveTimeoutMs) implements Command {}

  /** From a player entity of this game: its move. */
  public record Play(Hand hand) implements Command {}

  /** From this game's own {@link #DEADLINE_TIMER}. */
  public record MoveDeadline() implements Command {}

  public sealed interface Event permits SetUp, Moved, Resolved {}

  public record SetUp(String lobbyId, String firstPlayerId, String secondPlayerId, long deadlineMs)
      implements Event {}

  public record Moved(String playerId, Hand hand) implements Event {}

  public record Resolved(String winnerId, Ending ending) implements Event {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder(TYPE_NAME, new Game(), State.class, Command.class, Event.class).build();

  @Override
  public State initial(String id) {
    return new State(Phase.NEW, "", "", "", null, null, 0, "", null);
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    if (command instanceof Setup setup) {
      return setup(setup, state, ctx);
    }
    if (command instanceof Play play) {
      return play(play, state, ctx);
    }
    return deadline(state, ctx);
  }

  private static Decision<Event> setup(Setup setup, State state, Context ctx) {
    String lobbyId = ctx.sender().filter(s -> s.type().equals(Lobby.TYPE_NAME)).map(EntityRef::id).orElse(null);
    if (lobbyId == null) {
      return Decision.reject("game " + ctx.id() + " is set up by a lobby, not by "
          + ctx.sender().map(Object::toString).orElse("a client or timer"));
    }
    if (state.phase() != Phase.NEW) {
      return Decision.reject("game " + ctx.id() + " is already set up (" + state.phase() + ")");
    }
    if (setup.moveTimeoutMs() <= 0) {
      return Decision.reject("game " + ctx.id() + ": move timeout must be positive, was " + setup.moveTimeoutMs());
    }
    long deadlineMs = ctx.now().toEpochMilli() + setup.moveTimeoutMs();
    return Decision.<Event>emit(new SetUp(lobbyId, setup.firstPlayerId(), setup.secondPlayerId(), deadlineMs))
        .send(Player.TYPE.ref(setup.firstPlayerId()), new Player.Invite(setup.secondPlayerId(), deadlineMs))
        .send(Player.TYPE.ref(setup.secondPlayerId()), new Player.Invite(setup.firstPlayerId(), deadlineMs))
        .schedule(DEADLINE_TIMER, Duration.ofMillis(setup.moveTimeoutMs()), new MoveDeadline());
  }

  private static Decision<Event> play(Play play, State state, Context ctx) {
    String playerId = ctx.sender().filter(s -> s.type().equals(Player.TYPE_NAME)).map(EntityRef::id).orElse(null);
    if (playerId == null) {
      return Decision.reject("moves in game " + ctx.id() + " come from its players, not from "
          + ctx.sender().map(Object::toString).orElse("a client or timer"));
    }
    if (play.hand() == null) {
      return Decision.reject("player " + playerId + " played no hand in game " + ctx.id());
    }
    if (state.phase() != Phase.WAITING) {
      return Decision.reject("game " + ctx.id() + " does not take moves: it is " + state.phase()
          + (state.phase() == Phase.OVER ? " (" + state.ending() + ")" : ""));
    }
    boolean first = playerId.equals(state.firstPlayerId());
    if (!first && !playerId.equals(state.secondPlayerId())) {
      return Decision.reject(playerId + " does not play in game " + ctx.id());
    }
    if ((first ? state.firstHand() : state.secondHand()) != null) {
      return Decision.reject(playerId + " has already moved in game " + ctx.id());
    }
    Hand firstHand = first ? play.hand() : state.firstHand();
    Hand secondHand = first ? state.secondHand() : play.hand();
    Moved moved = new Moved(playerId, play.hand());
    if (firstHand == null || secondHand == null) {
      return Decision.emit(moved);
    }
    String winner = firstHand.beats(secondHand) ? state.firstPlayerId()
        : secondHand.beats(firstHand) ? state.secondPlayerId() : "";
    return resolve(state, List.of(moved), winner, Ending.PLAYED);
  }

  private static Decision<Event> deadline(State state, Context ctx) {
    if (ctx.sender().isPresent()) {
      return Decision.reject("only game " + ctx.id() + "'s own timer ends it, not " + ctx.sender().get());
    }
    if (state.phase() != Phase.WAITING) {
      // A deadline that fired while the game was resolving: nothing left to do.
      return Decision.none();
    }
    if (ctx.now().toEpochMilli() < state.deadlineMs()) {
      // Early: a client sent MoveDeadline itself (timers and clients both have no sender), or a new
      // leader's clock is behind the one that set the deadline. Wait for the real deadline.
      return Decision.<Event>none().scheduleAt(DEADLINE_TIMER, Instant.ofEpochMilli(state.deadlineMs()),
          new MoveDeadline());
    }
    if (state.firstHand() != null) {
      return resolve(state, List.of(), state.firstPlayerId(), Ending.FORFEIT);
    }
    if (state.secondHand() != null) {
      return resolve(state, List.of(), state.secondPlayerId(), Ending.FORFEIT);
    }
    return resolve(state, List.of(), "", Ending.ABANDONED);
  }

  /** The end of the game: its events, the result to both players and the lobby, the timer cancelled. */
  private static Decision<Event> resolve(State state, List<Event> before, String winnerId, Ending ending) {
    List<Event> events = new ArrayList<>(before);
    events.add(new Resolved(winnerId, ending));
    return Decision.<Event>emit(events)
        .send(Player.TYPE.ref(state.firstPlayerId()), new Player.Result(winnerId, ending))
        .send(Player.TYPE.ref(state.secondPlayerId()), new Player.Result(winnerId, ending))
        .send(Lobby.TYPE.ref(state.lobbyId()), new Lobby.GameOver(winnerId, ending))
        .cancelTimer(DEADLINE_TIMER);
  }

  @Override
  public State apply(Event event, State state) {
    if (event instanceof SetUp s) {
      return new State(Phase.WAITING, s.lobbyId(), s.firstPlayerId(), s.secondPlayerId(), null, null,
          s.deadlineMs(), "", null);
    }
    if (event instanceof Moved m) {
      boolean first = m.playerId().equals(state.firstPlayerId());
      return new State(state.phase(), state.lobbyId(), state.firstPlayerId(), state.secondPlayerId(),
          first ? m.hand() : state.firstHand(), first ? state.secondHand() : m.hand(), state.deadlineMs(),
          state.winnerId(), state.ending());
    }
    Resolved r = (Resolved) event;
    return new State(Phase.OVER, state.lobbyId(), state.firstPlayerId(), state.secondPlayerId(), state.firstHand(),
        state.secondHand(), state.deadlineMs(), r.winnerId(), r.ending());
  }
}
