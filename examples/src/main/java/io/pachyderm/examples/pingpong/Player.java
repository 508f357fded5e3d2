package io.pachyderm.examples.pingpong;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import java.util.Optional;

/**
 * The seed's ping-pong, as a rally: a client tells alice to {@link Serve} bob for {@code rounds}
 * rounds; alice sends bob {@code Ping(1)}, bob answers {@code Pong(1)} to whoever pinged him
 * ({@link Context#sender()}), alice pings again with {@code n + 1} until she has received
 * {@code Pong(rounds)}. Every ping and pong is a message between entities, delivered exactly once
 * after the sending command commits, so at the end of a rally of N rounds the receiver counts
 * exactly N pings and the server exactly N pongs, the last one numbered N.
 *
 * <p>Pings and pongs are accepted only from another player: from a client they would count
 * without having been served, and a ping from a client has no one to answer.
 */
public final class Player implements Entity<Player.State, Player.Command, Player.Event> {
  public static final String TYPE_NAME = "player";
  /** Longest rally one serve may ask for; a limit on everything, and a rally is a message chain. */
  public static final long ROUNDS_MAX = 1_000_000;

  /**
   * @param opponentId whom this player last served ("" before the first serve)
   * @param rounds how many rounds that serve asked for (0 before the first serve)
   * @param pingsReceived pings received from anyone, ever
   * @param pongsReceived pongs received from anyone, ever
   * @param lastPing the number of the last ping received (0 before the first)
   * @param lastPong the number of the last pong received from {@code opponentId} in the current rally (0
   *     right after a serve)
   */
  public record State(String opponentId, long rounds, long pingsReceived, long pongsReceived, long lastPing,
                      long lastPong) {

    /** A rally this player served is still going: it has not yet received the last pong. */
    public boolean rallyInProgress() {
      return rounds > 0 && lastPong < rounds;
    }
  }

  public sealed interface Command permits Serve, Ping, Pong {}

  /** From a client: start a rally of {@code rounds} pings against {@code opponentId}. */
  public record Serve(String opponentId, long rounds) implements Command {}

  /** From another player: ping number {@code n} of its rally. */
  public record Ping(long n) implements Command {}

  /** From another player: the answer to this player's ping number {@code n}. */
  public record Pong(long n) implements Command {}

  public sealed interface Event permits Served, PingReceived, PongReceived {}

  public record Served(String opponentId, long rounds) implements Event {}

  public record PingReceived(String fromId, long n) implements Event {}

  public record PongReceived(String fromId, long n) implements Event {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder(TYPE_NAME, new Player(), State.class, Command.class, Event.class).build();

  @Override
  public State initial(String id) {
    return new State("", 0, 0, 0, 0, 0);
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    if (command instanceof Serve serve) {
      return serve(serve, state, ctx);
    }
    Optional<EntityRef<State, Command>> from = senderPlayer(ctx);
    if (from.isEmpty()) {
      return Decision.reject(command.getClass().getSimpleName() + " must come from another " + TYPE_NAME
          + ", not from " + ctx.sender().map(EntityRef::toString).orElse("a client or timer"));
    }
    EntityRef<State, Command> opponent = from.get();
    if (command instanceof Ping ping) {
      return Decision.<Event>emit(new PingReceived(opponent.id(), ping.n()))
          .send(opponent, new Pong(ping.n()));
    }
    Pong pong = (Pong) command;
    Decision<Event> received = Decision.emit(new PongReceived(opponent.id(), pong.n()));
    // Only the rally this player served continues; a stray pong is counted and goes no further.
    boolean myRally = state.rallyInProgress() && opponent.id().equals(state.opponentId());
    if (myRally && pong.n() < state.rounds()) {
      return received.send(opponent, new Ping(pong.n() + 1));
    }
    return received;
  }

  private static Decision<Event> serve(Serve serve, State state, Context ctx) {
    if (serve.opponentId() == null || serve.opponentId().isBlank()) {
      return Decision.reject("Serve needs an opponent id");
    }
    if (serve.opponentId().equals(ctx.id())) {
      return Decision.reject(ctx.id() + " cannot serve to itself");
    }
    if (serve.rounds() < 1 || serve.rounds() > ROUNDS_MAX) {
      return Decision.reject("rounds must be 1.." + ROUNDS_MAX + ", was " + serve.rounds());
    }
    if (state.rallyInProgress()) {
      // Two rallies at once would mix their pongs: lastPong could not tell them apart.
      return Decision.reject(ctx.id() + " is still in a rally with " + state.opponentId() + " (pong "
          + state.lastPong() + " of " + state.rounds() + ")");
    }
    return Decision.<Event>emit(new Served(serve.opponentId(), serve.rounds()))
        .send(TYPE.ref(serve.opponentId()), new Ping(1));
  }

  /** The sender as a player reference, when the command was sent by a player. */
  private static Optional<EntityRef<State, Command>> senderPlayer(Context ctx) {
    return ctx.sender()
        .filter(s -> s.type().equals(TYPE_NAME))
        .map(s -> TYPE.ref(s.id()));
  }

  @Override
  public State apply(Event event, State state) {
    if (event instanceof Served s) {
      return new State(s.opponentId(), s.rounds(), state.pingsReceived(), state.pongsReceived(), state.lastPing(), 0);
    }
    if (event instanceof PingReceived p) {
      return new State(state.opponentId(), state.rounds(), state.pingsReceived() + 1, state.pongsReceived(), p.n(),
          state.lastPong());
    }
    PongReceived p = (PongReceived) event;
    long lastPong = p.fromId().equals(state.opponentId()) ? p.n() : state.lastPong();
    return new State(state.opponentId(), state.rounds(), state.pingsReceived(), state.pongsReceived() + 1,
        state.lastPing(), lastPong);
  }
}
