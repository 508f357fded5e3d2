package io.pachyderm.examples.janken;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A janken player: games invite it ({@link Invite}), its client moves through it ({@link Move},
 * which it passes to the game as a {@link Game.Play} so that the game knows who moved), and games
 * tell it how they ended ({@link Result}). It keeps its open games and its record.
 *
 * <p>At most {@link #OPEN_GAMES_MAX} games can be open at once; an invitation beyond that is
 * rejected, and that game then ends without this player's move at its deadline.
 */
public final class Player implements Entity<Player.State, Player.Command, Player.Event> {
  public static final String TYPE_NAME = "janken-player";
  public static final int OPEN_GAMES_MAX = 16;

  /** A game from this player's side, relative to it. */
  public enum Outcome {
    WIN,
    LOSS,
    DRAW
  }

  /**
   * An open game.
   *
   * @param hand this player's move, null until it moved
   * @param deadlineMs when the game stops taking moves, epoch ms (as the game set it)
   */
  public record Seat(String opponentId, Hand hand, long deadlineMs) {}

  /**
   * @param openGames games invited to and not yet ended, by game id (sorted: deterministic bytes)
   * @param lastGameId the last game that ended ("" before the first), with its {@code lastOutcome}
   *     and {@code lastEnding} (null before the first)
   */
  public record State(Map<String, Seat> openGames, long wins, long losses, long draws, String lastGameId,
                      Outcome lastOutcome, Ending lastEnding) {
    public State {
      openGames = Collections.unmodifiableMap(new TreeMap<>(openGames));
    }
  }

  public sealed interface Command permits Invite, Move, Result {}

  /** From a game: play against {@code opponentId} before {@code deadlineMs}. */
  public record Invite(String opponentId, long deadlineMs) implements Command {}

  /** From this player's client: show {@code hand} in game {@code gameId}. */
  public record Move(String gameId, Hand hand) implements Command {}

  /** From a game: it ended; {@code winnerId} is "" when no one won. */
  public record Result(String winnerId, Ending ending) implements Command {}

  public sealed interface Event permits Invited, Moved, GameEnded {}

  public record Invited(String gameId, String opponentId, long deadlineMs) implements Event {}

  public record Moved(String gameId, Hand hand) implements Event {}

  public record GameEnded(String gameId, Outcome outcome, Ending ending) implements Event {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder(TYPE_NAME, new Player(), State.class, Command.class, Event.class).build();

  @Override
  public State initial(String id) {
    return new State(Map.of(), 0, 0, 0, "", null, null);
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    if (command instanceof Move move) {
      return move(move, state, ctx);
    }
    String gameId = ctx.sender().filter(s -> s.type().equals(Game.TYPE_NAME)).map(EntityRef::id).orElse(null);
    if (gameId == null) {
      return Decision.reject(command.getClass().getSimpleName() + " must come from a " + Game.TYPE_NAME
          + ", came from " + ctx.sender().map(Object::toString).orElse("a client or timer"));
    }
    if (command instanceof Invite invite) {
      if (state.openGames().size() >= OPEN_GAMES_MAX) {
        return Decision.reject(ctx.id() + " already has " + OPEN_GAMES_MAX + " open games; not joining " + gameId);
      }
      return Decision.emit(new Invited(gameId, invite.opponentId(), invite.deadlineMs()));
    }
    Result result = (Result) command;
    Outcome outcome = result.winnerId().isEmpty() ? Outcome.DRAW
        : result.winnerId().equals(ctx.id()) ? Outcome.WIN : Outcome.LOSS;
    return Decision.emit(new GameEnded(gameId, outcome, result.ending()));
  }

  private static Decision<Event> move(Move move, State state, Context ctx) {
    if (move.hand() == null) {
      return Decision.reject("a move needs a hand: ROCK, PAPER or SCISSORS");
    }
    Seat seat = move.gameId() == null ? null : state.openGames().get(move.gameId());
    if (seat == null) {
      return Decision.reject(ctx.id() + " has no open game '" + move.gameId() + "'; open: "
          + state.openGames().keySet());
    }
    if (seat.hand() != null) {
      return Decision.reject(ctx.id() + " has already shown " + seat.hand() + " in game " + move.gameId());
    }
    // No check of the deadline here: the game decides, in its own order, whether the move was in time.
    return Decision.<Event>emit(new Moved(move.gameId(), move.hand()))
        .send(Game.TYPE.ref(move.gameId()), new Game.Play(move.hand()));
  }

  @Override
  public State apply(Event event, State state) {
    TreeMap<String, Seat> games = new TreeMap<>(state.openGames());
    if (event instanceof Invited i) {
      games.put(i.gameId(), new Seat(i.opponentId(), null, i.deadlineMs()));
      return new State(games, state.wins(), state.losses(), state.draws(), state.lastGameId(), state.lastOutcome(),
          state.lastEnding());
    }
    if (event instanceof Moved m) {
      Seat seat = games.get(m.gameId());
      games.put(m.gameId(), new Seat(seat.opponentId(), m.hand(), seat.deadlineMs()));
      return new State(games, state.wins(), state.losses(), state.draws(), state.lastGameId(), state.lastOutcome(),
          state.lastEnding());
    }
    GameEnded e = (GameEnded) event;
    games.remove(e.gameId());
    return new State(games,
        state.wins() + (e.outcome() == Outcome.WIN ? 1 : 0),
        state.losses() + (e.outcome() == Outcome.LOSS ? 1 : 0),
        state.draws() + (e.outcome() == Outcome.DRAW ? 1 : 0),
        e.gameId(), e.outcome(), e.ending());
  }
}
