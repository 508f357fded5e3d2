package io.pachyderm.examples.janken;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Where janken games start: {@link StartGame} names two players and a move timeout, the lobby
 * numbers the game ({@code <lobbyId>-<n>}, so game ids are unique without remembering them),
 * replies with {@link GameCreated} and sends the game its {@link Game.Setup}. Each game reports
 * its end back with {@link GameOver}.
 */
public final class Lobby implements Entity<Lobby.State, Lobby.Command, Lobby.Event> {
  public static final String TYPE_NAME = "janken-lobby";
  /** Used when {@link StartGame#moveTimeoutMs()} is 0. */
  public static final Duration MOVE_TIMEOUT_DEFAULT = Duration.ofSeconds(30);
  public static final Duration MOVE_TIMEOUT_MAX = Duration.ofDays(1);

  /**
   * @param gamesStarted games this lobby has started; the last game id is {@code <lobbyId>-<gamesStarted>}
   * @param gamesFinished games that reported their end
   * @param lastFinished the last game that reported its end, or null before the first
   */
  public record State(long gamesStarted, long gamesFinished, GameFinished lastFinished) {}

  public sealed interface Command permits StartGame, GameOver {}

  /**
   * From a client: start a game between two distinct players. A player that has not moved
   * {@code moveTimeoutMs} after the game was set up forfeits; 0 means {@link #MOVE_TIMEOUT_DEFAULT}.
   */
  public record StartGame(String firstPlayerId, String secondPlayerId, long moveTimeoutMs) implements Command {}

  /** From a game of this lobby: how it ended; {@code winnerId} is "" when no one won. */
  public record GameOver(String winnerId, Ending ending) implements Command {}

  public sealed interface Event permits GameStarted, GameFinished {}

  public record GameStarted(String gameId, String firstPlayerId, String secondPlayerId, long moveTimeoutMs)
      implements Event {}

  public record GameFinished(String gameId, String winnerId, Ending ending) implements Event {}

  /** The reply to {@link StartGame}: the new game's id ({@code Game.TYPE.ref(gameId)}). */
  public record GameCreated(String gameId) {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder(TYPE_NAME, new Lobby(), State.class, Command.class, Event.class)
          .types(GameCreated.class)
          .build();

  @Override
  public State initial(String id) {
    return new State(0, 0, null);
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    if (command instanceof StartGame start) {
      return start(start, state, ctx);
    }
    GameOver over = (GameOver) command;
    String gameId = ctx.sender()
        .filter(s -> s.type().equals(Game.TYPE_NAME) && s.id().startsWith(ctx.id() + "-"))
        .map(EntityRef::id)
        .orElse(null);
    if (gameId == null) {
      return Decision.reject("GameOver must come from a game of lobby " + ctx.id() + ", came from "
          + ctx.sender().map(Object::toString).orElse("a client or timer"));
    }
    return Decision.emit(new GameFinished(gameId, over.winnerId(), over.ending()));
  }

  private static Decision<Event> start(StartGame start, State state, Context ctx) {
    String first = start.firstPlayerId();
    String second = start.secondPlayerId();
    if (first == null || first.isBlank() || second == null || second.isBlank()) {
      return Decision.reject("a game needs two player ids, got '" + first + "' and '" + second + "'");
    }
    if (first.equals(second)) {
      return Decision.reject("a game needs two different players, got " + first + " twice");
    }
    if (start.moveTimeoutMs() < 0 || start.moveTimeoutMs() > MOVE_TIMEOUT_MAX.toMillis()) {
      return Decision.reject("move timeout must be 0 (default " + MOVE_TIMEOUT_DEFAULT.toSeconds() + " s).."
          + MOVE_TIMEOUT_MAX.toMillis() + " ms, was " + start.moveTimeoutMs());
    }
    String gameId = ctx.id() + "-" + (state.gamesStarted() + 1);
    if (gameId.getBytes(StandardCharsets.UTF_8).length > EntityRef.ID_BYTES_MAX) {
      return Decision.reject("lobby id too long to number its games: " + ctx.id().length() + " characters");
    }
    long timeoutMs = start.moveTimeoutMs() == 0 ? MOVE_TIMEOUT_DEFAULT.toMillis() : start.moveTimeoutMs();
    return Decision.<Event>emit(new GameStarted(gameId, first, second, timeoutMs))
        .send(Game.TYPE.ref(gameId), new Game.Setup(first, second, timeoutMs))
        .reply(new GameCreated(gameId));
  }

  @Override
  public State apply(Event event, State state) {
    if (event instanceof GameStarted) {
      return new State(state.gamesStarted() + 1, state.gamesFinished(), state.lastFinished());
    }
    return new State(state.gamesStarted(), state.gamesFinished() + 1, (GameFinished) event);
  }
}
