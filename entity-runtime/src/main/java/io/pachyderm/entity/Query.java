package io.pachyderm.entity;

import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A named, read-only question that an entity type answers where its state is: the node serving
 * the read runs the function on the entity's current state and sends back only the result, with
 * the entity's version, instead of the whole state.
 *
 * <pre>{@code
 * public static final Query<State, Void, Long> BALANCE =
 *     Query.of("balance", Long.class, State::balanceCents);
 * public static final Query<State, Amount, Boolean> CAN_PAY =
 *     Query.of("can-pay", Amount.class, Boolean.class, (state, amount) -> state.balanceCents() >= amount.cents());
 *
 * EntityType.builder("account", ...).query(BALANCE).query(CAN_PAY).build();
 * long cents = entities.query(account, BALANCE);
 * }</pre>
 *
 * <p><b>The function must not change anything.</b> It runs on the read path of every node that
 * serves a read (never on the apply path), concurrently with commands being applied and with other
 * queries, on the state object the node holds: the entity's immutable state record. It must not
 * mutate that state, must not block, and should be quick and deterministic; it may return null.
 * A function that throws fails that read only ({@code CommandRejectedException}, kind
 * {@code HANDLER_FAILED}); the node keeps serving.
 *
 * <p>The args and result classes are registered with the entity type's codec when the query is
 * registered ({@link EntityType.Builder#query}), so the default JSON codec can carry them: use
 * records, strings or boxed primitives, not collection interfaces (a {@code List} result has no
 * registered class; wrap it in a record). A query without args has args class {@code Void}.
 *
 * <p>Immutable and thread-safe. The name identifies the query on the wire and in the CLI, like an
 * entity type name: keep it stable.
 *
 * @param <S> the entity's state
 * @param <A> the args, {@code Void} for none
 * @param <R> the result
 */
public final class Query<S, A, R> {
  private final String name;
  private final Class<A> argsClass;
  private final Class<R> resultClass;
  private final BiFunction<? super S, ? super A, ? extends R> function;

  private Query(String name, Class<A> argsClass, Class<R> resultClass,
                BiFunction<? super S, ? super A, ? extends R> function) {
    EntityType.requireValidName(name, "query name");
    this.name = name;
    this.argsClass = requireBoxed(argsClass, "args class of query " + name);
    this.resultClass = requireBoxed(resultClass, "result class of query " + name);
    if (resultClass == Void.class) {
      throw new IllegalArgumentException("query " + name + " must return a value, not Void");
    }
    this.function = Objects.requireNonNull(function, "function of query " + name);
  }

  /** A query without args: {@code function} maps the state to the result. */
  public static <S, R> Query<S, Void, R> of(String name, Class<R> resultClass,
                                            Function<? super S, ? extends R> function) {
    Objects.requireNonNull(function, "function of query " + name);
    return new Query<>(name, Void.class, resultClass, (state, none) -> function.apply(state));
  }

  /** A query with args of {@code argsClass}: {@code function} maps the state and the args to the result. */
  public static <S, A, R> Query<S, A, R> of(String name, Class<A> argsClass, Class<R> resultClass,
                                            BiFunction<? super S, ? super A, ? extends R> function) {
    return new Query<>(name, argsClass, resultClass, function);
  }

  public String name() {
    return name;
  }

  /** {@code Void.class} for a query without args. */
  public Class<A> argsClass() {
    return argsClass;
  }

  public Class<R> resultClass() {
    return resultClass;
  }

  /** Whether callers pass args ({@link #argsClass()} is not {@code Void}). */
  public boolean takesArgs() {
    return argsClass != Void.class;
  }

  /**
   * Runs the function on {@code state}, here and now, with no encoding: for unit tests of a query,
   * and for the runtime that serves it. {@code args} is null for a query without args.
   */
  public R answer(S state, A args) {
    return function.apply(state, args);
  }

  @Override
  public String toString() {
    return "Query[" + name + (takesArgs() ? "(" + argsClass.getSimpleName() + ")" : "") + " -> "
        + resultClass.getSimpleName() + "]";
  }

  private static <T> Class<T> requireBoxed(Class<T> type, String what) {
    Objects.requireNonNull(type, what);
    if (type.isPrimitive()) {
      throw new IllegalArgumentException(what + " is the primitive " + type
          + "; use its boxed class (e.g. Long.class for long.class)");
    }
    return type;
  }
}
