package io.pachyderm.runtime;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.PachydermException;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.Query;
import java.util.Objects;

/**
 * Runs a named query ({@link Query}) against an entity's state, every ecosystem's way: the caller
 * encodes the args with the entity type's codec, the server decodes them, runs the query and
 * encodes only its result. Expected failures (unknown query, wrong args, a throwing query) are
 * values ({@link Refused}) naming the type, the query and the cause; nothing here writes state.
 *
 * <p>Runs on the read path, never the apply path. Stateless and thread-safe.
 */
public final class QueryExecutor {
  private QueryExecutor() {}

  /** What a query came to. */
  public sealed interface Outcome permits Answered, Refused {}

  /** The encoded result; null when the query returned null. */
  public record Answered(Encoded result) implements Outcome {}

  /** Nothing answered, and why. */
  public record Refused(RejectionKind kind, String message) implements Outcome {}

  /**
   * Server side: runs query {@code name} of {@code type} on {@code state}.
   *
   * @param args the encoded args, null for none; an empty type name stands for the query's declared
   *     args class at its current schema version (tools that lack the entity classes send that)
   */
  @SuppressWarnings("unchecked")
  public static Outcome execute(EntityType<?, ?, ?> type, EntityKey key, Object state, String name, Encoded args) {
    Query<Object, Object, Object> query = (Query<Object, Object, Object>) type.query(name);
    if (query == null) {
      return new Refused(RejectionKind.INVALID_REQUEST, unknown(type, name));
    }
    Object decodedArgs = null;
    if (!query.takesArgs()) {
      if (args != null) {
        return new Refused(RejectionKind.INVALID_REQUEST, describe(type, query) + " takes no args, but "
            + args.type() + " was given");
      }
    } else {
      if (args == null) {
        return new Refused(RejectionKind.INVALID_REQUEST, describe(type, query) + " takes args of class "
            + query.argsClass().getSimpleName() + "; none were given");
      }
      try {
        decodedArgs = type.codec().decode(declared(type, query, args));
      } catch (RuntimeException e) {
        return new Refused(RejectionKind.INVALID_REQUEST, "cannot decode the args of " + describe(type, query)
            + ": " + e.getMessage());
      }
      if (!query.argsClass().isInstance(decodedArgs)) {
        return new Refused(RejectionKind.INVALID_REQUEST, describe(type, query) + " takes args of class "
            + query.argsClass().getSimpleName() + ", not " + decodedArgs.getClass().getSimpleName());
      }
    }
    Object result;
    try {
      result = query.answer(state, decodedArgs);
    } catch (RuntimeException | StackOverflowError e) {
      return new Refused(RejectionKind.HANDLER_FAILED, describe(type, query) + " threw on " + key + ": " + e);
    }
    if (result == null) {
      return new Answered(null);
    }
    if (!query.resultClass().isInstance(result)) {
      return new Refused(RejectionKind.HANDLER_FAILED, describe(type, query) + " returned a "
          + result.getClass().getName() + ", not the declared " + query.resultClass().getName());
    }
    try {
      return new Answered(type.codec().encode(result));
    } catch (RuntimeException e) {
      return new Refused(RejectionKind.HANDLER_FAILED, "cannot encode the result of " + describe(type, query)
          + ": " + e.getMessage());
    }
  }

  /**
   * Caller side: checks that {@code query} is the one registered on {@code type} under its name and
   * that {@code args} fit it, and encodes them; null for a query without args.
   *
   * @throws CommandRejectedException (kind {@code INVALID_REQUEST}) naming what does not fit
   */
  public static Encoded encodeArgs(EntityType<?, ?, ?> type, Query<?, ?, ?> query, Object args) {
    Objects.requireNonNull(query, "query");
    if (type.query(query.name()) != query) {
      throw new CommandRejectedException(RejectionKind.INVALID_REQUEST, type.query(query.name()) == null
          ? unknown(type, query.name())
          : "another query named '" + query.name() + "' is registered with entity type '" + type.name()
              + "': pass the one registered (" + type.query(query.name()) + "), not " + query);
    }
    if (!query.takesArgs()) {
      if (args != null) {
        throw new CommandRejectedException(RejectionKind.INVALID_REQUEST, describe(type, query)
            + " takes no args, but a " + args.getClass().getName() + " was given");
      }
      return null;
    }
    if (args == null) {
      throw new CommandRejectedException(RejectionKind.INVALID_REQUEST, describe(type, query)
          + " takes args of class " + query.argsClass().getName() + "; none were given");
    }
    if (!query.argsClass().isInstance(args)) {
      throw new CommandRejectedException(RejectionKind.INVALID_REQUEST, describe(type, query)
          + " takes args of class " + query.argsClass().getName() + ", not " + args.getClass().getName());
    }
    try {
      return type.codec().encode(args);
    } catch (RuntimeException e) {
      throw new CommandRejectedException(RejectionKind.INVALID_REQUEST, "cannot encode the args of "
          + describe(type, query) + ": " + e.getMessage());
    }
  }

  /**
   * Caller side: the result the server sent, null when the query returned null.
   *
   * @throws PachydermException if the bytes are not a result of the query's declared class
   */
  public static <R> R decodeResult(EntityType<?, ?, ?> type, Query<?, ?, R> query, Encoded result) {
    if (result == null) {
      return null;
    }
    Object decoded;
    try {
      decoded = type.codec().decode(result);
    } catch (RuntimeException e) {
      throw new PachydermException("cannot decode the result of " + describe(type, query) + ": " + e.getMessage(),
          e);
    }
    if (!query.resultClass().isInstance(decoded)) {
      throw new PachydermException("the result of " + describe(type, query) + " decoded to a "
          + decoded.getClass().getName() + ", not the declared " + query.resultClass().getName()
          + " (do client and node run the same version of the entity type?)");
    }
    return query.resultClass().cast(decoded);
  }

  /** Tags raw args bytes with the declared args class's name, when the caller did not know it. */
  private static Encoded declared(EntityType<?, ?, ?> type, Query<?, ?, ?> query, Encoded args) {
    if (!args.type().isEmpty()) {
      return args;
    }
    String name = type.types().nameOf(query.argsClass());
    if (name == null) {
      return args; // a custom codec that names its classes itself; it reports what it cannot read
    }
    return new Encoded(name, type.types().versionOf(query.argsClass()), args.data());
  }

  private static String describe(EntityType<?, ?, ?> type, Query<?, ?, ?> query) {
    return "query '" + query.name() + "' of entity type '" + type.name() + "'";
  }

  private static String unknown(EntityType<?, ?, ?> type, String name) {
    return "entity type '" + type.name() + "' has no query '" + name + "'; its queries: " + type.queryNames();
  }
}
