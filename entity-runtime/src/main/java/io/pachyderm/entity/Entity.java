package io.pachyderm.entity;

/**
 * A durable, globally unique actor, written as two pure functions.
 *
 * <p>{@link #handle} runs on the Raft leader only, before anything is written; it decides what
 * happens (events, effects, reply) or rejects the command. {@link #apply} runs on every replica
 * for every committed event, in log order, and must be deterministic: no wall clock, no
 * randomness, no iteration over unordered hash maps into the result. Use {@link Context#now()} and
 * {@link Context#random()} in {@code handle} instead; their values end up in the events.
 *
 * <p>Implementations must be thread-safe in the trivial sense: they hold no mutable fields.
 * Commands to different entities are handled concurrently.
 *
 * @param <S> state; an immutable value (a record is ideal)
 * @param <C> command; usually a sealed interface of records
 * @param <E> event; usually a sealed interface of records
 */
public interface Entity<S, C, E> {

  /** The state of an entity that has never received an event. Must not return null. */
  S initial(String id);

  /**
   * Decides what a command does. May throw: the command is then rejected with the exception's
   * message and nothing is written; other commands are unaffected.
   */
  Decision<E> handle(C command, S state, Context ctx);

  /** Folds one committed event into the state. Pure and deterministic; must not return null. */
  S apply(E event, S state);
}
